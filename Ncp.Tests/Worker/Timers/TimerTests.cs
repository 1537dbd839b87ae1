using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ncp.Contracts.Deadlines;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Timers;

namespace Ncp.Tests.Worker.Timers;

/// <summary>
/// Durable wake-ups against the real PostgreSQL and RabbitMQ, on a simulated clock set years ahead, so that the
/// Worker host's own loop (on the real clock) never finds these wake-ups due.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class TimerTests(NcpSystem ncp) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ConcurrentQueue<WakeUpDue> received = new();
    private HostReceiveEndpointHandle? probe;

    private TimerStore Store => ncp.Worker.Services.GetRequiredService<TimerStore>();

    public async Task InitializeAsync()
    {
        var connector = ncp.Worker.Services.GetRequiredService<IReceiveEndpointConnector>();
        probe = connector.ConnectReceiveEndpoint($"{ncp.RunId}-wake-up-probe-{Guid.NewGuid():N}", (_, endpoint) =>
        {
            endpoint.Handler<WakeUpDue>(context =>
            {
                received.Enqueue(context.Message);
                return Task.CompletedTask;
            });
            if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
            {
                rabbit.AutoDelete = true;
            }
        });
        await probe.Ready;
    }

    public async Task DisposeAsync()
    {
        if (probe is not null)
        {
            await probe.StopAsync();
        }
    }

    [Fact]
    public async Task A_later_request_moves_a_wake_up_an_older_one_does_not_and_a_cancel_removes_it()
    {
        var item = Guid.CreateVersion7();
        Assert.True(await Store.ScheduleAsync(item, "reply-by", Start.AddDays(7), Start, default));
        Assert.True(await Store.ScheduleAsync(item, "reply-by", Start.AddDays(9), Start.AddMinutes(1), default));
        Assert.False(await Store.ScheduleAsync(item, "reply-by", Start.AddDays(3), Start.AddSeconds(30), default));

        Assert.Equal(Start.AddDays(9), await DueOfAsync(item, "reply-by"));
        Assert.Equal(0, await Store.CancelAsync(item, "*", Start, default)); // older than the last request: a resume is not undone
        Assert.Equal(1, await Store.CancelAsync(item, "*", Start.AddMinutes(2), default));
        Assert.Equal(0, await Store.CancelAsync(item, "reply-by", Start.AddMinutes(3), default));
    }

    [Fact]
    public async Task A_crash_while_firing_leaves_the_wake_up_due_so_it_fires_after_all()
    {
        var item = Guid.CreateVersion7();
        var clock = new FakeTimeProvider(Start);
        await Store.ScheduleAsync(item, "ack-by", Start.AddHours(-1), Start.AddHours(-2), default);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Store.FireDueAsync(clock, 100, due => due.Any(d => d.ItemId == item) ? throw new InvalidOperationException("crash") : Task.CompletedTask, default));
        var firedOnRetry = new List<DueTimer>();
        await Store.FireDueAsync(clock, 1000, due =>
        {
            firedOnRetry.AddRange(due);
            return Task.CompletedTask;
        }, default);

        Assert.Contains(firedOnRetry, d => d.ItemId == item);
    }

    [Fact]
    public async Task Two_workers_over_three_simulated_months_fire_every_wake_up_once_in_due_order_and_on_time()
    {
        var clock = new FakeTimeProvider(Start);
        var items = Enumerable.Range(0, 300).Select(_ => Guid.CreateVersion7()).ToArray();
        var steps = new[] { "reply-by:50%", "reply-by:80%", "reply-by:100%" };
        var random = new Random(42);
        foreach (var item in items)
        {
            foreach (var step in steps)
            {
                await Store.ScheduleAsync(item, step, Start.AddMinutes(random.Next(1, 90 * 24 * 60)), Start, default);
            }
        }

        var settings = new TimerSettings { MaxSleep = TimeSpan.FromMinutes(1), BatchSize = 50 };
        await using var first = await StartLoopAsync(clock, settings);
        await using var second = await StartLoopAsync(clock, settings);

        await RunClockAsync(clock, Start.AddDays(91), TimeSpan.FromHours(6), items);

        var mine = received.Where(m => items.Contains(m.ItemId)).ToList();
        Assert.Equal(items.Length * steps.Length, mine.Count);
        Assert.Equal(mine.Count, mine.Select(m => (m.ItemId, m.Step)).Distinct().Count());
        Assert.All(mine, m => Assert.InRange(m.FiredAt - m.DueAt, TimeSpan.Zero, TimeSpan.FromHours(6)));
        await AssertFiredInDueOrderAsync(items);
    }

    [Fact]
    public async Task A_worker_stopped_mid_ladder_catches_up_in_due_order_when_it_starts_again()
    {
        var clock = new FakeTimeProvider(Start);
        var items = Enumerable.Range(0, 50).Select(_ => Guid.CreateVersion7()).ToArray();
        for (var i = 0; i < items.Length; i++)
        {
            await Store.ScheduleAsync(items[i], "useful-until:-7d", Start.AddHours(i + 1), Start, default);
        }

        var settings = new TimerSettings { MaxSleep = TimeSpan.FromMinutes(1), BatchSize = 10 };
        await using (await StartLoopAsync(clock, settings))
        {
            await RunClockAsync(clock, Start.AddHours(20), TimeSpan.FromHours(1), items[..20]);
        }

        Assert.Equal(20, received.Count(m => items.Contains(m.ItemId)));
        clock.Advance(TimeSpan.FromDays(3)); // the Worker is down

        await using (await StartLoopAsync(clock, settings))
        {
            running.ForEach(l => l.Nudge());
            await WaitUntilAsync(() => received.Count(m => items.Contains(m.ItemId)) == items.Length);
        }

        Assert.Equal(items.Length, received.Where(m => items.Contains(m.ItemId)).Select(m => m.ItemId).Distinct().Count());
        await AssertFiredInDueOrderAsync(items);
    }

    private readonly List<TimerLoop> running = [];

    private async Task<RunningLoop> StartLoopAsync(FakeTimeProvider clock, TimerSettings settings)
    {
        var loop = new TimerLoop(Store, ncp.Worker.Services.GetRequiredService<IBus>(), clock, settings, NullLogger<TimerLoop>.Instance);
        await loop.StartAsync(default);
        running.Add(loop);
        return new RunningLoop(loop, () => running.Remove(loop));
    }

    /// <summary>Moves the simulated clock forward step by step, letting the loops fire what fell due before the next step.</summary>
    private async Task RunClockAsync(FakeTimeProvider clock, DateTimeOffset until, TimeSpan step, Guid[] items)
    {
        while (clock.GetUtcNow() < until)
        {
            clock.Advance(step);
            // A simulated clock jumps; a nap that began just before the jump would wait for the next one.
            running.ForEach(l => l.Nudge());
            var now = clock.GetUtcNow();
            await WaitUntilAsync(async () => await PendingDueAsync(items, now) == 0);
        }
    }

    private Task<long> PendingDueAsync(Guid[] items, DateTimeOffset now) => ncp.QueryAsync<long>(
        $"select count(*) from {ncp.WorkerSchema}.timers where item_id = any(@items) and fired_at is null and due_at <= @now",
        ("items", items), ("now", now));

    private async Task AssertFiredInDueOrderAsync(Guid[] items)
    {
        // Ordered by due time, the fire times never go backwards.
        var backwards = await ncp.QueryAsync<long>($"""
            select count(*) from (
              select fired_at < lag(fired_at) over (order by due_at, fired_at) as backwards
              from {ncp.WorkerSchema}.timers where item_id = any(@items)) x
            where backwards
            """, ("items", items));
        Assert.Equal(0L, backwards);
    }

    private async Task<DateTimeOffset> DueOfAsync(Guid item, string step) =>
        new(await ncp.QueryAsync<DateTime>($"select due_at from {ncp.WorkerSchema}.timers where item_id = @i and step = @s", ("i", item), ("s", step)), TimeSpan.Zero);

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static Task WaitUntilAsync(Func<Task<bool>> condition) =>
        NcpSystem.EventuallyAsync(condition, done => done, TimeSpan.FromSeconds(60));

    private sealed class RunningLoop(TimerLoop loop, Action stopped) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            stopped();
            await loop.StopAsync(default);
            loop.Dispose();
        }
    }
}
