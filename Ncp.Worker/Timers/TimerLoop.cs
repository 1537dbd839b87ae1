using MassTransit;
using Ncp.Contracts.Deadlines;

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
/// order, and catches up after downtime the same way. Time comes from <see cref="TimeProvider"/>, so tests run months of it.
/// </summary>
public sealed class TimerLoop(TimerStore store, IBus bus, TimeProvider time, TimerSettings settings, ILogger<TimerLoop> logger) : BackgroundService
{
    private readonly SemaphoreSlim nudge = new(0, 1);

    /// <summary>A wake-up was scheduled or moved: look again now instead of at the end of the current nap.</summary>
    public void Nudge()
    {
        if (nudge.CurrentCount == 0)
        {
            try
            {
                nudge.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already nudged; once is enough.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int fired;
                do
                {
                    fired = await store.FireDueAsync(time, settings.BatchSize, PublishAsync, stoppingToken);
                }
                while (fired == settings.BatchSize);

                var next = await store.NextDueAsync(stoppingToken);
                var nap = next is { } due ? due - time.GetUtcNow() : settings.MaxSleep;
                if (nap > TimeSpan.Zero)
                {
                    await NapAsync(nap < settings.MaxSleep ? nap : settings.MaxSleep, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The timer loop failed; trying again in a second");
                await NapAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task NapAsync(TimeSpan nap, CancellationToken ct)
    {
        using var wakeEarly = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sleeping = Task.Delay(nap, time, wakeEarly.Token);
        var nudged = nudge.WaitAsync(wakeEarly.Token);
        await Task.WhenAny(sleeping, nudged);
        await wakeEarly.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Items in parallel, the rungs of one item one after another in due order, so the Api records them in order.</summary>
    private Task PublishAsync(IReadOnlyList<DueTimer> due)
    {
        var firedAt = time.GetUtcNow();
        logger.LogDebug("Firing {Count} wake-ups", due.Count);
        return Task.WhenAll(due.GroupBy(d => d.ItemId).Select(async rungs =>
        {
            foreach (var d in rungs.OrderBy(d => d.DueAt))
            {
                await bus.Publish(new WakeUpDue(d.ItemId, d.Step, d.DueAt, firedAt));
            }
        }));
    }
}
