using Ncp.Api.Infrastructure.Marten;
using Ncp.Conventions;

namespace Ncp.Api.Infrastructure.Health;

public static class HealthSetup
{
    /// <summary>The Api is ready when PostgreSQL answers; the bus adds its own "rabbitmq" check (BusConventions).</summary>
    public static IServiceCollection AddNcpHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHealthChecks().AddNpgSql(
            Postgres.ConnectionString(configuration), name: "postgresql", tags: [HealthConventions.ReadyTag], timeout: TimeSpan.FromSeconds(3));
        return services;
    }
}
