using MassTransit;
using Ncp.Contracts.Cases;
using Ncp.Conventions;
using Ncp.Worker.Infrastructure.Database;
using Npgsql;

namespace Ncp.Worker.Notifications;

/// <summary>
/// Keeps each item's channel, and whether it is a compartment, for the digests. Idempotent: a change older than the one
/// recorded changes nothing.
/// </summary>
public sealed class ItemChannelSetConsumer(WorkerDatabase database) : IConsumer<ItemChannelSet>
{
    public async Task Consume(ConsumeContext<ItemChannelSet> context)
    {
        var m = context.Message;
        await using var command = database.DataSource.CreateCommand($"""
            update {database.Schema}.items set channel = $2, restricted = $3, channel_set_at = $4
            where item_id = $1 and (channel_set_at is null or channel_set_at <= $4)
            returning 1
            """);
        command.Parameters.AddWithValue(m.ItemId);
        command.Parameters.AddWithValue(m.Channel);
        command.Parameters.AddWithValue(m.Restricted);
        command.Parameters.AddWithValue(m.ChangedAt);
        if (await command.ExecuteScalarAsync(context.CancellationToken) is null && !await KnownAsync(m.ItemId, context.CancellationToken))
        {
            // ItemRegistered comes on another queue and can be second; the retry waits for it, so the channel it
            // brings (the one at registration) cannot overwrite this later one.
            throw new InvalidOperationException($"Item {m.ItemId} is not in the Worker's ledger yet.");
        }
    }

    private async Task<bool> KnownAsync(Guid itemId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"select 1 from {database.Schema}.items where item_id = $1");
        command.Parameters.AddWithValue(itemId);
        return await command.ExecuteScalarAsync(ct) is not null;
    }
}

public sealed class ItemChannelSetConsumerDefinition() : RetryingConsumerDefinition<ItemChannelSetConsumer>;
