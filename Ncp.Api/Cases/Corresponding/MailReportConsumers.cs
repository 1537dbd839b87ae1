using Marten;
using MassTransit;
using Ncp.Api.Partners;
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

/// <summary>
/// Records on the item a mail server's report that our mail failed or is delayed, with where else the directory says the
/// partner can be reached. Idempotent: the report's inbound id is recorded on the item, and a repeat records nothing.
/// </summary>
public sealed class PartnerMailBouncedConsumer(IDocumentStore store, ItemStore items, ILogger<PartnerMailBouncedConsumer> logger)
    : IConsumer<PartnerMailBounced>
{
    public async Task Consume(ConsumeContext<PartnerMailBounced> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        MailFallback? fallback = null;
        await using (var session = store.QuerySession())
        {
            if (m.Action == "failed" && await session.LoadAsync<ItemDetails>(m.ItemId, ct) is { } item
                && await session.FindPartnerAsync(item.PartnerCode, ct) is { } partner)
            {
                fallback = FallbackOf(partner.Profile, item.Channel, m.Recipients);
            }
        }

        var report = new MailBounced(
            m.ItemId, m.InboundId, m.DispatchId, m.Purpose, m.MessageId, m.Action, m.Recipients, m.AllRecipients, m.Status,
            m.DiagnosticCode,
            m.RemoteMta, fallback, m.ReceivedAt, default);
        if (await items.RunByIdAsync(m.ItemId, new RecordMailBounced(report), ct))
        {
            logger.LogWarning("Item {ItemId}: mail {MessageId} {Action} for {Recipients}: {Reason}", m.ItemId, m.MessageId, m.Action,
                string.Join(", ", m.Recipients), report.Reason());
        }
    }

    /// <summary>The partner's addresses the report did not name, its fallback channel, and its channels other than the item's.</summary>
    public static MailFallback FallbackOf(PartnerProfile profile, Channel itemChannel, string[] failed) => new(
        [.. profile.Addresses.Where(a => !failed.Contains(a, StringComparer.OrdinalIgnoreCase))],
        profile.FallbackChannel is { } channel && channel != itemChannel ? channel : null,
        [.. profile.Channels.Where(c => c != itemChannel && c != profile.FallbackChannel)]);
}

public sealed class PartnerMailBouncedConsumerDefinition() : RetryingConsumerDefinition<PartnerMailBouncedConsumer>;

public sealed class PartnerMailSentConsumerDefinition() : RetryingConsumerDefinition<PartnerMailSentConsumer>;

public sealed class PartnerMailNotDeliveredConsumerDefinition() : RetryingConsumerDefinition<PartnerMailNotDeliveredConsumer>;
