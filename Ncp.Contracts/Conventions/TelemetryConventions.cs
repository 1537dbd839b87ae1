// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): one log format and one trace across both.
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ncp.Conventions;

public static class TelemetryConventions
{
    /// <summary>
    /// JSON log lines carrying the trace and span ids, and OpenTelemetry traces for MassTransit and the process's own
    /// sources (so that a request's log lines in the Api and the Worker share one trace id). Traces leave the process
    /// only when OTEL_EXPORTER_OTLP_ENDPOINT names a collector, and only then are Npgsql's commands traced too: a span
    /// per database command, which nothing reads without a collector, cost about 2 % of the Worker's CPU under load.
    /// </summary>
    public static TracerProviderBuilder AddNcpTelemetry(this WebApplicationBuilder builder, string serviceName, params string[] sources)
    {
        builder.Logging.AddJsonConsole(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        TracerProviderBuilder? tracer = null;
        var exporting = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracer = tracing.AddSource(["MassTransit", .. sources]);
                if (exporting)
                {
                    tracing.AddNpgsql();
                }
            });
        if (exporting)
        {
            telemetry.UseOtlpExporter();
        }

        return tracer!;
    }
}
