using MassTransit;
using Ncp.Contracts.Cases;
using Ncp.Worker.Infrastructure.Database;
using Npgsql;
using Ncp.Conventions;

namespace Ncp.Worker.Notifications;

/// <summary>
/// Keeps the assignee of each item for the digests. Idempotent, and an older assignment never overwrites a newer one.
/// ItemRegistered travels on another queue and may come second: the assignment then waits in pending_assignments and
/// <see cref="Mail.Outgoing.ItemRegisteredConsumer"/> applies it when it records the item.
/// </summary>
public sealed class ItemAssignedConsumer(WorkerDatabase database) : IConsumer<ItemAssigned>
{
    public async Task Consume(ConsumeContext<ItemAssigned> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            select pg_advisory_xact_lock({ItemLock.Key});
            update {database.Schema}.items set assigned_officer_id = @officer, assigned_at = @at
            where item_id = @item and (assigned_at is null or assigned_at < @at);
            insert into {database.Schema}.pending_assignments (item_id, officer_id, assigned_at)
            select @item, @officer, @at
            where not exists (select 1 from {database.Schema}.items where item_id = @item)
            on conflict (item_id) do update set officer_id = excluded.officer_id, assigned_at = excluded.assigned_at
            where pending_assignments.assigned_at < excluded.assigned_at;
            """, connection, transaction);
        command.Parameters.AddWithValue("item", m.ItemId);
        command.Parameters.AddWithValue("officer", m.OfficerId);
        command.Parameters.AddWithValue("at", m.AssignedAt);
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }
}

public sealed class ItemAssignedConsumerDefinition() : RetryingConsumerDefinition<ItemAssignedConsumer>;
