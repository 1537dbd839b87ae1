// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): both answer health probes the same way.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ncp.Conventions;

public static class HealthConventions
{
    public const string ReadyTag = "ready";

    public const string FailedSeeLog = "failed; the reason is in the process's log";

    /// <summary>Live: the process answers. Ready: every dependency answers, each named in the body.</summary>
    public static void MapNcpHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .AllowAnonymous();
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
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
                    // Anyone may ask: a failure's own text (a connection string's host, a stack's words) stays in the
                    // log, where the health service writes it; the answer carries only what our checks chose to say.
                    description = e.Value.Exception is null ? e.Value.Description : FailedSeeLog,
                    durationMs = (int)e.Value.Duration.TotalMilliseconds,
                }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
