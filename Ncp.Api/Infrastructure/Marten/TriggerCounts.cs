using Npgsql;

namespace Ncp.Api.Infrastructure.Marten;

/// <summary>
/// What the counts kept by triggers on the read models share (the dashboard's open and ended items and the partners'
/// changes, <c>Cases/Overseeing/</c>; the reports' months and sent requests, <c>Reports/</c>): the triggers on the read
/// model (each row, and its truncation), the lock a counting trigger takes, and the one recount <c>migrate</c> makes per
/// definition.
/// </summary>
public static class TriggerCounts
{
    /// <summary>
    /// The statement a counting trigger runs before it changes a count row: one lock per schema, held to the end of the
    /// transaction, for every trigger that keeps counts (open items, ended items, the reports' months, the partners'
    /// changes). A transaction often changes several items (a registration batch, links made both ways, a group), and each
    /// row trigger changes its count rows as its statement comes: two such transactions met on the same rows in opposite
    /// orders and PostgreSQL failed one of them after a second's wait (89 deadlocks in a simulated year of 2,000 items). The
    /// counts' hot rows (today's registrations, this month's sendings) already made these transactions wait for each other;
    /// taking them one at a time from their first count on only makes the waiting orderly.
    /// </summary>
    public static string Lock(string schema) =>
        $"perform pg_advisory_xact_lock(hashtext('{schema.Replace("'", "''", StringComparison.Ordinal)}.ncp_counts'));";

    /// <summary>
    /// Puts the row function <paramref name="onRow"/> (created before) on the read model <paramref name="table"/>, and a
    /// function made of <paramref name="onTruncate"/> on its truncation, which Marten's resets and rebuilds do and which
    /// fires no row trigger; then locks the read model until the caller's transaction ends, so that the caller can count
    /// it afresh (<see cref="RecountOnceAsync"/>).
    /// </summary>
    public static string Triggers(string schema, string table, string onRow, string onTruncateName, string onTruncate) => $$"""
        create or replace function {{schema}}.{{onTruncateName}}() returns trigger language plpgsql as $$
        begin
          {{onTruncate}}
          return null;
        end $$;
        create or replace trigger {{onRow}} after insert or update or delete on {{schema}}.{{table}}
          for each row execute function {{schema}}.{{onRow}}();
        create or replace trigger {{onTruncateName}} after truncate on {{schema}}.{{table}}
          for each statement execute function {{schema}}.{{onTruncateName}}();
        lock table {{schema}}.{{table}} in share row exclusive mode;
        """;

    /// <summary>
    /// Runs <paramref name="recount"/> (which counts the read model afresh) unless the counts named <paramref name="name"/>
    /// were last counted under this very <paramref name="definition"/> (its hash is kept in <c>{schema}.ncp_counts_basis</c>):
    /// the triggers keep them right from then on, so an ordinary upgrade does not hold registrations up while a million
    /// items are counted again; new SQL, or counts that never were, are counted once. Call it in the caller's transaction,
    /// after the triggers are in place and the table they watch is locked.
    /// </summary>
    public static async Task RecountOnceAsync(
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
}
