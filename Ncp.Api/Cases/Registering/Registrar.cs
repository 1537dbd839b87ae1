using System.Diagnostics;
using JasperFx;
using Marten;
using Ncp.Api.Infrastructure.Observability;
using Npgsql;

namespace Ncp.Api.Cases.Registering;

/// <summary>A retried creating POST: the Idempotency-Key it carried, scoped to the caller, and what it created.</summary>
public sealed record IdempotentRequest(string Id, string RequestHash, Guid ItemId, DateTimeOffset At, Guid[]? ItemIds = null);

/// <summary>The same Idempotency-Key came with a different body: a client bug that must not create a second item.</summary>
public sealed class IdempotencyKeyReused() : Exception(
    "This Idempotency-Key was already used for a different request. Use a new key for a new request.");

public sealed record Registration(
    WorkItemKind Kind, Direction Direction, ItemFields Fields, Actor By, string? IdempotencyKey, string RequestHash, Deadlines.ItemDeadlines? Deadlines = null);

/// <summary>More to append in the same transaction as a registration (a forward records itself on the source item).</summary>
public delegate Task Alongside(IDocumentSession session, Guid itemId, string registerNumber, DateTimeOffset now);

/// <summary>
/// Registers items with gapless register numbers. A number may only be used by a transaction that commits, so
/// registrations of a year are serialised on the year's counter row; to keep that from capping throughput at one
/// commit per registration, concurrent registrations are committed together: one transaction reserves a block of
/// numbers and starts all their streams. A batch that fails is retried one registration at a time, so one bad
/// registration fails alone and the numbers of the failed transaction return to the counter. A group (one message to
/// several partners) is one registration of several items: they commit together or not at all.
/// </summary>
public sealed class Registrar : IAsyncDisposable
{
    public const int MaxBatch = 64;

    private readonly IDocumentStore store;
    private readonly NpgsqlDataSource dataSource;
    private readonly RegisterNumbers numbers;
    private readonly TimeProvider time;
    private readonly ILogger<Registrar> logger;
    private readonly System.Threading.Channels.Channel<Pending> queue = System.Threading.Channels.Channel.CreateBounded<Pending>(new System.Threading.Channels.BoundedChannelOptions(4 * MaxBatch) { SingleReader = true });
    private readonly Task loop;

    public Registrar(IDocumentStore store, NpgsqlDataSource dataSource, RegisterNumbers numbers, TimeProvider time, ILogger<Registrar> logger)
    {
        this.store = store;
        this.dataSource = dataSource;
        this.numbers = numbers;
        this.time = time;
        this.logger = logger;
        loop = Task.Run(CommitLoopAsync);
    }

    public async Task<(ItemDetails Item, bool Replayed)> RegisterAsync(Registration registration, Alongside? alongside, CancellationToken ct)
    {
        var (items, replayed) = await RegisterAsync([registration], null, alongside, ct);
        return (items[0], replayed);
    }

    /// <summary>
    /// Registers one item per registration as a group, linked to each other; the Idempotency-Key, body hash and officer are
    /// the first registration's.
    /// </summary>
    public Task<(ItemDetails[] Items, bool Replayed)> RegisterGroupAsync(Registration[] members, string? consentReference,
        CancellationToken ct) =>
        RegisterAsync(members, new GroupOf(Guid.CreateVersion7(time.GetUtcNow()), consentReference), null, ct);

    private async Task<(ItemDetails[] Items, bool Replayed)> RegisterAsync(Registration[] registrations, GroupOf? group,
        Alongside? alongside, CancellationToken ct)
    {
        var first = registrations[0];
        var scopedKey = first.IdempotencyKey is { } key ? $"{first.By.Id}:{key}" : null;
        if (scopedKey is not null && await ReplayAsync(scopedKey, first.RequestHash, ct) is { } replayed)
        {
            return (replayed, true);
        }

        var now = time.GetUtcNow();
        var pending = new Pending(
            [.. registrations.Select(r => new Member(r, Guid.CreateVersion7(now)))], group, scopedKey, alongside, now,
                Activity.Current?.Id);
        // Once queued, the registration commits even if this caller gives up; a retry with its Idempotency-Key finds it.
        await queue.Writer.WriteAsync(pending, ct);
        try
        {
            await pending.Committed.Task.WaitAsync(ct);
        }
        catch (Exception e) when (scopedKey is not null && IsDuplicate(e))
        {
            // Two copies of the same request raced; the other one committed first.
            var winner = await ReplayAsync(scopedKey, first.RequestHash, ct);
            return (winner ?? throw new InvalidOperationException("Idempotency record vanished.", e), true);
        }

        // The read model as the inline projection stored it, folded again here rather than read back: one round trip less.
        var projection = new ItemDetailsProjection();
        ItemDetails Fold(Member m) => m.Events.Aggregate((ItemDetails?)null, (item, e) => projection.Evolve(item, m.ItemId, e))!;
        return ([.. pending.Members.Select(Fold)], false);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop;
    }

