using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ncp.Api.Live;
using Ncp.Api.Ui.Infrastructure;
using Ncp.Contracts.Live;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

public sealed class LiveRefreshTests
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly LiveUpdates live = new(NullLogger<LiveUpdates>.Instance);

    [Fact]
    public async Task A_burst_of_changes_reloads_once_and_the_changes_after_the_reload_once_more()
    {
        var reloads = 0;
        using var refresh = new LiveRefresh(live, _ => true, () => { Interlocked.Increment(ref reloads); return Task.CompletedTask; }, clock);
        clock.Advance(TimeSpan.FromSeconds(5));

        for (var i = 0; i < 20; i++)
        {
            await live.PublishAsync([Change("item-registered")]);
        }

        Assert.Equal(1, reloads);

        // Within the second after a reload: held back, then one reload for all of them.
        await live.PublishAsync([Change("mail-received")]);
        await live.PublishAsync([Change("deadline-escalated")]);
        Assert.Equal(1, reloads);
        clock.Advance(LiveRefresh.Interval);
        await UntilAsync(() => reloads == 2);
        Assert.Equal(2, reloads);
    }

    [Fact]
    public async Task Changes_the_officer_may_not_see_do_not_reload()
    {
        var reloads = 0;
        using var refresh = new LiveRefresh(live, c => c.Channel != "Csto", () => { reloads++; return Task.CompletedTask; }, clock);
        clock.Advance(TimeSpan.FromSeconds(5));

        await live.PublishAsync([Change("item-registered", "Csto")]);
        Assert.Equal(0, reloads);

        refresh.Dispose();
        await live.PublishAsync([Change("item-registered")]);
        Assert.Equal(0, reloads);
    }

    private static RecordChange Change(string what, string? channel = "TwentyFourSeven") =>
        new("item", Guid.NewGuid(), "KZ-NCP-2026-0000001", channel, what, DateTimeOffset.UtcNow);

    // The reload runs on the fake clock's timer, off the test's thread: wait for it, and fail if it never comes.
    private static Task UntilAsync(Func<bool> condition) =>
        NcpSystem.EventuallyAsync(() => Task.FromResult(condition()), done => done, TimeSpan.FromSeconds(5));
}
