using MassTransit;
using Ncp.Contracts.Cases;
using Ncp.Worker.Infrastructure.Database;

namespace Ncp.Worker.Notifications;

/// <summary>Keeps the assignee of each item for the digests. Idempotent, and an older assignment never overwrites a newer one.</summary>
public sealed class ItemAssignedConsumer(WorkerDatabase database) : IConsumer<ItemAssigned>
{
    public async Task Consume(ConsumeContext<ItemAssigned> context)
    {
        var m = context.Message;
        await using var command = database.DataSource.CreateCommand($"""
            update {database.Schema}.items set assigned_officer_id = $2, assigned_at = $3
            where item_id = $1 and (assigned_at is null or assigned_at < $3)
            """);
        command.Parameters.AddWithValue(m.ItemId);
        command.Parameters.AddWithValue(m.OfficerId);
        command.Parameters.AddWithValue(m.AssignedAt);
        await command.ExecuteNonQueryAsync(context.CancellationToken);
    }
}
