using System.Text.Json;
using Ncp.Contracts.Mail;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Infrastructure.Observability;
using Npgsql;
using NpgsqlTypes;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>A mail in the ledger, as claimed for an attempt.</summary>
public sealed record Dispatch(Guid DispatchId, PartnerMailRequested Request, string MessageId, byte[]? Mime, string? Protection, int Attempts);

/// <summary>Mails claimed for an attempt, held by this claim until <see cref="Until"/> unless renewed in time.</summary>
public sealed record DispatchClaim(IReadOnlyList<Dispatch> Due, DateTimeOffset Until);

/// <summary>A mail the SMTP server took, as a delivery report about it is checked against.</summary>
public sealed record SentDispatch(Guid DispatchId, Guid ItemId, string Purpose, string MessageId, string PartnerCode, string[] Recipients);

/// <summary>A mail whose outcome the Api has not yet been told.</summary>
public sealed record DispatchOutcome(Guid DispatchId, Guid ItemId, string Purpose, string Status, string MessageId, string? Protection, string? Reason, string? Detail, int Attempts, DateTimeOffset At);

/// <summary>
/// The dispatch ledger: one row per mail the Api asked for, holding the exact bytes once built. The Message-ID is made from
/// the dispatch id, so a mail sent again after a crash (the SMTP server took it, we died before writing that down) is the
/// same mail to every client and to our own intake, never a second request.
/// </summary>
public sealed class DispatchLedger(WorkerDatabase database, Keys.GatewaySettings settings, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string Schema => database.Schema;

    public string MessageIdFor(Guid dispatchId) => $"{dispatchId:N}@{settings.Domain}";

    /// <returns><c>false</c> when the mail was already in the ledger (a redelivered request).</returns>
    public async Task<bool> RecordAsync(PartnerMailRequested request, CancellationToken ct)
    {
        // Any conflict, not only on dispatch_id: two deliveries of one request inserted at the same moment can meet first
        // on message_id's unique index (made from the same id), which "on conflict (dispatch_id)" would raise as an error.
        await using var command = database.DataSource.CreateCommand($"""
            insert into {Schema}.dispatches (dispatch_id, item_id, register_number, partner_code, purpose, message_id, recipients, request, status, next_attempt_at, created_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9)
            on conflict do nothing
            """);
        command.Parameters.AddWithValue(request.DispatchId);
        command.Parameters.AddWithValue(request.ItemId);
        command.Parameters.AddWithValue(request.RegisterNumber);
        command.Parameters.AddWithValue(request.PartnerCode);
        command.Parameters.AddWithValue(request.Purpose);
        command.Parameters.AddWithValue(MessageIdFor(request.DispatchId));
        command.Parameters.AddWithValue(request.To);
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(request, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.AddWithValue(time.GetUtcNow());
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Claims mail due for an attempt; a claim is a lease, so a Worker that dies mid-send leaves it to another. The lease's
    /// end is the claim's mark: <see cref="RenewAsync"/> keeps only the mails still carrying it.
    /// </summary>
    public async Task<DispatchClaim> ClaimDueAsync(int limit, TimeSpan lease, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = LeaseEnd(now + lease);
        await using var command = database.DataSource.CreateCommand($"""
            update {Schema}.dispatches d set next_attempt_at = $2
            from (select dispatch_id from {Schema}.dispatches where status = 'pending' and next_attempt_at <= $1
                  order by next_attempt_at limit {limit} for update skip locked) due
            where d.dispatch_id = due.dispatch_id
            returning d.dispatch_id, d.request, d.message_id, d.mime, d.protection, d.attempts
            """);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(until);
        var claimed = new List<Dispatch>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claimed.Add(new Dispatch(
                reader.GetGuid(0), JsonSerializer.Deserialize<PartnerMailRequested>(reader.GetString(1), Json)!, reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5)));
        }

        return new DispatchClaim(claimed, until);
    }

    /// <summary>
    /// Extends the lease of the claimed mails that still carry this claim's mark (<paramref name="heldUntil"/>); a mail whose
    /// lease ran out and that another Worker (or lane) claimed since carries that claim's mark and is not returned: it is
    /// the other's to send, and sending it here too would give the partner the same mail twice.
    /// </summary>
    public async Task<(IReadOnlySet<Guid> Held, DateTimeOffset Until)> RenewAsync(
        IReadOnlyCollection<Guid> ids, DateTimeOffset heldUntil, TimeSpan lease, CancellationToken ct)
    {
        var until = LeaseEnd(time.GetUtcNow() + lease);
        await using var command = database.DataSource.CreateCommand($"""
            update {Schema}.dispatches set next_attempt_at = $3
            where dispatch_id = any($1) and status = 'pending' and next_attempt_at = $2
            returning dispatch_id
            """);
        command.Parameters.AddWithValue(ids.ToArray());
        command.Parameters.AddWithValue(heldUntil);
        command.Parameters.AddWithValue(until);
        var held = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            held.Add(reader.GetGuid(0));
        }

        return (held, until);
    }

    // Whole milliseconds, which PostgreSQL stores exactly: the lease's end is compared for equality as the claim's mark.
    private static DateTimeOffset LeaseEnd(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    /// <summary>Keeps the built bytes of several mails in one statement, before any of them is handed to the server.</summary>
    public async Task MarkBuiltAsync(IReadOnlyList<(Guid Id, byte[] Mime, string Protection)> built, CancellationToken ct)
    {
        if (built.Count == 0)
        {
            return;
        }

        await using var command = database.DataSource.CreateCommand($"""
            update {Schema}.dispatches d set mime = b.mime, protection = b.protection, request = {WithoutFileContents("d.request")}
            from unnest($1::uuid[], $2::bytea[], $3::text[]) as b(id, mime, protection) where d.dispatch_id = b.id
            """);
        command.Parameters.AddWithValue(built.Select(b => b.Id).ToArray());
        command.Parameters.AddWithValue(built.Select(b => b.Mime).ToArray());
        command.Parameters.AddWithValue(built.Select(b => b.Protection).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    // Counted here, as each mail's fate is written down: once per mail, whichever path of the loop got it there.
    public async Task MarkSentAsync(IEnumerable<Guid> ids, CancellationToken ct) =>
        WorkerMetrics.MailsSent(await ExecuteAsync($"""
            update {Schema}.dispatches set status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = null
            where dispatch_id = any($1)
            """, ct, ids.ToArray(), time.GetUtcNow()));

    public Task MarkRetryAsync(Guid id, string error, TimeSpan after, CancellationToken ct) =>
        ExecuteAsync($"update {Schema}.dispatches set attempts = attempts + 1, last_error = $2, next_attempt_at = $3 where dispatch_id = $1", ct, id, error, time.GetUtcNow() + after);

    public async Task MarkFailedAsync(Guid id, string reason, string detail, CancellationToken ct)
    {
        await ExecuteAsync($"""
            update {Schema}.dispatches set status = 'failed', attempts = attempts + 1, last_error = $2 || ': ' || $3, sent_at = $4,
                request = {WithoutFileContents("request")}
            where dispatch_id = $1
            """, ct, id, reason, detail, time.GetUtcNow());
        WorkerMetrics.MailNotDelivered(reason);
    }

    public Task MarkReportedAsync(IEnumerable<Guid> ids, CancellationToken ct) =>
        ExecuteAsync($"update {Schema}.dispatches set reported = true where dispatch_id = any($1)", ct, ids.ToArray());

    public Task MarkCopiedAsync(IEnumerable<Guid> ids, CancellationToken ct) =>
        ExecuteAsync($"update {Schema}.dispatches set copied_to_sent = true, copied_at = $2 where dispatch_id = any($1)", ct, ids.ToArray(), time.GetUtcNow());

    public async Task<IReadOnlyList<DispatchOutcome>> UnreportedAsync(int limit, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            select dispatch_id, item_id, purpose, status, message_id, protection, split_part(last_error, ': ', 1), substr(last_error, strpos(last_error, ': ') + 2), attempts, sent_at
            from {Schema}.dispatches where not reported and status <> 'pending' order by created_at limit {limit}
            """);
        var outcomes = new List<DispatchOutcome>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            outcomes.Add(new DispatchOutcome(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt32(8), reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return outcomes;
    }

    public async Task<IReadOnlyList<(Guid Id, byte[] Mime)>> NotCopiedAsync(int limit, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            $"select dispatch_id, mime from {Schema}.dispatches where status = 'sent' and not copied_to_sent order by sent_at limit {limit}");
        var rows = new List<(Guid, byte[])>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetGuid(0), reader.GetFieldValue<byte[]>(1)));
        }

        return rows;
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"select min(next_attempt_at) from {Schema}.dispatches where status = 'pending'");
        return await command.ExecuteScalarAsync(ct) is DateTime utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)) : null;
    }

    /// <summary>
    /// The items our mail with these Message-IDs was about, each with the partner it went to, newest first: how a partner's
    /// reply is threaded by In-Reply-To or References, and how a mail naming mail we sent someone else is caught.
    /// </summary>
    public async Task<IReadOnlyList<(Guid ItemId, string PartnerCode)>> ItemsForMessageIdsAsync(
        IReadOnlyCollection<string> messageIds, CancellationToken ct)
    {
        if (messageIds.Count == 0)
        {
            return [];
        }

        await using var command = database.DataSource.CreateCommand(
            $"select item_id, partner_code from {Schema}.dispatches where message_id = any($1) order by created_at desc");
        command.Parameters.AddWithValue(messageIds.ToArray());
        var items = new List<(Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return [.. items.Distinct()];
    }

    // Once the mail is built (or given up on) its bytes are all a resend needs: the files' plain contents leave the
    // request, which keeps their names, types and sizes as the record of what was sent. The built mail holds them
    // encrypted, to the partner and to us.
    private static string WithoutFileContents(string request) => $$"""
        case when jsonb_typeof({{request}} -> 'attachments') = 'array' then jsonb_set({{request}}, '{attachments}', coalesce(
            (select jsonb_agg((a - 'content') || jsonb_build_object('bytes', octet_length(decode(coalesce(a ->> 'content', ''), 'base64'))))
             from jsonb_array_elements({{request}} -> 'attachments') a), '[]'::jsonb))
        else {{request}} end
        """;

    /// <summary>Our mail the server took with one of these Message-IDs (a delivery report names it so, or by its envelope id).</summary>
    public async Task<IReadOnlyList<SentDispatch>> SentWithMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken ct)
    {
        if (messageIds.Count == 0)
        {
            return [];
        }

        await using var command = database.DataSource.CreateCommand($"""
            select dispatch_id, item_id, purpose, message_id, partner_code, recipients
            from {Schema}.dispatches where message_id = any($1) and status = 'sent'
            """);
        command.Parameters.AddWithValue(messageIds.ToArray());
        var sent = new List<SentDispatch>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sent.Add(new SentDispatch(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<string[]>(5)));
        }

        return sent;
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return await command.ExecuteNonQueryAsync(ct);
    }
}
