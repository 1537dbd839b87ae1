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
    /// JSON log lines carrying the trace and span ids, and OpenTelemetry traces for Npgsql, MassTransit and the
    /// process's own sources. Traces leave the process only when OTEL_EXPORTER_OTLP_ENDPOINT names a collector.
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
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracer = tracing.AddSource(["MassTransit", .. sources]).AddNpgsql());
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return tracer!;
    }
}
