using MassTransit;
using Ncp.Contracts.Mail;
using Ncp.Conventions;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>Puts a mail the Api asked for into the dispatch ledger (once, whatever the deliveries) and wakes the sender.</summary>
public sealed class PartnerMailRequestedConsumer(DispatchLedger ledger, DispatchLoop sender, ILogger<PartnerMailRequestedConsumer> logger) : IConsumer<PartnerMailRequested>
{
    public async Task Consume(ConsumeContext<PartnerMailRequested> context)
    {
        var request = context.Message;
        if (await ledger.RecordAsync(request, context.CancellationToken))
        {
            logger.LogInformation("{Purpose} mail for {RegisterNumber} to {PartnerCode} queued as {DispatchId}", request.Purpose, request.RegisterNumber, request.PartnerCode, request.DispatchId);
            sender.Nudge();
        }
    }
}

public sealed class PartnerMailRequestedConsumerDefinition() : RetryingConsumerDefinition<PartnerMailRequestedConsumer>;
