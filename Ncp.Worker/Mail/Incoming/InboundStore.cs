using Ncp.Worker.Infrastructure.Database;
using Npgsql;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>A raw mail as stored, before anything else was done with it; <see cref="Attempts"/> counts this one.</summary>
public sealed record InboundMail(Guid Id, byte[] Raw, string Status, string? Reason, DateTimeOffset ReceivedAt)
{
    public int Attempts { get; init; }

    /// <summary>Why the last attempt to open it failed, in words.</summary>
    public string? LastError { get; init; }
}

/// <summary>
/// What became of one claimed mail: judged (delivered, quarantined, released), or still <c>new</c>: tried again after
/// <see cref="RetryAfter"/>, the attempt counted unless <see cref="Uncounted"/> (the mail was not at fault: the broker was away, the Worker stopped).
/// </summary>
public sealed record Judgement(string Status, string? Reason, string? Detail, string? PartnerCode)
{
    public string? Error { get; init; }

    public TimeSpan RetryAfter { get; init; }

    public bool Uncounted { get; init; }

    public static Judgement Retry(string error, TimeSpan after) => new("new", null, null, null) { Error = error, RetryAfter = after };

    public static Judgement Later(string error) => new("new", null, null, null) { Error = error, RetryAfter = TimeSpan.FromSeconds(1), Uncounted = true };
}

/// <summary>
/// Every raw mail read from the gateway's mailbox, stored before it is opened: a mail that crashes the reader, or that
/// nobody can read, is still here, with its status and reason.
/// </summary>
public sealed class InboundStore(WorkerDatabase database, TimeProvider time)
{
    /// <summary>How long a claimed mail is left to one Worker before another may take it (after a crash).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

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
        command.Parameters.Add(Texts(mails.Select(m => MailText.Header(m.MessageId))));
        command.Parameters.Add(Texts(mails.Select(m => MailText.Header(m.Sender))));
        command.Parameters.Add(Texts(mails.Select(m => MailText.Header(m.Subject))));
        command.Parameters.AddWithValue(mails.Select(m => m.Raw).ToArray());
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter Texts(IEnumerable<string?> values) =>
        new() { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text };

    /// <summary>
    /// Runs <paramref name="process"/> over new mail. Each mail is claimed for <see cref="Lease"/> and its attempt counted
    /// before it is opened, so a mail that kills the process is counted too; a mail claimed before and never finished is
    /// tried alone, so that a poison mail cannot spend the attempts of the mails claimed with it.
    /// </summary>
    /// <returns>Whether more mail may be waiting.</returns>
    public async Task<bool> ProcessNewAsync(int limit, Func<InboundMail, Task<Judgement>> process, CancellationToken ct)
    {
        var rows = await ClaimAsync(1, retried: true, ct);
        var retried = rows.Count > 0;
        if (!retried)
        {
            rows = await ClaimAsync(limit, retried: false, ct);
        }

        // Judging is CPU (decryption, signatures) and waiting (the broker's confirmation of the hand-over): the claimed
        // mails are judged side by side, each on its own, a few more at once than there are cores.
        var outcomes = new Judgement?[rows.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = 4 * Environment.ProcessorCount },
                async (i, _) => outcomes[i] = await process(rows[i]));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: what was not judged is handed back uncounted, for this or another Worker to take at once.
            await MarkAsync(rows, outcomes, CancellationToken.None);
            throw;
        }

        await MarkAsync(rows, outcomes, ct);
        return retried || rows.Count == limit;
    }

    private async Task<List<InboundMail>> ClaimAsync(int limit, bool retried, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            update {Schema}.inbound_mail set attempts = attempts + 1, not_before = $1
            where id in (
                select id from {Schema}.inbound_mail
                where status = 'new' and (not_before is null or not_before <= $2) and (attempts > 0) = $3
                order by received_at limit $4 for update skip locked)
            returning id, raw, status, reason, received_at, attempts, last_error
            """);
        var now = time.GetUtcNow();
        command.Parameters.AddWithValue(now + Lease);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(retried);
        command.Parameters.AddWithValue(limit);
        var rows = new List<InboundMail>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(Read(reader) with { Attempts = reader.GetInt32(5), LastError = reader.IsDBNull(6) ? null : reader.GetString(6) });
        }

        return rows;
    }

    private async Task MarkAsync(List<InboundMail> rows, Judgement?[] outcomes, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var judged = outcomes.Select(o => o ?? Judgement.Later("stopped before it was judged")).ToArray();
        await using var mark = database.DataSource.CreateCommand($"""
            update {Schema}.inbound_mail i set status = o.status, reason = o.reason, detail = o.detail, partner_code = o.partner_code,
                processed_at = case when o.status = 'new' then null else $7 end,
                last_error = coalesce(o.error, i.last_error),
                attempts = i.attempts - case when o.uncounted then 1 else 0 end,
                not_before = case when o.status = 'new' then $7 + o.retry_after end
            from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::interval[], $9::boolean[])
                as o(id, status, reason, detail, partner_code, error, retry_after, uncounted)
            where i.id = o.id
            """);
        mark.Parameters.AddWithValue(rows.Select(r => r.Id).ToArray());
        mark.Parameters.AddWithValue(judged.Select(o => o.Status).ToArray());
        mark.Parameters.Add(Texts(judged.Select(o => o.Reason)));
        mark.Parameters.Add(Texts(judged.Select(o => MailText.Body(o.Detail ?? "") is { Length: > 0 } d ? d : null)));
        mark.Parameters.Add(Texts(judged.Select(o => o.PartnerCode)));
        mark.Parameters.Add(Texts(judged.Select(o => MailText.Header(o.Error, 4_000))));
        mark.Parameters.AddWithValue(time.GetUtcNow());
        mark.Parameters.AddWithValue(judged.Select(o => o.RetryAfter).ToArray());
        mark.Parameters.AddWithValue(judged.Select(o => o.Uncounted).ToArray());
        await mark.ExecuteNonQueryAsync(ct);
    }

    public async Task<InboundMail?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"select id, raw, status, reason, received_at from {Schema}.inbound_mail where id = $1");
        command.Parameters.AddWithValue(id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>A stored mail's size, and its bytes when they are at most <paramref name="maxBytes"/>; null when there is no such mail.</summary>
    public async Task<(long Size, byte[]? Raw)?> OriginalAsync(Guid id, long maxBytes, CancellationToken ct)
    {
        // Measured by the database first: a mail too large to send on is never read into memory.
        await using var command = database.DataSource.CreateCommand(
            $"select length(raw), case when length(raw) <= $2 then raw end from {Schema}.inbound_mail where id = $1");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(maxBytes);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1)) : null;
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

    /// <summary>
    /// Holds a mail that was handed to the Api and that the Api would not file; it is then decided like any held mail.
    /// </summary>
    /// <returns>The mail's status before: <c>delivered</c> when this call held it.</returns>
    public async Task<string?> HoldAsync(Guid id, string reason, string detail, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            with before as (select id, status from {Schema}.inbound_mail where id = $1 for update)
            update {Schema}.inbound_mail i
            set status = case when before.status = 'delivered' then 'quarantined' else i.status end,
                reason = case when before.status = 'delivered' then $2 else i.reason end,
                detail = case when before.status = 'delivered' then $3 else i.detail end,
                processed_at = case when before.status = 'delivered' then $4 else i.processed_at end
            from before where i.id = before.id
            returning before.status
            """);
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(reason);
        command.Parameters.AddWithValue(MailText.Body(detail));
        command.Parameters.AddWithValue(time.GetUtcNow());
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static InboundMail Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetFieldValue<byte[]>(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4));
}
