using System.Security.Claims;
using Marten;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Cases.Linking;

/// <summary>
/// Links are shown from both ends, and either end may be in a channel the reader is not cleared for: such a link, and the
/// timeline lines naming that item, are left out, so that an uncleared reader learns nothing of it (not even its number).
/// </summary>
public static class LinkVisibility
{
    /// <summary>The item with only the links the reader may follow.</summary>
    public static async Task<ItemDetails> WithVisibleLinksAsync(
        this ItemDetails item, IQuerySession session, ClaimsPrincipal user, Compartments compartments, CancellationToken ct)
    {
        var hidden = await HiddenAsync(session, item.Links.Select(l => l.TargetId), user, compartments, ct);
        return hidden.Count == 0 ? item : item with { Links = [.. item.Links.Where(l => !hidden.Contains(l.TargetId))] };
    }

    /// <summary>The timeline without the lines that name an item the reader may not see.</summary>
    public static async Task<ItemTimeline?> WithVisibleLinesAsync(
        this ItemTimeline? timeline, IQuerySession session, ClaimsPrincipal user, Compartments compartments, CancellationToken ct)
    {
        if (timeline is null)
        {
            return null;
        }

        var hidden = await HiddenAsync(session, timeline.Entries.Where(e => e.Other is not null).Select(e => e.Other!.Value), user,
            compartments, ct);
        return hidden.Count == 0
            ? timeline
            : timeline with { Entries = [.. timeline.Entries.Where(e => e.Other is not { } other || !hidden.Contains(other))] };
    }

    // The other items' channels as they stand now (a draft may have moved to another channel since the link was made).
    private static async Task<IReadOnlySet<Guid>> HiddenAsync(
        IQuerySession session, IEnumerable<Guid> others, ClaimsPrincipal user, Compartments compartments, CancellationToken ct)
    {
        var ids = others.Distinct().ToArray();
        if (ids.Length == 0 || Enum.GetValues<Channel>().All(c => compartments.MaySee(user, c)))
        {
            return new HashSet<Guid>();
        }

        var items = await session.LoadManyAsync<ItemDetails>(ct, ids);
        return items.Where(i => !compartments.MaySee(user, i.Channel)).Select(i => i.Id).ToHashSet();
    }
}
