using Marten;

namespace Ncp.Api.Cases.Linking;

/// <summary>
/// A link lives on the stream of the item that made it; the other item records <see cref="ItemLinkedFrom"/> on its own
/// stream in the same transaction, so each shows the link from its end with one read and its timeline tells when.
/// </summary>
public static class TwoWayLinks
{
    public static async Task AppendReversesAsync(IDocumentSession session, string sourceNumber, IEnumerable<object> events,
        DateTimeOffset now, CancellationToken ct)
    {
        foreach (var link in events.OfType<ItemLinked>())
        {
            var target = await session.Events.FetchForWriting<WorkItem>(link.TargetId, ct);
            if (target.Aggregate is { } state)
            {
                target.AppendMany(WorkItemDecider.Decide(state, ReverseOf(link, sourceNumber), now));
            }
        }
    }

    /// <summary>What the target of <paramref name="link"/> records about it.</summary>
    public static RecordLinkFrom ReverseOf(ItemLinked link, string sourceNumber) =>
        new(link.ItemId, sourceNumber, link.Type, link.By, link.SharedKeys);
}
