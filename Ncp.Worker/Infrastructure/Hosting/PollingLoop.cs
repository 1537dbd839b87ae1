namespace Ncp.Worker.Infrastructure.Hosting;

/// <summary>
/// A background loop over a table: does what is due, naps until the next thing is due (or it is nudged because something
/// new may be due sooner), and survives errors. Time comes from <see cref="TimeProvider"/>, so tests run it on a simulated clock.
/// </summary>
public abstract class PollingLoop(TimeProvider time, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim nudge = new(0, 1);

    protected TimeProvider Time => time;

    /// <summary>Something new may be due sooner: look again now instead of at the end of the current nap.</summary>
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

    /// <summary>Does what is due; returns how long to nap before looking again.</summary>
    protected abstract Task<TimeSpan> RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var nap = await RunOnceAsync(stoppingToken);
                if (nap > TimeSpan.Zero)
                {
                    await NapAsync(nap, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "{Loop} failed; trying again in a second", GetType().Name);
                await NapAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task NapAsync(TimeSpan nap, CancellationToken ct)
    {
        using var wakeEarly = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Task.WhenAny(Task.Delay(nap, time, wakeEarly.Token), nudge.WaitAsync(wakeEarly.Token));
        await wakeEarly.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }
}
