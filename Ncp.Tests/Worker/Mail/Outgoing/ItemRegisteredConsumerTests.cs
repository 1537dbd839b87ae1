using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Cases;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Infrastructure.Database;

namespace Ncp.Tests.Worker.Mail.Outgoing;

[Collection(NcpCollection.Name)]
public sealed class ItemRegisteredConsumerTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_same_message_delivered_twice_has_one_effect()
    {
        var consumed = new ConsumeCounter();
        using var _ = ncp.Worker.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);
        var bus = ncp.Api.Services.GetRequiredService<IBus>();
        var message = new ItemRegistered(
            Guid.CreateVersion7(), Guid.CreateVersion7(), $"KZ-NCP-2026-9{Random.Shared.Next(0, 99999):D5}", "request", "outgoing", "NL-CYBER247",
            "24-7", "Preservation of mailbox", "high", "officer-1", DateTimeOffset.UtcNow);

        await bus.Publish(message, c => c.MessageId = message.EventId);
        await bus.Publish(message, c => c.MessageId = message.EventId);

        await NcpSystem.EventuallyAsync(() => Task.FromResult(consumed.Count(message.EventId)), n => n == 2);
        Assert.Equal(1L, await ncp.QueryAsync<long>(
            $"select count(*) from {ncp.WorkerSchema}.items where item_id = @id", ("id", message.ItemId)));
        Assert.Equal(1L, await ncp.QueryAsync<long>(
            $"select count(*) from {ncp.WorkerSchema}.processed_messages where message_id = @id", ("id", message.EventId)));
    }

    [Fact]
    public async Task An_assignment_in_the_Api_reaches_the_workers_view_of_the_item()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        await duty.ActAsync(item.Number(), "assignee", new { officerId = "officer-42", officerName = "Officer 42" });

        var assigned = await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<string>($"select assigned_officer_id from {ncp.WorkerSchema}.items where register_number = @n", ("n", item.Number())),
            officer => officer is not null);
        Assert.Equal("officer-42", assigned);
    }

    // The two travel on different queues: under load the assignment may be read first, and must not be lost.
    [Fact]
    public async Task An_assignment_heard_before_its_item_is_applied_when_the_item_arrives()
    {
        var bus = ncp.Api.Services.GetRequiredService<IBus>();
        var registered = new ItemRegistered(
            Guid.CreateVersion7(), Guid.CreateVersion7(), $"KZ-NCP-2026-8{Random.Shared.Next(0, 99999):D5}", "request", "outgoing", "NL-CYBER247",
            "24-7", "Assigned before it was known", "high", "officer-1", DateTimeOffset.UtcNow);
        var assigned = new ItemAssigned(Guid.CreateVersion7(), registered.ItemId, "officer-77", "Officer 77", DateTimeOffset.UtcNow);

        await bus.Publish(assigned, c => c.MessageId = assigned.EventId);
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.pending_assignments where item_id = @id", ("id", registered.ItemId)), n => n == 1);
        await bus.Publish(registered, c => c.MessageId = registered.EventId);

        var officer = await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<string>($"select assigned_officer_id from {ncp.WorkerSchema}.items where item_id = @id", ("id", registered.ItemId)),
            o => o is not null);
        Assert.Equal("officer-77", officer);
        Assert.Equal(0L, await ncp.QueryAsync<long>(
            $"select count(*) from {ncp.WorkerSchema}.pending_assignments where item_id = @id", ("id", registered.ItemId)));
    }

    [Fact]
    public async Task Two_workers_handling_the_same_message_at_once_have_one_effect()
    {
        var inbox = ncp.Worker.Services.GetRequiredService<Inbox>();
        var messageId = Guid.CreateVersion7();
        var effects = 0;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => inbox.ProcessOnceAsync("concurrency-test", messageId, (_, _) =>
        {
            Interlocked.Increment(ref effects);
            return Task.CompletedTask;
        }, CancellationToken.None)));

        Assert.Equal(1, effects);
        Assert.Single(results, first => first);
    }

    [Fact]
    public async Task Applying_the_worker_migrations_again_changes_nothing()
    {
        var database = ncp.Worker.Services.GetRequiredService<WorkerDatabase>();
        var before = await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.schema_migrations");

        await database.MigrateAsync(CancellationToken.None);

        Assert.Equal(before, await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.schema_migrations"));
        Assert.True(before >= 1);
    }
}
