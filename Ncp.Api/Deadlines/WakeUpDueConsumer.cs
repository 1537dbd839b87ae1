using Marten;
using MassTransit;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Chaining;
using Ncp.Contracts.Deadlines;
using Ncp.Conventions;

namespace Ncp.Api.Deadlines;

/// <summary>Records a reached rung of the ladder. Idempotent: the decider records each rung of an item once.</summary>
public sealed class WakeUpDueConsumer(ItemStore items, IDocumentStore store, ILogger<WakeUpDueConsumer> logger) : IConsumer<WakeUpDue>
{
    public async Task Consume(ConsumeContext<WakeUpDue> context)
    {
        var m = context.Message;
        var escalated = await items.RunByIdAsync(m.ItemId, await CommandOfAsync(m, context.CancellationToken), context.CancellationToken);
        if (escalated)
        {
            logger.LogInformation("Item {ItemId} reached {Step} ({Lateness} ms after it was due)", m.ItemId, m.Step, (m.FiredAt - m.DueAt).TotalMilliseconds);
        }
    }

    // A preservation's expiry is told only when its chain needs the data longer: that is read from the chain as it now stands.
    private async Task<object> CommandOfAsync(WakeUpDue m, CancellationToken ct)
    {
        if (m.Step != Preservations.ExpiringStep)
        {
            return new RecordEscalation(m.Step, m.DueAt);
        }

        await using var session = store.QuerySession();
        return await ChainReader.ExpiringAsync(session, m.ItemId, m.DueAt, ct);
    }
}

public sealed class WakeUpDueConsumerDefinition() : RetryingConsumerDefinition<WakeUpDueConsumer>
{
    // Rungs of one item are recorded one after another, in the order the Worker fired them (its due order). The
    // partitioner comes before the retry so that a retry keeps its place: a later rung cannot overtake one being retried.
    protected override void Configure(IReceiveEndpointConfigurator endpoint) =>
        endpoint.UsePartitioner<WakeUpDue>(endpoint.CreatePartitioner(8), c => c.Message.ItemId);
}
