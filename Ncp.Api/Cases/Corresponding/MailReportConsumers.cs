using MassTransit;
using Ncp.Contracts.Mail;
using Ncp.Conventions;

namespace Ncp.Api.Cases.Corresponding;

/// <summary>Records on the item that our mail went out; a repeated report records nothing more.</summary>
public sealed class PartnerMailSentConsumer(ItemStore items, ILogger<PartnerMailSentConsumer> logger) : IConsumer<PartnerMailSent>
{
    public async Task Consume(ConsumeContext<PartnerMailSent> context)
    {
        var m = context.Message;
        if (await items.RunByIdAsync(m.ItemId, new RecordMailDispatched(m.DispatchId, m.Purpose, m.MessageId, m.Protection, m.SentAt), context.CancellationToken))
        {
            logger.LogInformation("Item {ItemId}: mail {MessageId} sent ({Protection})", m.ItemId, m.MessageId, m.Protection);
        }
    }
}

/// <summary>Records on the item that our mail could not be delivered, so officers see it at once.</summary>
public sealed class PartnerMailNotDeliveredConsumer(ItemStore items, ILogger<PartnerMailNotDeliveredConsumer> logger) : IConsumer<PartnerMailNotDelivered>
{
    public async Task Consume(ConsumeContext<PartnerMailNotDelivered> context)
    {
        var m = context.Message;
        if (await items.RunByIdAsync(m.ItemId, new RecordMailNotDelivered(m.DispatchId, m.Purpose, m.Reason, m.Detail, m.Attempts),
            context.CancellationToken))
        {
            logger.LogWarning("Item {ItemId}: mail {DispatchId} not delivered: {Reason}: {Detail}", m.ItemId, m.DispatchId, m.Reason, m.Detail);
        }
    }
}

public sealed class PartnerMailSentConsumerDefinition() : RetryingConsumerDefinition<PartnerMailSentConsumer>;

public sealed class PartnerMailNotDeliveredConsumerDefinition() : RetryingConsumerDefinition<PartnerMailNotDeliveredConsumer>;
