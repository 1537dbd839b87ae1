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
    /// moment it takes when the counts were never made or made by other SQL (<see cref="RecountOnceAsync"/>): run by
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
            declare c record;
            begin
              -- Most changes of an item leave it where it was counted: nothing to count, no row to lock.
              if tg_op = 'UPDATE' and new.is_open = old.is_open and new.channel = old.channel and new.registered_at = old.registered_at
                 and new.due_by is not distinct from old.due_by and new.ended_at is not distinct from old.ended_at then
                return null;
              end if;
              -- The item leaves the row it was counted in (open, or ended) and joins its new one. The rows are changed in one
              -- order, the open counts before the ended ones and each by key, whichever way the item moves: two items moving
              -- the other way round between the same rows at the same moment would otherwise wait for each other (deadlock).
              {{CountsLock(schema)}}
              for c in
                select * from (
                  select 1 as t, old.channel as channel, (old.registered_at at time zone 'UTC')::date as registered_day, {{late("old")}} as late_day,
                    null::date as ended_day, null::boolean as late_before_end, -1 as delta
                  where tg_op <> 'INSERT' and old.is_open
                  union all
                  select 2, old.channel, (old.registered_at at time zone 'UTC')::date, {{late("old")}}, (old.ended_at at time zone 'UTC')::date,
                    {{lateBeforeEnd("old")}}, -1
                  where tg_op <> 'INSERT' and not old.is_open and old.ended_at is not null
                  union all
                  select 1, new.channel, (new.registered_at at time zone 'UTC')::date, {{late("new")}}, null, null, 1
                  where tg_op <> 'DELETE' and new.is_open
                  union all
                  select 2, new.channel, (new.registered_at at time zone 'UTC')::date, {{late("new")}}, (new.ended_at at time zone 'UTC')::date,
                    {{lateBeforeEnd("new")}}, 1
                  where tg_op <> 'DELETE' and not new.is_open and new.ended_at is not null) moves
                order by t, channel, registered_day, late_day, ended_day, late_before_end, delta
              loop
                if c.t = 1 and c.delta < 0 then
                  update {{counts}} set open = open - 1
                  where channel = c.channel and registered_day = c.registered_day and late_day = c.late_day;
                elsif c.t = 1 then
                  insert into {{counts}} as k (channel, registered_day, late_day, open) values (c.channel, c.registered_day, c.late_day, 1)
                  on conflict (channel, registered_day, late_day) do update set open = k.open + 1;
                elsif c.delta < 0 then
                  update {{ended}} set n = n - 1
                  where channel = c.channel and registered_day = c.registered_day and late_day = c.late_day
                    and ended_day = c.ended_day and late_before_end = c.late_before_end;
                else
                  insert into {{ended}} as k (channel, registered_day, late_day, ended_day, late_before_end, n)
                  values (c.channel, c.registered_day, c.late_day, c.ended_day, c.late_before_end, 1)
                  on conflict (ended_day, channel, registered_day, late_day, late_before_end) do update set n = k.n + 1;
                end if;
              end loop;
              return null;
            end $$;

            {{Triggers(schema, "ncp_count_open_items", "ncp_clear_open_item_counts", $"delete from {counts}; delete from {ended};")}}
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
        await RecountOnceAsync(connection, transaction, schema, Table, command.CommandText, $"""
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

    /// <summary>
    /// The statement a counting trigger runs before it changes a count row: one lock per schema, held to the end of the
    /// transaction, for every trigger that keeps counts (open items, ended items, the reports' months, the partners'
    /// changes). A transaction often changes several items (a registration batch, links made both ways, a group), and each
    /// row trigger changes its count rows as its statement comes: two such transactions met on the same rows in opposite
    /// orders and PostgreSQL failed one of them after a second's wait (89 deadlocks in a simulated year of 2,000 items). The
    /// counts' hot rows (today's registrations, this month's sendings) already made these transactions wait for each other;
    /// taking them one at a time from their first count on only makes the waiting orderly.
    /// </summary>
    internal static string CountsLock(string schema) =>
        $"perform pg_advisory_xact_lock(hashtext('{schema.Replace("'", "''", StringComparison.Ordinal)}.ncp_counts'));";

    /// <summary>
    /// Runs <paramref name="recount"/> (which counts the read model afresh) unless the counts named <paramref name="name"/>
    /// were last counted under this very <paramref name="definition"/> (its hash is kept in <c>{schema}.ncp_counts_basis</c>):
    /// the triggers keep them right from then on, so an ordinary upgrade does not hold registrations up while a million
    /// items are counted again; new SQL, or counts that never were, are counted once. Call it in the caller's transaction,
    /// after <see cref="Triggers"/> locked the read model.
    /// </summary>
    internal static async Task RecountOnceAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, string name, string definition, string recount, CancellationToken ct)
    {
        var basis = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(definition + recount)));
        await using (var table = new NpgsqlCommand(
            $"create table if not exists {schema}.ncp_counts_basis (name text primary key, basis text not null)", connection, transaction))
        {
            await table.ExecuteNonQueryAsync(ct);
        }

        await using var check = new NpgsqlCommand($"select basis from {schema}.ncp_counts_basis where name = $1", connection, transaction);
        check.Parameters.Add(new NpgsqlParameter { Value = name });
        if (await check.ExecuteScalarAsync(ct) as string == basis)
        {
            return;
        }

        // A million items take longer to count than a command's default 30 s: migrate waits for it.
        await using (var counting = new NpgsqlCommand(recount, connection, transaction) { CommandTimeout = 0 })
        {
            await counting.ExecuteNonQueryAsync(ct);
        }

        await using var kept = new NpgsqlCommand(
            $"insert into {schema}.ncp_counts_basis (name, basis) values ($1, $2) on conflict (name) do update set basis = excluded.basis",
            connection, transaction);
        kept.Parameters.Add(new NpgsqlParameter { Value = name });
        kept.Parameters.Add(new NpgsqlParameter { Value = basis });
        await kept.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Puts the row function <paramref name="onRow"/> (created before) on the item read model, and a function made of
    /// <paramref name="onTruncate"/> on its truncation, which Marten's resets and rebuilds do and which fires no row
    /// trigger; then locks the read model until the caller's transaction ends, so that the caller can count it afresh.
    /// </summary>
    internal static string Triggers(string schema, string onRow, string onTruncateName, string onTruncate) => $$"""
        create or replace function {{schema}}.{{onTruncateName}}() returns trigger language plpgsql as $$
        begin
          {{onTruncate}}
          return null;
        end $$;
        create or replace trigger {{onRow}} after insert or update or delete on {{schema}}.mt_doc_itemdetails
          for each row execute function {{schema}}.{{onRow}}();
        create or replace trigger {{onTruncateName}} after truncate on {{schema}}.mt_doc_itemdetails
          for each statement execute function {{schema}}.{{onTruncateName}}();
        lock table {{schema}}.mt_doc_itemdetails in share row exclusive mode;
        """;
}
