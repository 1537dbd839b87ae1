using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Deadlines;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Deadlines;

/// <summary>Api → event log → bus → Worker timers, and a wake-up back from the Worker, through the real servers.</summary>
[Collection(NcpCollection.Name)]
public sealed class EscalationFlowTests(NcpSystem ncp)
{
    [Fact]
    public async Task Sending_an_item_schedules_its_ladder_in_the_worker_and_closing_it_cancels_what_is_left()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        item = await duty.ActAsync(item.Number(), "send");
        var steps = item.GetProperty("deadlines").GetProperty("steps").GetArrayLength();
        Assert.True(steps >= 3);

        var id = item.GetProperty("id").GetGuid();
        // Every rung reaches the Worker; one already behind us (the oldest data is past its retention) fires at once.
        await NcpSystem.EventuallyAsync(() => ScheduledAsync(id), n => n == steps);

        item = await duty.ActAsync(item.Number(), "answers", new { extent = "full", summary = "All logs" });
        await duty.ActAsync(item.Number(), "close", new { reason = "Answered" });
        await NcpSystem.EventuallyAsync(() => PendingAsync(id), n => n == 0);
    }

    [Fact]
    public async Task A_wake_up_delivered_twice_escalates_the_item_once()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        item = await duty.ActAsync(item.Number(), "send");
        var step = item.GetProperty("deadlines").GetProperty("steps")[0];
        var wakeUp = new WakeUpDue(item.GetProperty("id").GetGuid(), step.Str("name"), step.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow);

        var consumed = new ConsumeCounter();
        using var _ = ncp.Api.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);
        var bus = ncp.Worker.Services.GetRequiredService<IBus>();
        await bus.Publish(wakeUp);
        await bus.Publish(wakeUp);

        await NcpSystem.EventuallyAsync(() => Task.FromResult(consumed.Count<WakeUpDue>(m => m.ItemId == wakeUp.ItemId)), n => n == 2);
        var read = await duty.GetJsonAsync($"/api/items/{item.Number()}");
        Assert.Equal(wakeUp.Step, Assert.Single(read.GetProperty("escalations").EnumerateArray()).GetString());
        Assert.Single(read.GetProperty("timeline").EnumerateArray(), t => t.Str("what") == "escalated");

        var acknowledged = await duty.ActAsync(item.Number(), $"escalations/{Uri.EscapeDataString(wakeUp.Step)}/acknowledge");
        Assert.Equal(wakeUp.Step, Assert.Single(acknowledged.GetProperty("acknowledgedEscalations").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Extending_pausing_and_resuming_move_the_workers_wake_ups()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        item = await duty.ActAsync(item.Number(), "send");
        var id = item.GetProperty("id").GetGuid();
        var replyBy = item.GetProperty("deadlines").GetProperty("replyBy").GetDateTimeOffset();
        await NcpSystem.EventuallyAsync(() => DueOfAsync(id, "reply-by:100%"), due => due == replyBy);

        var until = replyBy.AddDays(2);
        item = await duty.ActAsync(item.Number(), "deadlines/extend", new { deadline = "reply-by", until, reason = "The partner asked for two more days" });
        Assert.Equal(until, item.GetProperty("deadlines").GetProperty("replyBy").GetDateTimeOffset());
        await NcpSystem.EventuallyAsync(() => DueOfAsync(id, "reply-by:100%"), due => due == until);

        await duty.ActAsync(item.Number(), "deadlines/pause", new { reason = "Waiting on the Prosecutor General's Office" });
        await NcpSystem.EventuallyAsync(() => DueOfAsync(id, "reply-by:100%"), due => due is null);
        await duty.ActAsync(item.Number(), "deadlines/extend", new { deadline = "reply-by", until = until.AddDays(1), reason = "x" }, expected: System.Net.HttpStatusCode.Conflict);

        item = await duty.ActAsync(item.Number(), "deadlines/resume");
        var resumedReplyBy = item.GetProperty("deadlines").GetProperty("replyBy").GetDateTimeOffset();
        Assert.True(resumedReplyBy >= until);
        await NcpSystem.EventuallyAsync(() => DueOfAsync(id, "reply-by:100%"), due => due == resumedReplyBy);
    }

    private Task<DateTimeOffset?> DueOfAsync(Guid item, string step) => DueOfAsync(ncp, item, step);

    /// <summary>When the Worker will wake the item for <paramref name="step"/>; null when nothing is pending.</summary>
    internal static async Task<DateTimeOffset?> DueOfAsync(NcpSystem ncp, Guid item, string step)
    {
        var due = await ncp.QueryAsync<DateTime?>(
            $"select due_at from {ncp.WorkerSchema}.timers where item_id = @i and step = @s and fired_at is null",
            ("i", item), ("s", step));
        return due is { } utc ? new DateTimeOffset(utc, TimeSpan.Zero) : null;
    }

    private Task<long> ScheduledAsync(Guid item) =>
        ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers where item_id = @i", ("i", item));

    private Task<long> PendingAsync(Guid item) =>
        ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers where item_id = @i and fired_at is null", ("i", item));
}

