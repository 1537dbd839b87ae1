using JasperFx.Events;
using Marten;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Contracts.Partners;

namespace Ncp.Api.Partners;

/// <summary>The gateway keeps its own copy of the directory and of partners' keys: each change goes out as it stands now.</summary>
public sealed class PartnerIntegration : IIntegrationEvents
{
    public async ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct)
    {
        if (@event.Data is not (PartnerRegistered or PartnerProfileChanged or PartnerDeactivated or PartnerReactivated or PlaintextMailAllowed
            or PlaintextMailDisallowed or PartnerKeyImported or PartnerKeyRemoved)
            || await operations.LoadAsync<PartnerDirectoryEntry>(@event.StreamId, ct) is not { } partner)
        {
            return [];
        }

        return @event.Data switch
        {
            PartnerKeyImported k => [new Contracts.Partners.PartnerKeyImported(@event.Id, partner.Code, k.Scheme, k.Fingerprint, k.Material, k.NotAfter, k.At)],
            PartnerKeyRemoved k => [new Contracts.Partners.PartnerKeyRemoved(partner.Code, k.Fingerprint, k.At)],
            _ =>
            [
                new PartnerDirectoryChanged(
                    partner.Code, partner.Profile.Addresses, partner.Profile.Languages, ApiEnum<Encryption>.NameOf(partner.Profile.Encryption),
                    partner.PlaintextOverride is not null, partner.Active, @event.Timestamp, Keys.TrustedRoots.Der(partner.Profile)),
            ],
        };
    }
}
