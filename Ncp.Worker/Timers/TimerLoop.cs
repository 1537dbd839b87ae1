using MassTransit;
using Ncp.Contracts.Deadlines;
using Ncp.Worker.Infrastructure.Hosting;
using Ncp.Worker.Infrastructure.Observability;

namespace Ncp.Worker.Timers;

public sealed class TimerSettings
{
    public const string Section = "Timers";

    /// <summary>
    /// Longest nap between looks at the table. A wake-up requested through this Worker nudges it at once; one requested
    /// through another Worker instance is seen within this time, which bounds how late it can fire.
    /// </summary>
    public TimeSpan MaxSleep { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Wake-ups claimed and published per transaction.</summary>
    public int BatchSize { get; set; } = 500;
}

/// <summary>
/// The Worker's clock: sleeps until the next wake-up is due (or a new one may be earlier), fires everything due in due
/// order, and catches up after downtime the same way.
/// </summary>
public sealed class TimerLoop(TimerStore store, IBus bus, TimeProvider time, TimerSettings settings, ILogger<TimerLoop> logger)
    : PollingLoop(time, logger)
{
    protected override async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        int fired;
        do
        {
            fired = await store.FireDueAsync(Time, settings.BatchSize, PublishAsync, ct);
        }
        while (fired == settings.BatchSize);

        var next = await store.NextDueAsync(ct);
        var nap = next is { } due ? due - Time.GetUtcNow() : settings.MaxSleep;
        return nap < settings.MaxSleep ? nap : settings.MaxSleep;
    }

    /// <summary>Items in parallel, the rungs of one item one after another in due order, so the Api records them in order.</summary>
    private Task PublishAsync(IReadOnlyList<DueTimer> due)
    {
        var firedAt = Time.GetUtcNow();
        return Task.WhenAll(due.GroupBy(d => d.ItemId).Select(async rungs =>
        {
            foreach (var d in rungs.OrderBy(d => d.DueAt))
            {
                await bus.Publish(new WakeUpDue(d.ItemId, d.Step, d.DueAt, firedAt));
                WorkerMetrics.WakeUpFired(d.DueAt, firedAt);
            }
        }));
    }
}
