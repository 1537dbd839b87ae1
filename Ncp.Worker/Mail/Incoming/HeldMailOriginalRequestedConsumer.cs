using MassTransit;
using Ncp.Contracts.Mail;
using Ncp.Conventions;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// Answers the Api's request for a held mail as stored, for an officer to open outside Ncp. Idempotent: it only reads.
/// The Api has checked the officer's policy and compartment and audited the read; the gateway only hands the bytes over.
/// </summary>
public sealed class HeldMailOriginalRequestedConsumer(InboundStore store) : IConsumer<HeldMailOriginalRequested>
{
    public async Task Consume(ConsumeContext<HeldMailOriginalRequested> context)
    {
        var asked = context.Message;
        var original = await store.OriginalAsync(asked.InboundId, asked.MaxBytes, context.CancellationToken);
        await context.RespondAsync(new HeldMailOriginal(asked.InboundId, original is not null, original?.Size ?? 0, original?.Raw));
    }
}

public sealed class HeldMailOriginalRequestedConsumerDefinition() : RetryingConsumerDefinition<HeldMailOriginalRequestedConsumer>;
