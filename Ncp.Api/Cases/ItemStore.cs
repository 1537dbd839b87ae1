using System.Security.Claims;
using Marten;
using Ncp.Api.Cases.Linking;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Observability;

namespace Ncp.Api.Cases;

/// <summary>An item the caller may not see is the same as no item: its existence is not revealed.</summary>
public sealed class ItemNotFound(string number) : Exception($"No item has the register number '{number}'.")
{
    public string Number { get; } = number;
}

/// <summary>
/// Runs one command against one item: finds it by register number within the caller's compartments, loads its
/// stream at the version the caller saw (If-Match), decides, appends and returns the updated read model.
/// </summary>
public sealed class ItemStore(IDocumentStore store, Compartments compartments, TimeProvider time)
{
    public async Task<ItemDetails?> FindAsync(IQuerySession session, string number, ClaimsPrincipal user, CancellationToken ct)
    {
        var item = await session.QueryAsync(new ItemByNumber { Number = number }, ct);
        return item is not null && compartments.MaySee(user, item.Channel)
            ? await item.WithVisibleLinksAsync(session, user, compartments, ct)
            : null;
    }

    public async Task<ItemDetails> FindOrThrowAsync(IQuerySession session, string number, ClaimsPrincipal user, CancellationToken ct) =>
        await FindAsync(session, number, user, ct) ?? throw new ItemNotFound(number);

    /// <summary>A command from the system itself (no caller, no compartment); returns whether it recorded anything.</summary>
    /// <summary>
    /// Runs a command the system records (the gateway's reports, a rung reached) on the item's latest state: something
    /// appended meanwhile (a reply beside this one, an officer's note) only means deciding again.
    /// </summary>
    public async Task<bool> RunByIdAsync(Guid itemId, object command, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunByIdOnceAsync(itemId, command, ct);
            }
            catch (Exception e) when (attempt < 5 && (IsConflict(e) || Infrastructure.Marten.Postgres.IsTransientConflict(e)))
            {
            }
        }
    }

    private static bool IsConflict(Exception e) => e is JasperFx.ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException;

    private async Task<bool> RunByIdOnceAsync(Guid itemId, object command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<WorkItem>(itemId, ct);
        if (stream.Aggregate is null)
        {
            return false;
        }

        var events = WorkItemDecider.Decide(stream.Aggregate, command, time.GetUtcNow());
        if (events.Length == 0)
        {
            return false;
        }

        stream.AppendMany(events);
        await session.SaveChangesAsync(ct);
        return true;
    }

    public async Task<ItemDetails> RunAsync(string number, long? expectedVersion, ClaimsPrincipal user, object command, CancellationToken ct)
    {
        // Without If-Match the caller asked for no version check; a concurrent append (an escalation recorded by the
        // system, say) only means deciding again on the newer state.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunOnceAsync(number, expectedVersion, user, command, ct);
            }
            // A deadlock's victim kept nothing: run again, If-Match or not (the version asked for is still the one to check).
            catch (Exception e) when (attempt < 5 && (expectedVersion is null && IsConflict(e) || Infrastructure.Marten.Postgres.IsTransientConflict(e)))
            {
            }
        }
    }

    private async Task<ItemDetails> RunOnceAsync(string number, long? expectedVersion, ClaimsPrincipal user, object command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        EventLogTracing.Stamp(session);
        var item = await FindOrThrowAsync(session, number, user, ct);

        var stream = expectedVersion is { } version
            ? await session.Events.FetchForWriting<WorkItem>(item.Id, version, ct)
            : await session.Events.FetchForWriting<WorkItem>(item.Id, ct);
        try
        {
            var now = time.GetUtcNow();
            var events = WorkItemDecider.Decide(stream.Aggregate ?? WorkItem.Initial, command, now);
            stream.AppendMany(events);
            await TwoWayLinks.AppendReversesAsync(session, item.RegisterNumber, events, now, ct);
        }
        catch (RecordedRefusal refusal)
        {
            stream.AppendOne(refusal.Recorded);
            await session.SaveChangesAsync(ct);
            throw;
        }

        await session.SaveChangesAsync(ct);
        return await (await session.LoadAsync<ItemDetails>(item.Id, ct) ?? item).WithVisibleLinksAsync(session, user, compartments, ct);
    }
}
