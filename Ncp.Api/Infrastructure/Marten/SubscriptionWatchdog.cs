using System.Diagnostics.Metrics;
using JasperFx;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ncp.Conventions;

namespace Ncp.Api.Infrastructure.Marten;

/// <summary>
/// Restarts the async daemon's shards (the integration-event subscription above all) that stopped and that Marten's own
/// coordinator leaves stopped. After a PostgreSQL failover the standby may not have received the last progression update
/// (replication is asynchronous), so the next update finds the stored progression behind the agent's and the agent stops
/// for good with <see cref="ProgressionProgressOutOfOrderException"/>: the coordinator restarts only paused or missing
/// agents, and registrations would be stored but never published. Says so in health (Degraded) while a shard is down.
/// </summary>
public sealed class SubscriptionWatchdog(IProjectionCoordinator coordinator, TimeProvider time, ILogger<SubscriptionWatchdog> logger)
    : BackgroundService, IHealthCheck
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    private static readonly Meter Meter = new(TelemetryConventions.MeterPrefix + "Api");

    private static readonly Counter<long> Restarts =
        Meter.CreateCounter<long>("ncp.daemon.shard_restarts", "{restart}", "Async daemon shards the watchdog found stopped and restarted");

    // Shards seen missing from the daemon at the last look: the coordinator starts a missing one itself within seconds,
    // so one is ours only when it is still missing a period later.
    private HashSet<string> missingBefore = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RestartStoppedAsync(stoppingToken);
            }
            // A look that fails (the database mid-failover) is not a reason to stop looking: the next tick tries again.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not look at the async daemon's shards: {Error}", e.Message);
            }
        }
    }

    /// <summary>
    /// Starts again every shard of this instance that is stopped or paused. The new agent resumes from the progression
    /// stored in the database, which after a failover is behind what was published: those events are published again, which
    /// is harmless because every consumer is idempotent on the message id (the event's id). Resuming from the stored
    /// progression is also the repair: the out-of-order progression is simply taken as the truth.
    /// </summary>
    public async Task RestartStoppedAsync(CancellationToken ct)
    {
        var (daemon, shards) = await ShardsOfThisInstanceAsync();
        var missing = new HashSet<string>();
        foreach (var shard in shards)
        {
            var agent = daemon!.CurrentAgents().FirstOrDefault(a => a.Name.Identity == shard);
            if (agent is null && !missingBefore.Contains(shard))
            {
                missing.Add(shard);
                continue;
            }

            if (agent is { Status: AgentStatus.Running })
            {
                continue;
            }

            var reason = agent is null ? "missing from the daemon" : $"{agent.Status}: {agent.Failure?.Message ?? "no reason given"}";
            logger.LogWarning("Async daemon shard {Shard} is not running ({Reason}); starting it again", shard, reason);
            await daemon.StartAgentAsync(shard, ct);
            Restarts.Add(1, new KeyValuePair<string, object?>("shard", shard));
        }

        missingBefore = missing;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (daemon, shards) = await ShardsOfThisInstanceAsync();
        if (daemon is null)
        {
            return HealthCheckResult.Healthy("The other Api instance runs the async daemon.");
        }

        var down = daemon.CurrentAgents().Where(a => shards.Contains(a.Name.Identity) && a.Status != AgentStatus.Running).ToArray();
        return down.Length == 0
            ? HealthCheckResult.Healthy($"{shards.Count} shard(s) running.")
            : HealthCheckResult.Degraded(
                $"Not running: {string.Join(", ", down.Select(a => $"{a.Name.Identity} ({a.Status})"))}; " +
                $"the watchdog starts them again within {Every.TotalSeconds:0} s.");
    }

    /// <summary>
    /// The shards this instance runs: none unless it holds the daemon's lock (HotCold), so the cold instance never starts
    /// a shard the hot one runs, which would publish every event twice.
    /// </summary>
    private async Task<(IProjectionDaemon? Daemon, IReadOnlyCollection<string> Shards)> ShardsOfThisInstanceAsync()
    {
        if (coordinator is not ProjectionCoordinatorBase { Distributor: { } distributor })
        {
            return (null, []);
        }

        var held = (await distributor.BuildDistributionAsync()).Where(distributor.HasLock).ToArray();
        return held.Length == 0
            ? (null, [])
            : (coordinator.DaemonForMainDatabase(), held.SelectMany(set => set.Names).Select(n => n.Identity).ToHashSet());
    }
}

public static class SubscriptionWatchdogSetup
{
    /// <summary>The watchdog and its "daemon" readiness check (Degraded, never Unhealthy: the Api still takes work).</summary>
    public static IServiceCollection AddSubscriptionWatchdog(this IServiceCollection services)
    {
        services.AddSingleton<SubscriptionWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<SubscriptionWatchdog>());
        services.AddHealthChecks().AddCheck<SubscriptionWatchdog>("daemon", HealthStatus.Degraded, [HealthConventions.ReadyTag]);
        return services;
    }
}
