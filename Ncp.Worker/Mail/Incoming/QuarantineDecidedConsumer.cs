using MassTransit;
using Ncp.Contracts.Mail;
using Ncp.Conventions;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// Carries out an officer's decision on a quarantined mail: a released mail is processed again with its faults written on
/// it, a rejected one stays stored as rejected. A decision delivered twice acts once (the mail is no longer in quarantine).
/// </summary>
public sealed class QuarantineDecidedConsumer(InboundStore store, InboundProcessor processor, ILogger<QuarantineDecidedConsumer> logger) : IConsumer<QuarantineDecided>
{
    public async Task Consume(ConsumeContext<QuarantineDecided> context)
    {
        var decision = context.Message;
        var mail = await store.FindAsync(decision.InboundId, context.CancellationToken);
        if (mail is null || mail.Status != "quarantined")
        {
            logger.LogInformation("Quarantine decision for {InboundId} ignored: the mail is {Status}", decision.InboundId, mail?.Status ?? "unknown");
            return;
        }

        if (decision.Released)
        {
            // Published before the status changes: if we die in between, the decision comes again and the Api's
            // idempotency on the mail's id makes the second hand-over a no-op.
            await processor.ReleaseAsync(mail, new Release(decision.DecidedBy, decision.PartnerCode), context.CancellationToken);
        }

        await store.DecideAsync(mail.Id, decision.Released ? "released" : "rejected", $"{(decision.Released ? "released" : "rejected")} by {decision.DecidedBy}: {decision.Reason}",
            context.CancellationToken);
    }
}

public sealed class QuarantineDecidedConsumerDefinition() : RetryingConsumerDefinition<QuarantineDecidedConsumer>;
