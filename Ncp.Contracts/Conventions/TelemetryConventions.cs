// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): one log format, one trace and one metrics page across both.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ncp.Conventions;

public static class TelemetryConventions
{
    /// <summary>The processes' own meters are named <c>Ncp.&lt;Process&gt;</c>; every one of them is exported.</summary>
    public const string MeterPrefix = "Ncp.";

    public const string MetricsPath = "/metrics";

    /// <summary>Setting that limits <see cref="MetricsPath"/> to one port of the host (which must listen on it too).</summary>
    public const string MetricsPortSetting = "Metrics:Port";

    // Beside our own: what the runtime and ASP.NET Core already measure (GC, thread pool, exceptions, requests).
    private static readonly string[] Meters = [MeterPrefix + "*", "System.Runtime", "Microsoft.AspNetCore.Hosting"];

    /// <summary>
    /// JSON log lines carrying the trace and span ids, and OpenTelemetry traces for MassTransit and the process's own
    /// sources (so that a request's log lines in the Api and the Worker share one trace id). Traces leave the process
    /// only when OTEL_EXPORTER_OTLP_ENDPOINT names a collector, and only then are Npgsql's commands traced too: a span
    /// per database command, which nothing reads without a collector, cost about 2 % of the Worker's CPU under load.
    /// Metrics are always collected, for <see cref="MapNcpMetrics"/> and, with a collector, for OTLP as well.
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
            })
            .WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        if (exporting)
        {
            // Every signal configured above: traces and metrics alike.
            telemetry.UseOtlpExporter();
        }

        return tracer!;
    }

    /// <summary>
    /// <c>GET /metrics</c> in Prometheus's text format, anonymous like the health probes: it holds counts, ages and reason
    /// codes, never an item, an address or a name. With <c>Metrics:Port</c> set it answers only on that port, which the
    /// operator keeps internal (the Api's public port then answers 404).
    /// </summary>
    public static void MapNcpMetrics(this IEndpointRouteBuilder app)
    {
        var port = app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<int?>(MetricsPortSetting);
        Action<IApplicationBuilder>? onlyOnPort = port is { } internalPort
            ? branch => branch.Use(next => http => http.Connection.LocalPort == internalPort ? next(http) : NotFound(http))
            : null;
        app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, onlyOnPort, optionsName: null).AllowAnonymous();
    }

    private static Task NotFound(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
