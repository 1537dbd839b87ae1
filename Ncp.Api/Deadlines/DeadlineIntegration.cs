using JasperFx.Events;
using Marten;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Contracts.Deadlines;

namespace Ncp.Api.Deadlines;

/// <summary>
/// The Worker's clock follows the item's deadlines: one wake-up per rung when they are set or moved, all cancelled when
/// the item stops, those of the rungs nothing waits for any more when it is acknowledged or answered; a rung reached
/// goes out as an escalation, told with the item's number and subject.
/// </summary>
public sealed class DeadlineIntegration(Compartments compartments) : IIntegrationEvents
{
    public async ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct) => @event.Data switch
    {
        DeadlinesSet e => [.. e.Deadlines.Steps.Select(s => new WakeUpRequested(e.ItemId, s.Name, s.DueAt, e.At))],
        DeadlineExtended e => [.. e.Rescheduled.Select(s => new WakeUpRequested(e.ItemId, s.Name, s.DueAt, e.At))],
        DeadlinesResumed e => [.. e.Rescheduled.Select(s => new WakeUpRequested(e.ItemId, s.Name, s.DueAt, e.At))],
        DeadlinesPaused e => [new WakeUpCancelled(e.ItemId, "*", e.At)],
        DeadlineRungsCancelled e => [.. e.Steps.Select(s => new WakeUpCancelled(e.ItemId, s, e.At))],
        ItemClosed e => [new WakeUpCancelled(e.ItemId, "*", e.At)],
        ItemWithdrawn e => [new WakeUpCancelled(e.ItemId, "*", e.At)],
        ItemRefused e => [new WakeUpCancelled(e.ItemId, "*", e.At)],
        DeadlineEscalated e => [await EscalationOfAsync(@event, e, operations, compartments, ct)],
        _ => [],
    };

    private static async Task<object> EscalationOfAsync(
        IEvent @event, DeadlineEscalated e, IDocumentOperations operations, Compartments compartments, CancellationToken ct)
    {
        var item = await operations.LoadAsync<ItemDetails>(e.ItemId, ct);
        return new EscalationRaised(
            @event.Id, e.ItemId, item?.RegisterNumber ?? "", item?.Subject ?? "", item?.PartnerCode ?? "",
            item is null ? "" : ApiEnum<Channel>.NameOf(item.Channel), item is null ? "" : ApiEnum<Priority>.NameOf(item.Priority),
            e.Step, e.DueAt, [.. e.Notify.Select(ApiEnum<Recipient>.NameOf)], item?.AssignedToId, e.RemindPartner,
            ApiEnum<SuggestedAction>.NameOf(e.Suggest), e.At,
            // An item not found is told as restricted: to cleared people only, never to more than may see it.
            item is null || compartments.IsRestricted(item.Channel));
    }
}
