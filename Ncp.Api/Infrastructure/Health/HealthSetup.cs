using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Api.Infrastructure.Health;

public static class HealthSetup
{
    public static IServiceCollection AddNcpHealth(this IServiceCollection services, IConfiguration configuration)
    {
        // The bus registers its own "rabbitmq" check (see MessagingSetup).
        services.AddHealthChecks()
            .AddNpgSql(Postgres.ConnectionString(configuration), name: "postgresql", tags: ["ready"], timeout: TimeSpan.FromSeconds(3));
        return services;
    }

    /// <summary>Live: the process answers. Ready: every dependency answers, each named in the body.</summary>
    public static void MapNcpHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync })
            .AllowAnonymous();
    }

    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = (int)report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description ?? e.Value.Exception?.Message,
                    durationMs = (int)e.Value.Duration.TotalMilliseconds,
                }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