    private async Task CommitLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                await CommitAsync(batch);
                batch.ForEach(p => p.Committed.TrySetResult());
            }
            catch (Exception e) when (batch.Count > 1)
            {
                logger.LogInformation(e, "A batch of {Count} registrations failed; committing them one by one", batch.Count);
                foreach (var single in batch)
                {
                    await CommitAloneAsync(single);
                }
            }
            catch (Exception e)
            {
                batch[0].Committed.TrySetException(e);
            }
        }
    }

    private async Task CommitAloneAsync(Pending pending)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitAsync([pending]);
                pending.Committed.TrySetResult();
                return;
            }
            catch (Exception e) when (attempt < 5 && Infrastructure.Marten.Postgres.IsTransientConflict(e))
            {
                // Chosen as a deadlock's victim (the counts' rows a send beside it also changes): nothing was kept, numbers
                // included; the registration is committed again with numbers reserved again.
                logger.LogInformation(e, "A registration met a deadlock; committing it again (attempt {Attempt})", attempt + 1);
            }
            catch (Exception e)
            {
                pending.Committed.TrySetException(e);
                return;
            }
        }
    }

    private async Task CommitAsync(IReadOnlyList<Pending> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var year in batch.GroupBy(p => numbers.YearOf(p.Now)))
        {
            var count = year.Sum(p => p.Members.Length);
            var last = await numbers.ReserveAsync(transaction, year.Key, count, CancellationToken.None);
            var next = last - count + 1;
            foreach (var member in year.SelectMany(p => p.Members))
            {
                member.Number = numbers.Format(year.Key, next++);
            }
        }

        await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction)))
        {
            foreach (var p in batch)
            {
                var group = p.Group is { } g
                    ? new ItemGroup(g.Id, [.. p.Members.Select(m => new ItemLink(m.ItemId, m.Number, LinkType.SameGroup))],
                        g.ConsentReference)
                    : null;
                foreach (var m in p.Members)
                {
                    var r = m.Registration;
                    var register = new RegisterItem(m.ItemId, m.Number, r.Kind, r.Direction, r.Fields, r.By, r.Deadlines, group);
                    var stream = session.Events.StartStream<WorkItem>(m.ItemId, WorkItemDecider.Decide(WorkItem.Initial, register, p.Now));
                    EventLogTracing.Stamp(stream.Events, p.TraceParent);
                    m.Events = stream.Events;
                }

                var first = p.Members[0];
                if (p.ScopedKey is not null)
                {
                    session.Insert(new IdempotentRequest(
                        p.ScopedKey, first.Registration.RequestHash, first.ItemId, p.Now,
                            p.Group is null ? null : [.. p.Members.Select(m => m.ItemId)]));
                }

                if (p.Alongside is not null)
                {
                    await p.Alongside(session, first.ItemId, first.Number, p.Now);
                }
            }

            await session.SaveChangesAsync();
        }

        await transaction.CommitAsync();
    }

    private async Task<ItemDetails[]?> ReplayAsync(string scopedKey, string requestHash, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var prior = await query.LoadAsync<IdempotentRequest>(scopedKey, ct);
        if (prior is null)
        {
            return null;
        }

        if (prior.RequestHash != requestHash)
        {
            throw new IdempotencyKeyReused();
        }

        var ids = prior.ItemIds ?? [prior.ItemId];
        var items = (await query.LoadManyAsync<ItemDetails>(ct, ids)).ToDictionary(i => i.Id);
        return ids.All(items.ContainsKey) ? [.. ids.Select(id => items[id])] : null;
    }

    private static bool IsDuplicate(Exception e) =>
        e is DocumentAlreadyExistsException || e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
        || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private sealed record GroupOf(Guid Id, string? ConsentReference);

    private sealed record Member(Registration Registration, Guid ItemId)
    {
        public string Number { get; set; } = "";

        public IReadOnlyList<JasperFx.Events.IEvent> Events { get; set; } = [];
    }

    private sealed record Pending(Member[] Members, GroupOf? Group, string? ScopedKey, Alongside? Alongside, DateTimeOffset Now,
        string? TraceParent)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
