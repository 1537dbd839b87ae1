using Ncp.Api.Infrastructure.Marten;
using Npgsql;

namespace Ncp.Api.Reports;

/// <summary>
/// The statistics' counts per month of the unit's zone, kept by a trigger on <see cref="ReportRow"/>'s table in the same
/// transaction as the row: for each step an item took (registered, sent, acknowledged, answered, answered by outcome,
/// refused, withdrawn, closed, ended) one count in the month of its moment, per channel and per value of each dimension a
/// report groups by (a "cube" of one dimension at a time, so that it stays a few thousand rows a month whatever the items'
/// number). A year's statistics sum these instead of reading a million rows (7–11 s at a million items). A trigger, not a
/// projection, so that every way the rows are written (the inline projection, a rebuild, the bench's direct inserts) keeps
/// the counts right; only whole months in the zone it was installed for, with no filter but channels, are read from it.
/// </summary>
public static class ReportMonths
{
    public const string Table = "ncp_report_months";

    /// <summary>The dimensions counted as the statistics group by them ("" counts per channel alone: by channel, by month).</summary>
    public static readonly IReadOnlyDictionary<string, string> Dimensions =
        ReportQueries.Dimensions.Where(d => d.Key is not ("month" or "channel")).Prepend(new("", "''")).ToDictionary();

    /// <summary>
    /// Creates the table, the function that lists a row's counts and the triggers, and counts the rows afresh under a lock
    /// that keeps writers out meanwhile (<c>{schema}.ncp_recount_report_months()</c>, also for the bench after a direct
    /// load): run by <c>migrate</c> only when the counts were made by other SQL or for another zone
    /// (<see cref="TriggerCounts.RecountOnceAsync"/>), so an installation that had rows before starts right and an ordinary upgrade does not hold
    /// registrations up while a million rows are counted again.
    /// </summary>
    public static async Task InstallAsync(NpgsqlDataSource db, string schema, string zone, CancellationToken ct)
    {
        var rows = $"{schema}.mt_doc_reportrow";
        var months = $"{schema}.{Table}";
        var quoted = zone.Replace("'", "''", StringComparison.Ordinal);
        var dimensions = string.Join(", ", Dimensions.Select(d => $"('{d.Key}', coalesce({d.Value}, ''))"));
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand($$"""
            create table if not exists {{months}} (
              dim text not null, month date not null, figure text not null, channel text not null, value text not null,
              n int not null, primary key (dim, month, figure, channel, value));
            create table if not exists {{months}}_zone (zone text not null);

            -- One line per count a row makes: each step's month in the unit's zone, once per dimension.
            create or replace function {{schema}}.ncp_report_facts(r {{rows}})
              returns table (dim text, month date, figure text, channel text, value text) language sql stable as $$
              select d.dim, date_trunc('month', f.at at time zone '{{quoted}}')::date, f.fig, r.channel::text, d.value
              from (values ('registered', r.registered_at), ('sent', r.sent_at), ('acknowledged', (r.data->>'AcknowledgedAt')::timestamptz),
                ('answered', r.answered_at), ('outcome:' || (r.data->>'Outcome'), r.answered_at),
                ('refused', (r.data->>'RefusedAt')::timestamptz), ('withdrawn', (r.data->>'WithdrawnAt')::timestamptz),
                ('closed', (r.data->>'ClosedAt')::timestamptz), ('ended', r.ended_at)) f(fig, at)
              cross join (values {{dimensions}}) d(dim, value)
              where f.fig is not null and f.at is not null and r.channel is not null
            $$;

            create or replace function {{schema}}.ncp_count_report_months() returns trigger language plpgsql as $$
            declare c record; locked boolean := false;
            begin
              -- Most changes of a row change no count: nothing to lock.
              if tg_op = 'UPDATE' and new.data = old.data and new.channel is not distinct from old.channel then
                return null;
              end if;
              -- Counts changed in key order, so that two transactions never wait for each other's rows the other way round.
              for c in
                select f.dim, f.month, f.figure, f.channel, f.value, sum(f.delta)::int as delta from (
                  select o.*, -1 as delta from {{schema}}.ncp_report_facts(old) o where tg_op <> 'INSERT'
                  union all
                  select w.*, 1 from {{schema}}.ncp_report_facts(new) w where tg_op <> 'DELETE') f
                group by 1, 2, 3, 4, 5 having sum(f.delta) <> 0 order by 1, 2, 3, 4, 5
              loop
                if not locked then
                  {{TriggerCounts.Lock(schema)}}
                  locked := true;
                end if;
                insert into {{months}} as m (dim, month, figure, channel, value, n) values (c.dim, c.month, c.figure, c.channel, c.value, c.delta)
                on conflict (dim, month, figure, channel, value) do update set n = m.n + excluded.n;
              end loop;
              return null;
            end $$;

            create or replace function {{schema}}.ncp_recount_report_months() returns void language plpgsql as $$
            begin
              lock table {{rows}} in share row exclusive mode;
              delete from {{months}};
              insert into {{months}} (dim, month, figure, channel, value, n)
              select f.dim, f.month, f.figure, f.channel, f.value, count(*) from {{rows}} r, {{schema}}.ncp_report_facts(r) f group by 1, 2, 3, 4, 5;
              delete from {{months}}_zone;
              insert into {{months}}_zone (zone) values ('{{quoted}}');
            end $$;

            {{TriggerCounts.Triggers(schema, "mt_doc_reportrow", "ncp_count_report_months", "ncp_clear_report_months", $"delete from {months};")}}

            """, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
        // The zone is in the definition: counts made for another zone are counted again.
        await TriggerCounts.RecountOnceAsync(connection, transaction, schema, Table, command.CommandText, $"select {schema}.ncp_recount_report_months()", ct);
        await transaction.CommitAsync(ct);
    }
}
