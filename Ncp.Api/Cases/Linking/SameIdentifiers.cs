using System.Security.Claims;
using Marten;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Cases.Linking;

/// <summary>
/// An item whose identifiers are already in an open item is linked to it, both ways (<see cref="LinkType.SameIdentifiers"/>,
/// with the shared keys): when it is registered (an item a partner's mail opens comes with the identifiers the mail names),
/// when its details change and when it is reopened, asked for from the event log (<see cref="SameIdentifiersIntegration"/>)
/// and at once by the endpoints that answer with the item. Ended items do not count. All channels are searched: the link is recorded for those
/// cleared for both ends and hidden from everyone else (<see cref="LinkVisibility"/>).
/// </summary>
public sealed class SameIdentifiers(IDocumentStore store, Compartments compartments, TimeProvider time, ILogger<SameIdentifiers> logger)
{
    /// <summary>An identifier in many open items (a provider's resolver, say) links to the newest of them only.</summary>
    public const int MaxMatches = 50;

    /// <summary>Links the item as it now is, and answers it as <paramref name="reader"/> may see it.</summary>
    public async Task<ItemDetails> LinkAndReadAsync(ItemDetails item, ClaimsPrincipal reader, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var current = await LinkAsync(item.Id, ct) ? await query.LoadAsync<ItemDetails>(item.Id, ct) ?? item : item;
        return await current.WithVisibleLinksAsync(query, reader, compartments, ct);
    }

    /// <summary>
    /// Links the item to the open items that share its identifiers; whether it linked any. Run after the registration or
    /// change commits, so that it sees every item committed before: a concurrent change only means looking again, and a
    /// crash before it ran is made good by the event log's <see cref="IdentifiersRecorded"/>.
    /// </summary>
    public async Task<bool> LinkAsync(Guid itemId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LinkOnceAsync(itemId, ct);
            }
            catch (Exception e) when (attempt < 5
                && e is JasperFx.ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException)
            {
            }
        }
    }

    private async Task<bool> LinkOnceAsync(Guid itemId, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var item = await session.LoadAsync<ItemDetails>(itemId, ct);
        if (item is not { IsOpen: true, IdentifierKeys.Length: > 0 })
        {
            return false;
        }

        // The GIN index on identifier_keys answers the overlap (&&) without reading other items.
        var others = await session.QueryAsync<ItemDetails>(
            "where d.identifier_keys && ? and d.is_open and d.id <> ? order by d.id desc limit ?", ct, item.IdentifierKeys, itemId,
                MaxMatches);
        if (others.Count == 0)
        {
            return false;
        }

        var matches = others.Select(o => new IdentifierMatch(
            o.Id, o.RegisterNumber, o.Channel, o.PartnerCode, o.HandlingCode, [.. o.IdentifierKeys.Intersect(item.IdentifierKeys,
                StringComparer.Ordinal)]));
        var now = time.GetUtcNow();
        var stream = await session.Events.FetchForWriting<WorkItem>(itemId, ct);
        var events = WorkItemDecider.Decide(stream.Aggregate!, new RecordSameIdentifiers([.. matches]), now);
        if (events.Length == 0)
        {
            return false;
        }

        stream.AppendMany(events);
        await TwoWayLinks.AppendReversesAsync(session, item.RegisterNumber, events, now, ct);
        await session.SaveChangesAsync(ct);
        logger.LogInformation("{RegisterNumber} shares identifiers with {Linked}", item.RegisterNumber,
            string.Join(", ", events.OfType<ItemLinked>().Select(l => l.TargetRegisterNumber)));
        return true;
    }
}
