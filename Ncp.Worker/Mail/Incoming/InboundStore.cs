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

    /// <returns>The new row's id, or <c>null</c> when this message (folder, UIDVALIDITY, UID) was stored before.</returns>
    public async Task<Guid?> StoreAsync(string folder, uint uidValidity, uint uid, byte[] raw, string? messageId, string? sender, string? subject, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            insert into {Schema}.inbound_mail (id, folder, uid_validity, uid, message_id, sender, subject, raw, size, received_at, status)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'new')
            on conflict (folder, uid_validity, uid) do nothing
            """);
        var id = Guid.CreateVersion7(time.GetUtcNow());
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(folder);
        command.Parameters.AddWithValue((long)uidValidity);
        command.Parameters.AddWithValue((long)uid);
        command.Parameters.AddWithValue((object?)messageId ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)sender ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)subject ?? DBNull.Value);
        command.Parameters.AddWithValue(raw);
        command.Parameters.AddWithValue(raw.Length);
        command.Parameters.AddWithValue(time.GetUtcNow());
        return await command.ExecuteNonQueryAsync(ct) == 1 ? id : null;
    }

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

        // Judging is mostly CPU (decryption, signatures): the claimed mails are judged side by side, each on its own.
        var outcomes = new (string Status, string? Reason, string? Detail, string? PartnerCode)[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, _) => outcomes[i] = await process(rows[i]));
        foreach (var (row, outcome) in rows.Zip(outcomes))
        {
            await using var mark = new NpgsqlCommand(
                $"update {Schema}.inbound_mail set status = $2, reason = $3, detail = $4, partner_code = $5, processed_at = $6 where id = $1", connection, transaction);
            mark.Parameters.AddWithValue(row.Id);
            mark.Parameters.AddWithValue(outcome.Status);
            mark.Parameters.AddWithValue((object?)outcome.Reason ?? DBNull.Value);
            mark.Parameters.AddWithValue((object?)outcome.Detail ?? DBNull.Value);
            mark.Parameters.AddWithValue((object?)outcome.PartnerCode ?? DBNull.Value);
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
