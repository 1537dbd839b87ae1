using JasperFx.Events;
using Marten;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Contracts.Deadlines;

namespace Ncp.Api.Cases.Chaining;

/// <summary>
/// The Worker's clock follows each preservation's expiry: its rung is asked for when the partner confirms a term, and asked for
/// again when the chain changes (a follow-up linked, sent or given a later reply-by), so that a rung that found the chain
/// holding rings at once if it no longer does. A rung asked for again at the same time only moves nothing.
/// </summary>
public sealed class PreservationIntegration : IIntegrationEvents
{
    public async ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct) =>
        @event.Data switch
        {
            PreservationConfirmed e => [new WakeUpRequested(e.ItemId, Preservations.ExpiringStep, e.WarnAt, e.At)],
            // The item's own clock cancelled everything when it stopped; its term did not stop with it.
            ItemReopened e => await RearmAsync(operations, e.ItemId, e.At, wholeChain: false, ct),
            DeadlinesResumed e => await RearmAsync(operations, e.ItemId, e.At, wholeChain: false, ct),
            ItemLinked { Type: LinkType.FollowUp } e => await RearmAsync(operations, e.ItemId, e.At, wholeChain: true, ct),
            DeadlinesSet e => await RearmAsync(operations, e.ItemId, e.At, wholeChain: true, ct),
            DeadlineExtended e => await RearmAsync(operations, e.ItemId, e.At, wholeChain: true, ct),
            _ => [],
        };

    private static async Task<IReadOnlyList<object>> RearmAsync(
        IDocumentOperations operations, Guid itemId, DateTimeOffset at, bool wholeChain, CancellationToken ct)
    {
        IReadOnlyList<ChainFacts> steps = wholeChain
            ? await ChainReader.ReadAsync(operations, itemId, _ => true, ct)
            : await operations.LoadAsync<ItemDetails>(itemId, ct) is { } item
                ? [new(item, await operations.LoadAsync<ChainMember>(itemId, ct))]
                : [];
        return
        [
            .. from s in steps
               where s.Role == ChainRole.Preservation && !s.Ended && s.Member is { WarnAt: not null } m && m.WarnedFor != m.WarnAt
               select new WakeUpRequested(s.Item.Id, Preservations.ExpiringStep, s.Member!.WarnAt!.Value, at),
        ];
    }
}
