using Ncp.Api.Infrastructure.Marten;
using Npgsql;

namespace Ncp.Api.Cases.Overseeing;

/// <summary>
/// The items the dashboard's per-day series is made of, counted per channel and day (UTC days), kept by a trigger on the
/// item read model in the same transaction as the item itself: the open ones per day of registration and day they became
/// late (the deadline's day, or the registration's if that came later; 'infinity' without a deadline), the ended ones
/// also per day they ended and whether they were late by then. The overdue card and the series sum these few thousand
/// rows instead of reading the backlog and the month's closures on every request: at a million items, with half of them
/// open, that took seconds. A trigger, not a projection, so that every way the read model is written (the inline
/// projection, a rebuild, the bench's direct inserts) keeps the counts right.
/// </summary>
public static class OpenItemCounts
{
    public const string Table = "ncp_open_item_counts";
    public const string EndedTable = "ncp_ended_item_counts";

    /// <summary>
    /// Creates the table and its triggers, and counts the read model afresh under a lock that keeps writers out for the
    /// moment it takes when the counts were never made or made by other SQL (<see cref="TriggerCounts.RecountOnceAsync"/>): run by
    /// <c>migrate</c>, so an installation that had items before the table starts right.
    /// </summary>
    public static async Task InstallAsync(NpgsqlDataSource db, string schema, CancellationToken ct)
    {
        var items = $"{schema}.mt_doc_itemdetails";
        var counts = $"{schema}.{Table}";
        var ended = $"{schema}.{EndedTable}";
        const string Late =
            "case when {0}.due_by is null then 'infinity'::date else (greatest({0}.due_by, {0}.registered_at) at time zone 'UTC')::date end";
        var late = (string row) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Late, row);
        // Overdue before it ended: it had a deadline, and ended after the moment it became late.
        var lateBeforeEnd = (string row) => $"({row}.due_by is not null and {row}.ended_at > greatest({row}.due_by, {row}.registered_at))";
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand($$"""
            create table if not exists {{counts}} (
              channel varchar not null, registered_day date not null, late_day date not null, open int not null,
              primary key (channel, registered_day, late_day));
            create table if not exists {{ended}} (
              channel varchar not null, registered_day date not null, late_day date not null, ended_day date not null,
              late_before_end boolean not null, n int not null,
              -- The series reads the last month's endings: the day leads.
              primary key (ended_day, channel, registered_day, late_day, late_before_end));

            create or replace function {{schema}}.ncp_count_open_items() returns trigger language plpgsql as $$
            begin
              -- Most changes of an item leave it where it was counted: nothing to count, no row to lock.
              if tg_op = 'UPDATE' and new.is_open = old.is_open and new.channel = old.channel and new.registered_at = old.registered_at
                 and new.due_by is not distinct from old.due_by and new.ended_at is not distinct from old.ended_at then
                return null;
              end if;
              -- One transaction at a time from its first count on (TriggerCounts.Lock): a transaction may change several items.
              {{TriggerCounts.Lock(schema)}}
              if tg_op <> 'INSERT' and old.is_open then
                update {{counts}} set open = open - 1
                where channel = old.channel and registered_day = (old.registered_at at time zone 'UTC')::date
                  and late_day = {{late("old")}};
              elsif tg_op <> 'INSERT' and old.ended_at is not null then
                update {{ended}} set n = n - 1
                where channel = old.channel and registered_day = (old.registered_at at time zone 'UTC')::date and late_day = {{late("old")}}
                  and ended_day = (old.ended_at at time zone 'UTC')::date and late_before_end = {{lateBeforeEnd("old")}};
              end if;
              if tg_op <> 'DELETE' and new.is_open then
                insert into {{counts}} as c (channel, registered_day, late_day, open)
                values (new.channel, (new.registered_at at time zone 'UTC')::date, {{late("new")}}, 1)
                on conflict (channel, registered_day, late_day) do update set open = c.open + 1;
              elsif tg_op <> 'DELETE' and new.ended_at is not null then
                insert into {{ended}} as c (channel, registered_day, late_day, ended_day, late_before_end, n)
                values (new.channel, (new.registered_at at time zone 'UTC')::date, {{late("new")}}, (new.ended_at at time zone 'UTC')::date,
                  {{lateBeforeEnd("new")}}, 1)
                on conflict (ended_day, channel, registered_day, late_day, late_before_end) do update set n = c.n + 1;
              end if;
              return null;
            end $$;

            {{TriggerCounts.Triggers(schema, "mt_doc_itemdetails", "ncp_count_open_items", "ncp_clear_open_item_counts", $"delete from {counts}; delete from {ended};")}}
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
        await TriggerCounts.RecountOnceAsync(connection, transaction, schema, Table, command.CommandText, $"""
            delete from {counts};
            insert into {counts} (channel, registered_day, late_day, open)
            select channel, (registered_at at time zone 'UTC')::date, {late("d")}, count(*)
            from {items} d where is_open group by 1, 2, 3;
            delete from {ended};
            insert into {ended} (channel, registered_day, late_day, ended_day, late_before_end, n)
            select channel, (registered_at at time zone 'UTC')::date, {late("d")}, (ended_at at time zone 'UTC')::date,
              {lateBeforeEnd("d")}, count(*)
            from {items} d where not is_open and ended_at is not null group by 1, 2, 3, 4, 5;
            """, ct);
        await transaction.CommitAsync(ct);
    }
}
