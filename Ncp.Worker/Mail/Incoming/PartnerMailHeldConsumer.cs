using MassTransit;
using Ncp.Contracts.Mail;
using Ncp.Conventions;
using Ncp.Worker.Infrastructure.Observability;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// Holds in quarantine a mail the Api would not file (a new item from a sender nothing proves, or over the partner's
/// quota), so that an officer's release or rejection reaches it like any held mail. Idempotent: only a delivered mail is
/// held, so a second delivery finds it held already and does nothing.
/// </summary>
public sealed class PartnerMailHeldConsumer(InboundStore store, ILogger<PartnerMailHeldConsumer> logger) : IConsumer<PartnerMailHeld>
{
    public async Task Consume(ConsumeContext<PartnerMailHeld> context)
    {
        var m = context.Message;
        switch (await store.HoldAsync(m.InboundId, m.Reason, m.Detail, context.CancellationToken))
        {
            case "delivered":
                WorkerMetrics.MailQuarantined(m.Reason);
                logger.LogWarning("Mail {InboundId} held at the Api's word: {Reason}: {Detail}", m.InboundId, m.Reason, m.Detail);
                break;
            case "new":
                // Handed over before its judgement was written down (the batch is marked after all of it is judged):
                // thrown, so the retry finds it delivered.
                throw new InvalidOperationException($"Mail {m.InboundId} is still being judged; holding it is tried again.");
            case var status:
                logger.LogInformation("Hold of mail {InboundId} ignored: the mail is {Status}", m.InboundId, status ?? "unknown");
                break;
        }
    }
}

public sealed class PartnerMailHeldConsumerDefinition() : RetryingConsumerDefinition<PartnerMailHeldConsumer>;
