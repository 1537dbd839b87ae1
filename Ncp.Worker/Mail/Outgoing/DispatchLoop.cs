using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MassTransit;
using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Worker.Infrastructure.Hosting;
using Ncp.Worker.Infrastructure.Mail;
using Ncp.Worker.Infrastructure.Observability;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Crypto;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>
/// Sends what is due in the dispatch ledger: builds the mail once (template, signature, encryption) and keeps its bytes,
/// hands it to the SMTP server, copies it to the Sent folder, and tells the Api the outcome. A failed attempt is retried
/// with growing pauses; after <see cref="GatewaySettings.MaxSendAttempts"/> the Api hears "not delivered". A failure is
/// the one mail's, whether in building it or in sending it: the rest of the round goes on.
/// </summary>
public sealed class DispatchLoop(
    DispatchLedger ledger, MailCrypto crypto, GatewaySettings settings, SmtpSettings smtp, ImapSettings imap, IBus bus, TimeProvider time,
    ILogger<DispatchLoop> logger)
    : PollingLoop(time, logger)
{
    private const int BatchSize = 50;

    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    // Building (template, signature, encryption) is CPU work: as many at once as there are cores, whatever the number of
    // lanes. More only queue on the same cores and contend for the crypto libraries' locks.
    private readonly SemaphoreSlim building = new(Environment.ProcessorCount, Environment.ProcessorCount);

    protected override async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(smtp.Host))
        {
            return TimeSpan.FromMinutes(1);
        }

        // Several lanes, each with its own claim and SMTP session: while one waits for the server or the database,
        // another builds (signing and encrypting is the CPU work).
        var lanes = Task.WhenAll(Enumerable.Range(0, Math.Max(1, settings.SmtpSessions)).Select(async _ =>
        {
            while (await SendDueAsync(ct) == BatchSize)
            {
            }
        }));

        // While a backlog drains, the Api hears of each mail and its Sent copy is made within about a second, not once
        // the last of thousands has gone.
        while (!lanes.IsCompleted)
        {
            await Task.WhenAny(lanes, Task.Delay(TimeSpan.FromSeconds(1), Time, ct));
            if (!lanes.IsCompleted)
            {
                await ReportAsync(ct);
                await CopyToSentAsync(ct);
            }
        }

        await lanes;
        await ReportAsync(ct);
        await CopyToSentAsync(ct);
        var next = await ledger.NextDueAsync(ct);
        var nap = next is { } at ? at - Time.GetUtcNow() : TimeSpan.FromSeconds(5);
        return nap < TimeSpan.FromSeconds(5) ? nap : TimeSpan.FromSeconds(5);
    }

    private async Task<int> SendDueAsync(CancellationToken ct)
    {
        var (due, until) = await ledger.ClaimDueAsync(BatchSize, Lease, ct);
        if (due.Count == 0)
        {
            return 0;
        }

        var built = new (MimeMessage Message, byte[]? NewBytes, string? Protection)?[due.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, due.Count), new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, token) =>
            {
                await building.WaitAsync(token);
                try
                {
                    built[i] = await BuildAsync(due[i], token);
                }
                finally
                {
                    building.Release();
                }
            });

        // The bytes are kept before the first of them leaves: a mail sent again after a crash is the same mail.
        await ledger.MarkBuiltAsync(
            [.. due.Zip(built).Where(x => x.Second is { NewBytes: not null }).Select(x => (x.First.DispatchId, x.Second!.Value.NewBytes!, x.Second!.Value.Protection!))], ct);

        SmtpClient? client = null;
        var returnPath = MailboxAddress.Parse(settings.ReturnPath ?? settings.Address);
        var marking = Task.CompletedTask;
        var sent = new List<Guid>();
        try
        {
            for (var i = 0; i < due.Count; i++)
            {
                // A batch that took half its lease (a slow server, a busy machine) renews it for the mails still to go, and
                // leaves any whose lease ran out and that another Worker claimed meanwhile: that Worker sends it.
                if (built[i] is not null && Time.GetUtcNow() >= until - Lease / 2)
                {
                    until = await RenewAsync(due, built, i, until, ct);
                }

                if (built[i] is not { } mail)
                {
                    continue;
                }

                try
                {
                    client ??= await MailServers.ConnectSmtpAsync<DispatchSmtpClient>(smtp, ct);
                    await client.SendAsync(FormatOptions.Default, mail.Message, returnPath, mail.Message.To.Mailboxes, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A refusal (5xx) is final for this mail; anything else is tried again. Either way it is this mail's
                    // attempt, and the next mail goes on, on a new session if this one was lost.
                    if (e is SmtpCommandException refusal && (int)refusal.StatusCode >= 500)
                    {
                        await ledger.MarkFailedAsync(due[i].DispatchId, "rejected-by-server", Refused(refusal), ct);
                    }
                    else
                    {
                        var detail = $"Could not hand the mail to {smtp.Host}:{smtp.Port}: {e.Message}";
                        await RetryOrGiveUpAsync(due[i], "smtp-failed", detail, settings.MaxSendAttempts, ct);
                    }

                    if (client is { IsConnected: false })
                    {
                        client.Dispose();
                        client = null;
                    }

                    continue;
                }

                // Written while the next mail goes out: one statement at a time, for every mail sent since the last
                // one began (a group commit, so a slow database makes fewer, larger writes, not a queue). If writing
                // fails, this round stops here and the mails' leases run out: they go again, byte for byte, as after a crash.
                sent.Add(due[i].DispatchId);
                if (marking.IsCompleted)
                {
                    await marking;
                    marking = ledger.MarkSentAsync([.. sent], ct);
                    sent.Clear();
                }

                logger.LogInformation("Mail {MessageId} for {RegisterNumber} sent to {PartnerCode}", due[i].MessageId, due[i].Request.RegisterNumber, due[i].Request.PartnerCode);
            }
        }
        finally
        {
            await marking;
            if (sent.Count > 0)
            {
                await ledger.MarkSentAsync(sent, ct);
            }

            if (client is { IsConnected: true })
            {
                await client.DisconnectAsync(quit: true, CancellationToken.None);
            }

            client?.Dispose();
        }

        return due.Count;
    }

    // Renews the lease of the batch's mails from the i-th on; those claimed by another since lose their built mail here.
    private async Task<DateTimeOffset> RenewAsync<T>(IReadOnlyList<Dispatch> due, T?[] built, int from, DateTimeOffset until, CancellationToken ct)
        where T : struct
    {
        var rest = Enumerable.Range(from, due.Count - from).Where(j => built[j] is not null).ToArray();
        var (held, renewed) = await ledger.RenewAsync([.. rest.Select(j => due[j].DispatchId)], until, Lease, ct);
        foreach (var j in rest.Where(j => !held.Contains(due[j].DispatchId)))
        {
            built[j] = null;
            WorkerMetrics.MailLeaseLost();
            logger.LogWarning(
                "Mail {MessageId} for {RegisterNumber} was not sent by this Worker: its lease ran out before its turn and another Worker claimed it",
                due[j].MessageId, due[j].Request.RegisterNumber);
        }

        return renewed;
    }

    /// <returns>The mail, with its bytes when newly built (to be kept); <c>null</c> when it cannot be built now.</returns>
    private async Task<(MimeMessage Message, byte[]? NewBytes, string? Protection)?> BuildAsync(Dispatch dispatch, CancellationToken ct)
    {
        try
        {
            return await TryBuildAsync(dispatch, ct);
        }
        catch (MailCryptoException e) when (e.Reason is "no-partner-key" or "partner-key-expired" or "partner-key-revoked" or "unusable-partner-key")
        {
            await RetryOrGiveUpAsync(dispatch, e.Reason, e.Message, settings.KeyWaitAttempts, ct);
        }
        catch (MailCryptoException e)
        {
            await ledger.MarkFailedAsync(dispatch.DispatchId, e.Reason, e.Message, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Whatever goes wrong in building one mail (a key a library chokes on, a bug) is that mail's failure: it is
            // counted and retried like a failed send, and the other mails of the round go on.
            logger.LogError(e, "Mail {MessageId} for {RegisterNumber} to {PartnerCode} could not be built", dispatch.MessageId,
                dispatch.Request.RegisterNumber, dispatch.Request.PartnerCode);
            await RetryOrGiveUpAsync(dispatch, "cannot-build",
                $"The mail could not be signed and encrypted because of an unexpected error; the operators find it in the Worker's log "
                + $"({e.GetType().Name}: {e.Message}).", settings.MaxSendAttempts, ct);
        }

        return null;
    }

    private async Task<(MimeMessage Message, byte[]? NewBytes, string? Protection)?> TryBuildAsync(Dispatch dispatch, CancellationToken ct)
    {
        if (dispatch.Mime is { } bytes)
        {
            return (Stored(bytes), null, null);
        }

        var request = dispatch.Request;
        if (request.To.Length == 0)
        {
            await ledger.MarkFailedAsync(dispatch.DispatchId, "no-address", $"The directory has no address for {request.PartnerCode}.", ct);
            return null;
        }

        // The files alone, base64-encoded, already past the limit: refused before any signing and encrypting is spent on them.
        var limit = settings.Limits.MaxOutgoingBytes;
        if (OutgoingAttachments.TotalBytes(request.Attachments) * 4 / 3 > limit)
        {
            await TooLargeAsync(dispatch, OutgoingAttachments.TotalBytes(request.Attachments) * 4 / 3, limit, ct);
            return null;
        }

        var message = PartnerMailBuilder.Build(request, dispatch.MessageId, settings, Time.GetUtcNow());
        var protection = await crypto.ProtectAsync(message, request.PartnerCode, request.Protection, request.PlaintextAllowed, ct);
        using var stream = new MemoryStream();
        await message.WriteToAsync(FormatOptions.Default, stream, ct);
        var built = stream.ToArray();
        if (built.Length > limit)
        {
            await TooLargeAsync(dispatch, built.Length, limit, ct);
            return null;
        }

        return (Stored(built), built, protection);
    }

    // Final, not retried: the same files make the same size. The officer sends fewer or smaller ones, or another way.
    private Task TooLargeAsync(Dispatch dispatch, long size, long limit, CancellationToken ct) =>
        ledger.MarkFailedAsync(
            dispatch.DispatchId, "too-large",
            $"The mail with its {dispatch.Request.Attachments?.Length ?? 0} attached file(s) would be {Megabytes(size)}, more than the "
            + $"{Megabytes(limit)} a mail to a partner may be (Mail:Limits:MaxOutgoingBytes); send fewer or smaller files, or the "
            + "files through another channel.",
            ct);

    private static string Megabytes(long bytes) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MB ({bytes} bytes)");

    private static string Refused(SmtpCommandException e) => e.ErrorCode switch
    {
        SmtpErrorCode.RecipientNotAccepted => $"The mail server refused the partner's address {e.Mailbox}",
        SmtpErrorCode.SenderNotAccepted => $"The mail server refused our sender address {e.Mailbox}",
        _ => "The mail server refused the mail",
    } + $" and said: {(int)e.StatusCode} {e.Message}";

    // What goes to the server is read back from the bytes the ledger keeps, so the first send and any resend after a
    // crash are the same mail. Read in place (persistent): the encoded parts are copied out as they are, not encoded
    // again, which saves the second base64 pass over every mail.
    private static MimeMessage Stored(byte[] bytes) => MimeMessage.Load(new MemoryStream(bytes, writable: false), persistent: true);

    private async Task RetryOrGiveUpAsync(Dispatch dispatch, string reason, string detail, int maxAttempts, CancellationToken ct)
    {
        if (dispatch.Attempts + 1 >= maxAttempts)
        {
            logger.LogWarning("Mail {MessageId} for {RegisterNumber} not delivered after {Attempts} attempts: {Detail}", dispatch.MessageId, dispatch.Request.RegisterNumber, dispatch.Attempts + 1, detail);
            await ledger.MarkFailedAsync(dispatch.DispatchId, reason, detail, ct);
            return;
        }

        var pause = settings.FirstBackoff * Math.Pow(2, dispatch.Attempts);
        await ledger.MarkRetryAsync(dispatch.DispatchId, $"{reason}: {detail}", pause < settings.MaxBackoff ? pause : settings.MaxBackoff, ct);
    }

    private async Task ReportAsync(CancellationToken ct)
    {
        IReadOnlyList<DispatchOutcome> outcomes;
        while ((outcomes = await ledger.UnreportedAsync(200, ct)).Count > 0)
        {
            // Published side by side (each waits for the broker's confirmation), then marked in one statement; a crash in
            // between reports again, which the Api's consumers take as the repeat it is.
            await Parallel.ForEachAsync(outcomes, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = 16 }, (outcome, token) =>
                new ValueTask(outcome.Status == "sent"
                    ? bus.Publish(new PartnerMailSent(outcome.DispatchId, outcome.ItemId, outcome.Purpose, outcome.MessageId, outcome.Protection ?? "", outcome.At), token)
                    : bus.Publish(new PartnerMailNotDelivered(
                        outcome.DispatchId, outcome.ItemId, outcome.Purpose, outcome.Reason ?? "smtp-failed", outcome.Detail ?? "", outcome.Attempts, outcome.At), token)));
            await ledger.MarkReportedAsync(outcomes.Select(o => o.DispatchId), ct);
        }
    }

    private async Task CopyToSentAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(imap.Host))
        {
            return;
        }

        try
        {
            ImapClient? client = null;
            try
            {
                IReadOnlyList<(Guid Id, byte[] Mime)> rows;
                while ((rows = await ledger.NotCopiedAsync(100, ct)).Count > 0)
                {
                    client ??= await MailServers.ConnectImapAsync(imap, settings.Password, ct);
                    var sent = await MailServers.OpenOrCreateAsync(client, imap.SentFolder, FolderAccess.ReadWrite, ct);
                    var requests = new List<IAppendRequest>(rows.Count);
                    foreach (var (_, mime) in rows)
                    {
                        requests.Add(new AppendRequest(Stored(mime), MessageFlags.Seen));
                    }

                    // One APPEND command for the lot where the server has MULTIAPPEND (Dovecot has), one each otherwise.
                    await sent.AppendAsync(requests, ct);
                    await ledger.MarkCopiedAsync(rows.Select(r => r.Id), ct);
                }

                if (client is { IsConnected: true })
                {
                    await client.DisconnectAsync(quit: true, ct);
                }
            }
            finally
            {
                client?.Dispose();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The mail went out; only our copy is late. It is tried again on the next round.
            logger.LogWarning(e, "Could not copy sent mail to the {Folder} folder", imap.SentFolder);
        }
    }
}

/// <summary>
/// Asks the server for delivery reports that name our mail by its Message-ID as the envelope id (ENVID, RFC 3461) and
/// return its headers only: a report then names the dispatch even from a server that returns no part of the mail, and
/// never carries our encrypted body back.
/// </summary>
public sealed class DispatchSmtpClient : SmtpClient
{
    public DispatchSmtpClient() => DeliveryStatusNotificationType = DeliveryStatusNotificationType.HeadersOnly;

    protected override string? GetEnvelopeId(MimeMessage message) => message.MessageId;
}
