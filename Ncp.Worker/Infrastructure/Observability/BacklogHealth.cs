using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ncp.Conventions;
using OpenTelemetry.Metrics;

namespace Ncp.Worker.Infrastructure.Observability;

/// <summary>Degraded, with the count and the oldest in words, while something in its table is later than its setting allows.</summary>
public sealed class BacklogCheck(Backlogs backlogs, BacklogKind kind) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Backlog backlog;
        try
        {
            backlog = await backlogs.ReadAsync(kind, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Words, not the exception: this body is anonymous. The "postgresql" check beside this one says what is wrong.
            return new HealthCheckResult(context.Registration.FailureStatus, $"not known: worker.{kind.Table} could not be read");
        }

        return backlog.Late == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded(backlogs.Describe(kind, backlog));
    }
}

/// <summary>
/// The backlogs as gauges, read from the database when the metrics are collected (a scrape, or the OTLP exporter's
/// round), so they are as fresh as the health checks; when the database cannot be read they report nothing rather than
/// an old value. The instruments are the process's (one meter, <see cref="WorkerMetrics"/>), each live host's backlogs a
/// series labelled with its schema: OpenTelemetry listens to every meter of a name in the process, so instruments made
/// per host would clash whenever two hosts share a process (the tests' in-memory hosts).
/// </summary>
public sealed class BacklogGauges : IDisposable
{
    private static readonly ConcurrentDictionary<BacklogGauges, Backlogs> Live = new();

    static BacklogGauges()
    {
        WorkerMetrics.Gauge("ncp.inbound.oldest_waiting_age", "s", "How long the oldest stored mail not yet judged has waited",
            () => Observe(BacklogKind.InboundMail, Age));
        WorkerMetrics.Gauge("ncp.dispatch.oldest_pending_age", "s", "How long past its due time the oldest pending mail to a partner is",
            () => Observe(BacklogKind.Dispatches, Age));
        WorkerMetrics.Gauge("ncp.timers.overdue", "{wake-up}", $"Wake-ups due and not fired (counted up to {Backlogs.Cap})",
            () => Observe(BacklogKind.Timers, (b, _) => b.Due));
    }

    public BacklogGauges(Backlogs backlogs) => Live[this] = backlogs;

    public void Dispose() => Live.TryRemove(this, out _);

    private static double Age(Backlog backlog, Backlogs backlogs) => backlog.AgeAt(backlogs.Time.GetUtcNow()).TotalSeconds;

    private static IEnumerable<Measurement<double>> Observe(BacklogKind kind, Func<Backlog, Backlogs, double> value)
    {
        foreach (var backlogs in Live.Values)
        {
            Backlog backlog;
            try
            {
                backlog = backlogs.Read(kind);
            }
            catch (Exception)
            {
                // No measurement is the truth when the table cannot be read; the "postgresql" check and the logs say why.
                continue;
            }

            yield return new Measurement<double>(value(backlog, backlogs), new KeyValuePair<string, object?>("schema", backlogs.Schema));
        }
    }
}

public static class BacklogHealthSetup
{
    /// <summary>The readiness checks "inbound-mail", "dispatches" and "timers", and the backlog gauges.</summary>
    public static IServiceCollection AddBacklogHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(
            configuration.GetSection(HealthSettings.Section).Get<HealthSettings>() ?? new HealthSettings());
        services.AddSingleton<Backlogs>();
        var checks = services.AddHealthChecks();
        foreach (var kind in BacklogKind.All)
        {
            checks.Add(new HealthCheckRegistration(kind.Name, sp => new BacklogCheck(sp.GetRequiredService<Backlogs>(), kind),
                HealthStatus.Degraded, [HealthConventions.ReadyTag], TimeSpan.FromSeconds(3)));
        }

        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddInstrumentation(sp => new BacklogGauges(sp.GetRequiredService<Backlogs>())));
        return services;
    }
}
