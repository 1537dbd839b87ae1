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
        if (await command.ExecuteNonQueryAsync(context.CancellationToken) == 0 && !await KnownAsync(m.ItemId, context.CancellationToken))
        {
            // ItemRegistered travels on another queue and may come second: retried until the item is known, never lost.
            throw new InvalidOperationException($"Item {m.ItemId} is not known to the Worker yet; its assignment waits for it.");
        }
    }

    private async Task<bool> KnownAsync(Guid itemId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"select exists (select 1 from {database.Schema}.items where item_id = $1)");
        command.Parameters.AddWithValue(itemId);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}

public sealed class ItemAssignedConsumerDefinition : ConsumerDefinition<ItemAssignedConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ItemAssignedConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
}
