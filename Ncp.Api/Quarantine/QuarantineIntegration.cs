using JasperFx.Events;
using Marten;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Contracts.Mail;

namespace Ncp.Api.Quarantine;

/// <summary>
/// An officer's decision on a held mail goes back to the gateway, which keeps the mail; so does a mail the Api held at
/// filing, for the gateway to hold too.
/// </summary>
public sealed class QuarantineIntegration : IIntegrationEvents
{
    public ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct) =>
        ValueTask.FromResult<IReadOnlyList<object>>(@event.Data switch
        {
            MailHeld { HeldByFiling: true } e => [new PartnerMailHeld(e.InboundId, e.Reason, e.Detail, e.At)],
            // Two officers let it through: both names travel with the mail onto the item.
            QuarantineReleased { RequestedBy: { } first } e => [new QuarantineDecided(
                e.InboundId, true, e.PartnerCode, $"{e.RequestReason} (confirmed: {e.Reason})", $"{first.Name}, confirmed by {e.By.Name}", e.At)],
            QuarantineReleased e => [new QuarantineDecided(e.InboundId, true, e.PartnerCode, e.Reason, e.By.Name, e.At)],
            QuarantineRejected e => [new QuarantineDecided(e.InboundId, false, null, e.Reason, e.By.Name, e.At)],
            _ => [],
        });
}
