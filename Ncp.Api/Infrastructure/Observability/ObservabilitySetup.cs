using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ncp.Api.Infrastructure.Observability;

public static class ObservabilitySetup
{
    /// <summary>
    /// Structured JSON logs that carry the trace and span ids, and OpenTelemetry traces for HTTP, Npgsql,
    /// Marten and MassTransit. Traces leave the process only when OTEL_EXPORTER_OTLP_ENDPOINT names a collector.
    /// </summary>
    public static WebApplicationBuilder AddNcpObservability(this WebApplicationBuilder builder)
    {
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ncp-api"))
            .WithTracing(tracing => tracing
                .AddSource(EventLogTracing.SourceName, "MassTransit", "Marten")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddNpgsql());
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }
}
