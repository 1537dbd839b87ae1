using MassTransit;
using Ncp.Api.Cases;
using Ncp.Contracts.Deadlines;
using Ncp.Conventions;

namespace Ncp.Api.Deadlines;

/// <summary>Records a reached rung of the ladder. Idempotent: the decider records each rung of an item once.</summary>
public sealed class WakeUpDueConsumer(ItemStore items, ILogger<WakeUpDueConsumer> logger) : IConsumer<WakeUpDue>
{
    public async Task Consume(ConsumeContext<WakeUpDue> context)
    {
        var m = context.Message;
        var escalated = await items.RunByIdAsync(m.ItemId, new RecordEscalation(m.Step, m.DueAt), context.CancellationToken);
        if (escalated)
        {
            logger.LogInformation("Item {ItemId} reached {Step} ({Lateness} ms after it was due)", m.ItemId, m.Step, (m.FiredAt - m.DueAt).TotalMilliseconds);
        }
    }
}

public sealed class WakeUpDueConsumerDefinition() : RetryingConsumerDefinition<WakeUpDueConsumer>
{
    // Rungs of one item are recorded one after another, in the order the Worker fired them (its due order). The
    // partitioner comes before the retry so that a retry keeps its place: a later rung cannot overtake one being retried.
    protected override void Configure(IReceiveEndpointConfigurator endpoint) =>
        endpoint.UsePartitioner<WakeUpDue>(endpoint.CreatePartitioner(8), c => c.Message.ItemId);
}
