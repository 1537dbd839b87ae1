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

    /// <summary>
    /// Whether the transaction failed only for its timing: PostgreSQL broke a deadlock by choosing it, or a serializable
    /// check failed (or a statement ran after either, in the transaction they aborted). Nothing of it was kept, so the whole
    /// unit of work may run again (deciders are pure: deciding again on the state read again is the same decision).
    /// </summary>
    public static bool IsTransientConflict(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                or PostgresErrorCodes.InFailedSqlTransaction })
            {
                return true;
            }
        }

        return false;
    }
}
