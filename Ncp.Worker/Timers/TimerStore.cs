using Ncp.Worker.Infrastructure.Database;
using Npgsql;

namespace Ncp.Worker.Timers;

public sealed record DueTimer(Guid ItemId, string Step, DateTimeOffset DueAt);

/// <summary>The Worker's durable wake-ups in its own schema.</summary>
public sealed class TimerStore(WorkerDatabase database)
{
    /// <summary>Schedules or moves a wake-up; a request older than the one recorded loses (messages may arrive out of order).</summary>
    public async Task<bool> ScheduleAsync(Guid itemId, string step, DateTimeOffset dueAt, DateTimeOffset requestedAt, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            insert into {database.Schema}.timers as t (item_id, step, due_at, requested_at) values ($1, $2, $3, $4)
            on conflict (item_id, step) do update set due_at = excluded.due_at, requested_at = excluded.requested_at, fired_at = null
            where t.requested_at < excluded.requested_at
            """);
        command.Parameters.AddWithValue(itemId);
        command.Parameters.AddWithValue(step);
        command.Parameters.AddWithValue(dueAt);
        command.Parameters.AddWithValue(requestedAt);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>Cancels pending wake-ups requested before the cancellation: a later request (a resume) is not undone by an older cancel.</summary>
    public async Task<int> CancelAsync(Guid itemId, string step, DateTimeOffset requestedAt, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(step == "*"
            ? $"delete from {database.Schema}.timers where item_id = $1 and fired_at is null and requested_at <= $2"
            : $"delete from {database.Schema}.timers where item_id = $1 and fired_at is null and requested_at <= $2 and step = $3");
        command.Parameters.AddWithValue(itemId);
        command.Parameters.AddWithValue(requestedAt);
        if (step != "*")
        {
            command.Parameters.AddWithValue(step);
        }

        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due wake-ups in due order, hands them to <paramref name="fire"/> and marks them
    /// fired in the same transaction: a crash before the commit leaves them due, so they fire again (at least once).
    /// </summary>
    public async Task<int> FireDueAsync(TimeProvider time, int limit, Func<IReadOnlyList<DueTimer>, Task> fire, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var due = new List<DueTimer>();
        await using (var claim = new NpgsqlCommand($"""
            select item_id, step, due_at from {database.Schema}.timers
            where fired_at is null and due_at <= $1
            order by due_at
            limit $2
            for update skip locked
            """, connection, transaction))
        {
            claim.Parameters.AddWithValue(now);
            claim.Parameters.AddWithValue(limit);
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                due.Add(new DueTimer(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        if (due.Count == 0)
        {
            return 0;
        }

        await fire(due);
        await using (var mark = new NpgsqlCommand($"""
            update {database.Schema}.timers t set fired_at = $1
            from unnest($2::uuid[], $3::text[]) as d(item_id, step)
            where t.item_id = d.item_id and t.step = d.step
            """, connection, transaction))
        {
            mark.Parameters.AddWithValue(time.GetUtcNow());
            mark.Parameters.AddWithValue(due.Select(d => d.ItemId).ToArray());
            mark.Parameters.AddWithValue(due.Select(d => d.Step).ToArray());
            await mark.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return due.Count;
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"select min(due_at) from {database.Schema}.timers where fired_at is null");
        var next = await command.ExecuteScalarAsync(ct);
        return next is DateTime utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)) : next as DateTimeOffset?;
    }
}
