using Ncp.Conventions;
using OpenTelemetry.Trace;

namespace Ncp.Api.Infrastructure.Observability;

public static class ObservabilitySetup
{
    public static WebApplicationBuilder AddNcpObservability(this WebApplicationBuilder builder)
    {
        builder.AddNcpTelemetry("ncp-api", EventLogTracing.SourceName, "Marten")
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"));
        return builder;
    }
}
