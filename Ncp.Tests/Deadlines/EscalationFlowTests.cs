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

    private async Task<DateTimeOffset?> DueOfAsync(Guid item, string step)
    {
        var due = await ncp.QueryAsync<DateTime?>(
            $"select due_at from {ncp.WorkerSchema}.timers where item_id = @i and step = @s and fired_at is null", ("i", item), ("s", step));
        return due is { } utc ? new DateTimeOffset(utc, TimeSpan.Zero) : null;
    }

    private Task<long> ScheduledAsync(Guid item) =>
        ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers where item_id = @i", ("i", item));

    private Task<long> PendingAsync(Guid item) =>
        ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers where item_id = @i and fired_at is null", ("i", item));
}
