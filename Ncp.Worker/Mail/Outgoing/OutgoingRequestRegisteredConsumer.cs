using System.Diagnostics;
using MassTransit;
using Ncp.Contracts.Cases;
using Ncp.Worker.Infrastructure.Database;
using Npgsql;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>Takes note of a newly registered outgoing request: the mail gateway will dispatch it from this ledger.</summary>
public sealed class OutgoingRequestRegisteredConsumer(
    Inbox inbox, WorkerDatabase database, TimeProvider time, ILogger<OutgoingRequestRegisteredConsumer> logger)
    : IConsumer<OutgoingRequestRegistered>
{
    public async Task Consume(ConsumeContext<OutgoingRequestRegistered> context)
    {
        var m = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["RegisterNumber"] = m.RegisterNumber,
            ["ItemId"] = m.ItemId,
            ["MessageId"] = m.EventId,
        });

        var first = await inbox.ProcessOnceAsync(nameof(OutgoingRequestRegisteredConsumer), m.EventId, async (connection, transaction) =>
        {
            await using var insert = new NpgsqlCommand(
                $"""
                insert into {database.Schema}.outgoing_requests
                    (item_id, register_number, partner_code, subject, priority, state, registered_at, received_at, trace_id)
                values (@item, @number, @partner, @subject, @priority, 'registered', @registered, @received, @trace)
                on conflict (item_id) do nothing
                """,
                connection,
                transaction);
            insert.Parameters.AddWithValue("item", m.ItemId);
            insert.Parameters.AddWithValue("number", m.RegisterNumber);
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
            logger.LogInformation("Outgoing request {RegisterNumber} to {PartnerCode} is in the dispatch ledger", m.RegisterNumber, m.PartnerCode);
        }
        else
        {
            logger.LogInformation("Outgoing request {RegisterNumber}: message {MessageId} seen before; nothing to do", m.RegisterNumber, m.EventId);
        }
    }
}

public sealed class OutgoingRequestRegisteredConsumerDefinition : ConsumerDefinition<OutgoingRequestRegisteredConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<OutgoingRequestRegisteredConsumer> consumer,
        IRegistrationContext context)
    {
        // A database blip should not send the message to the error queue; a real bug still ends there after the retries.
        endpoint.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)));
        endpoint.ConcurrentMessageLimit = 8;
    }
}
