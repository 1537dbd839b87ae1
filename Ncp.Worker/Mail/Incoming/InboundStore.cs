using Ncp.Worker.Infrastructure.Database;
using Npgsql;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>A raw mail as stored, before anything else was done with it.</summary>
public sealed record InboundMail(Guid Id, byte[] Raw, string Status, string? Reason, DateTimeOffset ReceivedAt);

/// <summary>
/// Every raw mail read from the gateway's mailbox, stored before it is opened: a mail that crashes the reader, or that
/// nobody can read, is still here, with its status and reason.
/// </summary>
public sealed class InboundStore(WorkerDatabase database, TimeProvider time)
{
    private string Schema => database.Schema;

    /// <summary>A mail as read from the server, before it is stored.</summary>
    public sealed record Fetched(uint Uid, byte[] Raw, string? MessageId, string? Sender, string? Subject);

    /// <summary>Stores mails read from one folder in one statement; a mail (folder, UIDVALIDITY, UID) stored before is skipped.</summary>
    /// <returns>How many were new.</returns>
    public async Task<int> StoreAsync(string folder, uint uidValidity, IReadOnlyList<Fetched> mails, CancellationToken ct)
    {
        if (mails.Count == 0)
        {
            return 0;
        }

        await using var command = database.DataSource.CreateCommand($"""
            insert into {Schema}.inbound_mail (id, folder, uid_validity, uid, message_id, sender, subject, raw, size, received_at, status)
            select m.id, $1, $2, m.uid, m.message_id, m.sender, m.subject, m.raw, length(m.raw), $3, 'new'
            from unnest($4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::bytea[]) as m(id, uid, message_id, sender, subject, raw)
            on conflict (folder, uid_validity, uid) do nothing
            """);
        var now = time.GetUtcNow();
        command.Parameters.AddWithValue(folder);
        command.Parameters.AddWithValue((long)uidValidity);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(mails.Select(_ => Guid.CreateVersion7(now)).ToArray());
        command.Parameters.AddWithValue(mails.Select(m => (long)m.Uid).ToArray());
        command.Parameters.Add(Texts(mails.Select(m => m.MessageId)));
        command.Parameters.Add(Texts(mails.Select(m => m.Sender)));
        command.Parameters.Add(Texts(mails.Select(m => m.Subject)));
        command.Parameters.AddWithValue(mails.Select(m => m.Raw).ToArray());
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter Texts(IEnumerable<string?> values) =>
        new() { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text };

    /// <summary>Runs <paramref name="process"/> over new mail, each row locked (SKIP LOCKED) until its outcome is written.</summary>
    public async Task<int> ProcessNewAsync(int limit, Func<InboundMail, Task<(string Status, string? Reason, string? Detail, string? PartnerCode)>> process, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var rows = new List<InboundMail>();
        await using (var claim = new NpgsqlCommand(
            $"select id, raw, status, reason, received_at from {Schema}.inbound_mail where status = 'new' order by received_at limit {limit} for update skip locked",
            connection, transaction))
        {
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(Read(reader));
            }
        }

        // Judging is CPU (decryption, signatures) and waiting (the broker's confirmation of the hand-over): the claimed
        // mails are judged side by side, each on its own, a few more at once than there are cores.
        var outcomes = new (string Status, string? Reason, string? Detail, string? PartnerCode)[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = 4 * Environment.ProcessorCount },
            async (i, _) => outcomes[i] = await process(rows[i]));
        await using (var mark = new NpgsqlCommand($"""
            update {Schema}.inbound_mail i set status = o.status, reason = o.reason, detail = o.detail, partner_code = o.partner_code, processed_at = $6
            from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) as o(id, status, reason, detail, partner_code) where i.id = o.id
            """, connection, transaction))
        {
            mark.Parameters.AddWithValue(rows.Select(r => r.Id).ToArray());
            mark.Parameters.AddWithValue(outcomes.Select(o => o.Status).ToArray());
            mark.Parameters.Add(Texts(outcomes.Select(o => o.Reason)));
            mark.Parameters.Add(Texts(outcomes.Select(o => o.Detail)));
            mark.Parameters.Add(Texts(outcomes.Select(o => o.PartnerCode)));
            mark.Parameters.AddWithValue(time.GetUtcNow());
            await mark.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return rows.Count;
    }

    public async Task<InboundMail?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"select id, raw, status, reason, received_at from {Schema}.inbound_mail where id = $1");
        command.Parameters.AddWithValue(id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <returns><c>false</c> when the mail was not in quarantine (already decided: a redelivered decision).</returns>
    public async Task<bool> DecideAsync(Guid id, string status, string detail, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            $"update {Schema}.inbound_mail set status = $2, detail = coalesce(detail, '') || ' | ' || $3, processed_at = $4 where id = $1 and status = 'quarantined'");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(status);
        command.Parameters.AddWithValue(detail);
        command.Parameters.AddWithValue(time.GetUtcNow());
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    private static InboundMail Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetFieldValue<byte[]>(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4));
}
