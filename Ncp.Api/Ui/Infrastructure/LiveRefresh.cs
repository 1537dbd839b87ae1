using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Live;
using Ncp.Contracts.Live;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// Reloads a screen when something it shows changes: at most once per <see cref="Interval"/>, so a burst of changes
/// (a batch of registrations, a morning's mail) costs one query, and the last change of a burst is never missed.
/// Create it once the page is interactive; dispose it with the page.
/// </summary>
public sealed class LiveRefresh : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Func<RecordChange, bool> concerns;
    private readonly Func<Task> reload;
    private readonly TimeProvider time;
    private readonly IDisposable subscription;
    private readonly CancellationTokenSource stopped = new();
    private long lastReloadTicks;
    private int pending;

    /// <param name="reload">The page's reload, already inside its <c>InvokeAsync</c>.</param>
    public LiveRefresh(LiveUpdates live, Func<RecordChange, bool> concerns, Func<Task> reload, TimeProvider time)
    {
        this.concerns = concerns;
        this.reload = reload;
        this.time = time;
        lastReloadTicks = time.GetUtcNow().UtcTicks;
        subscription = live.Subscribe(OnChangesAsync);
    }

    /// <summary>An item's or a held mail's change concerns only officers cleared for its channel.</summary>
    public static bool Concerns(OfficerContext officer, RecordChange change) =>
        change.Channel is null || officer.Channels.Any(c => string.Equals(ApiEnum<Channel>.NameOf(c), change.Channel, StringComparison.OrdinalIgnoreCase));

    public void Dispose()
    {
        subscription.Dispose();
        stopped.Cancel();
    }

    private Task OnChangesAsync(IReadOnlyList<RecordChange> changes)
    {
        if (changes.Any(concerns) && Interlocked.Exchange(ref pending, 1) == 0)
        {
            _ = ReloadSoonAsync();
        }

        return Task.CompletedTask;
    }

    private async Task ReloadSoonAsync()
    {
        try
        {
            var wait = new DateTimeOffset(Interlocked.Read(ref lastReloadTicks), TimeSpan.Zero) + Interval - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stopped.Token);
            }

            // Changes from here on ask for the next reload: nothing falls between this one's query and that one.
            Interlocked.Exchange(ref lastReloadTicks, time.GetUtcNow().UtcTicks);
            Volatile.Write(ref pending, 0);
            await reload();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The page was left.
        }
    }
}
