using Npgsql;

namespace Ncp.Api.Reports;

/// <summary>
/// The requests as timeliness reads them: one narrow row per sent item (its dimensions, its moments and deadlines, the
/// age of its data), kept by a trigger on <see cref="ReportRow"/>'s table in the same transaction as the row. Timeliness
/// reads every request sent in the period; at a million items a year is some 370,000 rows, and read from the wide table
/// (its JSON) that was 95,000 pages and 3.5 s on a quiet machine, 15–27 s on a loaded one. A trigger, not a projection,
/// for the same reason as <see cref="ReportMonths"/>: every way the rows are written keeps it right.
/// </summary>
public static class ReportSent
{
    public const string Table = "ncp_report_sent";

    /// <summary>The table's columns, each with its type and its value in a report row <c>r</c>.</summary>
    private static readonly (string Name, string Type, string From)[] Columns =
    [
        ("id", "uuid primary key", "r.id"),
        ("sent_at", "timestamptz not null", "r.sent_at"),
        ("channel", "text not null", "r.channel::text"),
        ("kind", "text", "r.data->>'Kind'"),
        ("direction", "text", "r.data->>'Direction'"),
        ("partner_code", "text", "r.data->>'PartnerCode'"),
        ("country", "text", "r.data->>'Country'"),
        ("crime_category", "text", "r.crime_category::text"),
        ("article", "text", "r.data->>'Article'"),
        ("priority", "text", "r.data->>'Priority'"),
        ("officer_id", "text", "r.data->>'OfficerId'"),
        ("officer_name", "text", "r.data->>'OfficerName'"),
        ("acknowledged_at", "timestamptz", "(r.data->>'AcknowledgedAt')::timestamptz"),
        ("acknowledge_by", "timestamptz", "(r.data->>'AcknowledgeBy')::timestamptz"),
        ("answered_at", "timestamptz", "r.answered_at"),
        ("reply_by", "timestamptz", "(r.data->>'ReplyBy')::timestamptz"),
        ("useful_until", "timestamptz", "(r.data->>'UsefulUntil')::timestamptz"),
        ("data_period_end", "date", "(r.data->>'DataPeriodEnd')::date"),
        ("outcome", "text", "r.data->>'Outcome'"),
    ];

    /// <summary>
    /// Creates the table, its triggers and <c>{schema}.ncp_refill_report_sent()</c> (also for the bench after a direct load),
    /// and fills it from the rows when it was never filled under this SQL (<see cref="Infrastructure.Marten.TriggerCounts.RecountOnceAsync"/>).
    /// </summary>
    public static async Task InstallAsync(NpgsqlDataSource db, string schema, CancellationToken ct)
    {
        var rows = $"{schema}.mt_doc_reportrow";
        var sent = $"{schema}.{Table}";
        var names = string.Join(", ", Columns.Select(c => c.Name));
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand($$"""
            create table if not exists {{sent}} ({{string.Join(", ", Columns.Select(c => $"{c.Name} {c.Type}"))}});
            create index if not exists {{Table}}_sent_at on {{sent}} (sent_at);

            -- A report row as this table keeps it: none while it is not sent.
            create or replace function {{schema}}.ncp_report_sent_of(r {{rows}}) returns setof {{sent}} language sql stable as $$
              select {{string.Join(", ", Columns.Select(c => c.From))}} where r.sent_at is not null
            $$;

            create or replace function {{schema}}.ncp_keep_report_sent() returns trigger language plpgsql as $$
            begin
              if tg_op = 'UPDATE' and new.data = old.data and new.sent_at is not distinct from old.sent_at then
                return null;
              end if;
              if tg_op = 'DELETE' or new.sent_at is null then
                delete from {{sent}} where id = old.id;
                return null;
              end if;
              insert into {{sent}} select * from {{schema}}.ncp_report_sent_of(new)
              on conflict (id) do update set ({{names}}) = ({{string.Join(", ", Columns.Select(c => $"excluded.{c.Name}"))}});
              return null;
            end $$;

            create or replace function {{schema}}.ncp_refill_report_sent() returns void language plpgsql as $$
            begin
              lock table {{rows}} in share row exclusive mode;
              delete from {{sent}};
              insert into {{sent}} select f.* from {{rows}} r, {{schema}}.ncp_report_sent_of(r) f;
            end $$;

            {{Infrastructure.Marten.TriggerCounts.Triggers(schema, "mt_doc_reportrow", "ncp_keep_report_sent", "ncp_clear_report_sent", $"delete from {sent};")}}
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
        await Infrastructure.Marten.TriggerCounts.RecountOnceAsync(
            connection, transaction, schema, Table, command.CommandText, $"select {schema}.ncp_refill_report_sent()", ct);
        await transaction.CommitAsync(ct);
    }
}
