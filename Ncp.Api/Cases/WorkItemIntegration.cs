using JasperFx.Events;
using Marten;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Messaging;
using Integration = Ncp.Contracts.Cases;

namespace Ncp.Api.Cases;

/// <summary>The Worker hears of new items (for the gateway's copy), of assignments and channels (for notifications).</summary>
public sealed class WorkItemIntegration(Compartments compartments) : IIntegrationEvents
{
    public ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct) =>
        ValueTask.FromResult<IReadOnlyList<object>>(@event.Data switch
        {
            ItemRegistered e =>
            [
                new Integration.ItemRegistered(
                    @event.Id, e.ItemId, e.RegisterNumber, ApiEnum<WorkItemKind>.NameOf(e.Kind), ApiEnum<Direction>.NameOf(e.Direction),
                    e.Fields.PartnerCode, ApiEnum<Channel>.NameOf(e.Fields.Channel), e.Fields.Subject, ApiEnum<Priority>.NameOf(e.Fields.Priority),
                    e.By.Id, e.At, compartments.IsRestricted(e.Fields.Channel)),
            ],
            ItemDetailsChanged e =>
                [new Integration.ItemChannelSet(e.ItemId, ApiEnum<Channel>.NameOf(e.Fields.Channel), compartments.IsRestricted(e.Fields.Channel), e.At)],
            OfficerAssigned e => [new Integration.ItemAssigned(@event.Id, e.ItemId, e.Officer.Id, e.Officer.Name, e.At)],
            _ => [],
        });
}
