using Npgsql;

namespace Ncp.Api.Infrastructure.Marten;

public static class Postgres
{
    /// <summary>
    /// The configured connection string with a short connect timeout unless one was given:
    /// with the database down, a request must fail in seconds, not hang for Npgsql's default 15 s.
    /// </summary>
    public static string ConnectionString(IConfiguration configuration)
    {
        var raw = configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException(
                "ConnectionStrings:Postgres is not set. Run through ./ncp up, or set ConnectionStrings__Postgres.");
        var builder = new NpgsqlConnectionStringBuilder(raw);
        if (!raw.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 3;
        }

        builder.ApplicationName ??= "ncp-api";
        return builder.ConnectionString;
    }
}
