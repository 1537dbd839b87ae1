using Marten;
using JasperFx;
using Ncp.Api.Infrastructure.Observability;
using Npgsql;

namespace Ncp.Api.Cases.Registering;

/// <summary>A retried creating POST: the Idempotency-Key it carried, scoped to the caller, and what it created.</summary>
public sealed record IdempotentRequest(string Id, string RequestHash, Guid ItemId, DateTimeOffset At);

/// <summary>The same Idempotency-Key came with a different body: a client bug that must not create a second item.</summary>
public sealed class IdempotencyKeyReused() : Exception(
    "This Idempotency-Key was already used for a different request. Use a new key for a new request.");

public sealed record Registration(WorkItemKind Kind, Direction Direction, ItemFields Fields, Actor By, string? IdempotencyKey, string RequestHash);

/// <summary>
/// Registers items: the year's next register number, the registering event, and (when the client sent one) the
/// Idempotency-Key, all in one transaction, so a failure returns the number and a retry creates nothing new.
/// </summary>
public sealed class Registrar(IDocumentStore store, NpgsqlDataSource dataSource, RegisterNumbers numbers, TimeProvider time)
{
    /// <param name="alongside">More to append in the same transaction (a forward records itself on the source item).</param>
    public async Task<(ItemDetails Item, bool Replayed)> RegisterAsync(
        Registration registration, Func<IDocumentSession, Guid, string, DateTimeOffset, Task>? alongside, CancellationToken ct)
    {
        var scopedKey = registration.IdempotencyKey is { } key ? $"{registration.By.Id}:{key}" : null;
        if (scopedKey is not null && await ReplayAsync(scopedKey, registration.RequestHash, ct) is { } replayed)
        {
            return (replayed, true);
        }

        var now = time.GetUtcNow();
        var itemId = Guid.CreateVersion7(now);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var number = await numbers.NextAsync(transaction, now, ct);
            var events = WorkItemDecider.Decide(
                WorkItem.Initial,
                new RegisterItem(itemId, number, registration.Kind, registration.Direction, registration.Fields, registration.By),
                now);

            await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction)))
            {
                EventLogTracing.Stamp(session);
                session.Events.StartStream<WorkItem>(itemId, events);
                if (scopedKey is not null)
                {
                    session.Insert(new IdempotentRequest(scopedKey, registration.RequestHash, itemId, now));
                }

                if (alongside is not null)
                {
                    await alongside(session, itemId, number, now);
                }

                await session.SaveChangesAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }
        catch (Exception e) when (scopedKey is not null && IsDuplicate(e))
        {
            // Two copies of the same request raced; the other one committed first.
            return (await ReplayAsync(scopedKey, registration.RequestHash, ct) ?? throw new InvalidOperationException("Idempotency record vanished.", e), true);
        }

        await using var query = store.QuerySession();
        return (await query.LoadAsync<ItemDetails>(itemId, ct) ?? throw new InvalidOperationException($"Item {itemId} was not projected."), false);
    }

    private async Task<ItemDetails?> ReplayAsync(string scopedKey, string requestHash, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var prior = await query.LoadAsync<IdempotentRequest>(scopedKey, ct);
        if (prior is null)
        {
            return null;
        }

        return prior.RequestHash == requestHash
            ? await query.LoadAsync<ItemDetails>(prior.ItemId, ct)
            : throw new IdempotencyKeyReused();
    }

    private static bool IsDuplicate(Exception e) =>
        e is DocumentAlreadyExistsException || e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
        || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
