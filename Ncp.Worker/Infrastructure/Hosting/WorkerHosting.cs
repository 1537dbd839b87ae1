using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ncp.Worker.Infrastructure.Hosting;

/// <summary>Logs, traces and health endpoints of the Worker process.</summary>
public static class WorkerHosting
{
    public static WebApplicationBuilder AddWorkerTelemetry(this WebApplicationBuilder builder)
    {
        builder.Logging.AddJsonConsole(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("ncp-worker"))
            .WithTracing(tracing => tracing.AddSource("MassTransit").AddNpgsql());
        if (builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 })
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    public static void MapWorkerHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = Write });
    }

    private static Task Write(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var checks = new Dictionary<string, object?>();
        foreach (var (name, entry) in report.Entries)
        {
            checks[name] = new { status = entry.Status.ToString(), description = entry.Description ?? entry.Exception?.Message };
        }

        return http.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString(), checks }, JsonSerializerOptions.Web));
    }
}