/// <summary>
/// The clock follows events, on a simulated clock through the real servers: what was acknowledged or answered gets no
/// reminder from the rungs that waited for it, and a reopened item is scheduled again. A twin item left alone shows the
/// rungs did come due meanwhile.
/// </summary>
[Collection(FollowingClockCollection.Name)]
public sealed class FollowingEscalationFlowTests(SimulatedNcp ncp)
{
    private const string Acknowledge = "acknowledge-by:100%";

    [Fact]
    public async Task An_acknowledged_request_gets_no_acknowledge_reminder_an_answered_one_no_reply_reminder_and_reopening_schedules_again()
    {
        // Tokens are issued on the simulated clock and checked on the real one: both clients are made before it moves.
        var (duty, supervisor) = (ncp.ClientFor("duty"), ncp.ClientFor("supervisor"));
        var start = ncp.Clock.GetUtcNow();
        var followed = await SendAsync(duty);
        var alone = await SendAsync(duty);
        var (followedId, aloneId) = (followed.GetProperty("id").GetGuid(), alone.GetProperty("id").GetGuid());
        var ladder = followed.GetProperty("deadlines").GetProperty("steps").EnumerateArray().Select(s => s.Str("name")).ToArray();
        // The first events of a fresh host wait for its event log's subscription to start.
        await NcpSystem.EventuallyAsync(
            async () => (await PendingAsync(followedId), await PendingAsync(aloneId)), n => n == (ladder.Length, ladder.Length),
            TimeSpan.FromMinutes(2));

        // The partner confirms receipt within the hour: the acknowledge rung leaves the Worker's clock.
        await AdvanceToAsync(start.AddHours(1));
        followed = await duty.ActAsync(followed.Number(), "acknowledge", new { partnerReference = "BKA-77" });
        await NcpSystem.EventuallyAsync(() => PendingAsync(followedId), n => n == ladder.Length - 1);

        // Past acknowledge-by: the twin's partner is reminded, ours is not.
        await AdvanceToAsync(followed.GetProperty("deadlines").GetProperty("acknowledgeBy").GetDateTimeOffset());
        await NcpSystem.EventuallyAsync(() => RemindersAsync(aloneId), n => n == 1);
        Assert.Equal(0L, await RemindersAsync(followedId));

        // The full answer: every reply rung leaves too; past reply-by the twin is reminded again (80 %), ours never.
        followed = await duty.ActAsync(followed.Number(), "answers", new { extent = "full", summary = "Preserved; reference BKA-77" });
        await NcpSystem.EventuallyAsync(() => PendingAsync(followedId), n => n == 0);
        await AdvanceToAsync(followed.GetProperty("deadlines").GetProperty("replyBy").GetDateTimeOffset());
        await NcpSystem.EventuallyAsync(() => EscalatedAsync(aloneId), n => n.Contains("reply-by:100%"));
        await NcpSystem.EventuallyAsync(() => RemindersAsync(aloneId), n => n == 2);
        Assert.Equal(0L, await RemindersAsync(followedId));
        Assert.Empty(await EscalatedAsync(followedId));

        // Withdrawn, the twin's clock stops; reopened, it starts again from the reopening, every rung scheduled anew.
        await duty.ActAsync(alone.Number(), "withdraw", new { reason = "Sent to the wrong unit" });
        await NcpSystem.EventuallyAsync(() => PendingAsync(aloneId), n => n == 0);
        var reopened = await supervisor.ActAsync(alone.Number(), "reopen", new { reason = "It was the right unit after all" });
        var reopenedAt = ncp.Clock.GetUtcNow();
        Assert.Equal(reopenedAt, reopened.GetProperty("deadlines").GetProperty("start").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        var acknowledgeBy = reopened.GetProperty("deadlines").GetProperty("acknowledgeBy").GetDateTimeOffset();
        await NcpSystem.EventuallyAsync(() => EscalationFlowTests.DueOfAsync(ncp, aloneId, Acknowledge), due => due == acknowledgeBy);
        // The rungs come back to the Worker as separate messages: the acknowledge rung may be there before the others.
        await NcpSystem.EventuallyAsync(() => PendingAsync(aloneId), n => n == ladder.Length);
        await AdvanceToAsync(acknowledgeBy);
        await NcpSystem.EventuallyAsync(() => RemindersAsync(aloneId), n => n == 3);

        // The answered item, closed and reopened, waits for nothing: nothing is scheduled.
        await duty.ActAsync(followed.Number(), "close", new { reason = "Preserved" });
        var answered = await supervisor.ActAsync(followed.Number(), "reopen", new { reason = "Check the reference" });
        Assert.Equal("answered", answered.Str("status"));
        Assert.Equal(0L, await PendingAsync(followedId));
    }

    // An urgent 24/7 preservation: acknowledged within 4 h, done within a day; its ladder waits for both.
    private static async Task<System.Text.Json.JsonElement> SendAsync(HttpClient client)
    {
        var body = ItemsApi.OutgoingRequest(subject: $"Preserve the account {Guid.NewGuid():N}");
        body["requestedData"] = new System.Text.Json.Nodes.JsonArray("preservation");
        return await client.ActAsync((await client.RegisterAsync(body)).Number(), "send");
    }

    /// <summary>Moves the shared clock to <paramref name="at"/> and waits until the Worker fired every wake-up due by then.</summary>
    private async Task AdvanceToAsync(DateTimeOffset at)
    {
        ncp.Clock.Advance(at - ncp.Clock.GetUtcNow());
        // A nap begun before the jump would wait for the next one: real time flows, simulated time jumps.
        ncp.Worker.Services.GetRequiredService<Ncp.Worker.Timers.TimerLoop>().Nudge();
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>(
                $"select count(*) from {ncp.WorkerSchema}.timers where fired_at is null and due_at <= @at", ("at", at)),
            n => n == 0);
    }

    // The ladder's rungs only: a preservation's expiry rung comes and goes with its term, not with these rules.
    private Task<long> PendingAsync(Guid item) =>
        ncp.QueryAsync<long>(
            $"select count(*) from {ncp.WorkerSchema}.timers where item_id = @i and fired_at is null and step <> @expiry",
            ("i", item), ("expiry", Ncp.Api.Cases.Chaining.Preservations.ExpiringStep));

    private Task<long> RemindersAsync(Guid item) =>
        ncp.QueryAsync<long>(
            $"select count(*) from {ncp.WorkerSchema}.dispatches where item_id = @i and purpose = 'reminder'", ("i", item));

    private async Task<string[]> EscalatedAsync(Guid item) =>
        [.. (await ncp.QueryRowsAsync(
                $"select data->>'Step' from {ncp.ApiSchema}.mt_events where stream_id = @i and type = 'deadline_escalated'", ("i", item)))
            .Select(r => (string)r[0]!)];
}

/// <summary>
/// A simulated clock of its own: beside the simulated year its tokens would be issued a year ahead of the real clock
/// that checks them (401), whichever test ran first.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FollowingClockCollection : ICollectionFixture<SimulatedNcp>
{
    public const string Name = "simulated-following-clock";
}
