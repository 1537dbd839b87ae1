using System.Diagnostics;
using MassTransit;
using Ncp.Contracts.Cases;
using Ncp.Worker.Infrastructure.Database;
using Npgsql;
using Ncp.Conventions;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>
/// Takes note of a newly registered item: the mail gateway will dispatch outgoing ones from this ledger. An assignment
/// that arrived first (another queue) is applied now.
/// </summary>
public sealed class ItemRegisteredConsumer(
    Inbox inbox, WorkerDatabase database, TimeProvider time, ILogger<ItemRegisteredConsumer> logger)
    : IConsumer<ItemRegistered>
{
    public async Task Consume(ConsumeContext<ItemRegistered> context)
    {
        var m = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["RegisterNumber"] = m.RegisterNumber,
            ["ItemId"] = m.ItemId,
            ["MessageId"] = m.EventId,
        });

        var first = await inbox.ProcessOnceAsync(nameof(ItemRegisteredConsumer), m.EventId, async (connection, transaction) =>
        {
            await using var insert = new NpgsqlCommand(
                $"""
                select pg_advisory_xact_lock({ItemLock.Key});
                insert into {database.Schema}.items
                    (item_id, register_number, kind, direction, channel, restricted, partner_code, subject, priority, state, registered_at, received_at,
                     trace_id)
                values (@item, @number, @kind, @direction, @channel, @restricted, @partner, @subject, @priority, 'registered', @registered, @received,
                        @trace)
                on conflict (item_id) do nothing;
                update {database.Schema}.items i set assigned_officer_id = p.officer_id, assigned_at = p.assigned_at
                from {database.Schema}.pending_assignments p
                where p.item_id = @item and i.item_id = @item and (i.assigned_at is null or i.assigned_at < p.assigned_at);
                delete from {database.Schema}.pending_assignments where item_id = @item;
                """,
                connection,
                transaction);
            insert.Parameters.AddWithValue("item", m.ItemId);
            insert.Parameters.AddWithValue("number", m.RegisterNumber);
            insert.Parameters.AddWithValue("kind", m.Kind);
            insert.Parameters.AddWithValue("direction", m.Direction);
            insert.Parameters.AddWithValue("channel", m.Channel);
            insert.Parameters.AddWithValue("restricted", m.Restricted);
            insert.Parameters.AddWithValue("partner", m.PartnerCode);
            insert.Parameters.AddWithValue("subject", m.Subject);
            insert.Parameters.AddWithValue("priority", m.Priority);
            insert.Parameters.AddWithValue("registered", m.RegisteredAt);
            insert.Parameters.AddWithValue("received", time.GetUtcNow());
            insert.Parameters.AddWithValue("trace", (object?)Activity.Current?.TraceId.ToString() ?? DBNull.Value);
            await insert.ExecuteNonQueryAsync(context.CancellationToken);
        }, context.CancellationToken);

        if (first)
        {
            logger.LogInformation("{Direction} {Kind} {RegisterNumber} ({PartnerCode}) is in the Worker's ledger", m.Direction, m.Kind, m.RegisterNumber, m.PartnerCode);
        }
        else
        {
            logger.LogInformation("Item {RegisterNumber}: message {MessageId} seen before; nothing to do", m.RegisterNumber, m.EventId);
        }
    }
}

public sealed class ItemRegisteredConsumerDefinition() : RetryingConsumerDefinition<ItemRegisteredConsumer>;
