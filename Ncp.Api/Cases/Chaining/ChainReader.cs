using System.Text.Json;
using Marten;

namespace Ncp.Api.Cases.Chaining;

/// <summary>
/// Finds the chain an item belongs to: the items joined to it by follow-up links, whichever end recorded the link, up to
/// <see cref="MaxSteps"/>. Items the reader may not see are left out, and the chain is not followed through them.
/// </summary>
public static class ChainReader
{
    public const int MaxSteps = 24;

    public static async Task<IReadOnlyList<ChainFacts>> ReadAsync(
        IQuerySession session, Guid start, Func<ItemDetails, bool> maySee, CancellationToken ct)
    {
        var found = new Dictionary<Guid, ChainFacts>();
        var frontier = new List<Guid> { start };
        var seen = new HashSet<Guid> { start };
        while (frontier.Count > 0 && found.Count < MaxSteps)
        {
            var items = await session.LoadManyAsync<ItemDetails>(ct, frontier);
            var members = (await session.LoadManyAsync<ChainMember>(ct, frontier)).ToDictionary(m => m.Id);
            var next = new List<Guid>();
            foreach (var item in items.Where(maySee).Take(MaxSteps - found.Count))
            {
                var member = members.GetValueOrDefault(item.Id);
                found[item.Id] = new ChainFacts(item, member);
                var forward = item.Links.Where(l => l.Type == LinkType.FollowUp).Select(l => l.TargetId);
                var backward = await NamingAsync(session, item.Id, ct);
                next.AddRange(forward.Concat(backward).Where(seen.Add));
            }

            frontier = next;
        }

        return ChainRules.Order(found.Values);
    }

    /// <summary>The items that name this one as a follow-up (the link recorded at their end); the GIN index answers it.</summary>
    private static async Task<IEnumerable<Guid>> NamingAsync(IQuerySession session, Guid id, CancellationToken ct)
    {
        var containing = JsonSerializer.Serialize(new { FollowUps = new[] { id } });
        var members = await session.QueryAsync<ChainMember>("where data @> ?::jsonb", ct, containing);
        return members.Select(m => m.Id);
    }

    /// <summary>
    /// What the preservation-expiring rung of <paramref name="preservation"/> must know: the follow-up of its chain, seen by the
    /// system (all channels), whose expected answer falls after the expiry; null when the chain holds.
    /// </summary>
    public static async Task<RecordPreservationExpiring> ExpiringAsync(
        IQuerySession session, Guid preservation, DateTimeOffset dueAt, CancellationToken ct)
    {
        var chain = await ReadAsync(session, preservation, _ => true, ct);
        var number = chain.FirstOrDefault(s => s.Item.Id == preservation)?.Item.RegisterNumber;
        var outlasted = ChainRules.Warnings(chain).FirstOrDefault(w => w.Preservation == number);
        return new RecordPreservationExpiring(dueAt, outlasted?.FollowUp);
    }
}
