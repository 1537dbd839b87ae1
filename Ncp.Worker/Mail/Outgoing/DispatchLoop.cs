using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MassTransit;
using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Worker.Infrastructure.Hosting;
using Ncp.Worker.Infrastructure.Mail;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Crypto;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>
/// Sends what is due in the dispatch ledger: builds the mail once (template, signature, encryption) and keeps its bytes,
/// hands it to the SMTP server, copies it to the Sent folder, and tells the Api the outcome. A failed attempt is retried
/// with growing pauses; after <see cref="GatewaySettings.MaxSendAttempts"/> the Api hears "not delivered".
/// </summary>
public sealed class DispatchLoop(
    DispatchLedger ledger, MailCrypto crypto, GatewaySettings settings, SmtpSettings smtp, ImapSettings imap, IBus bus, TimeProvider time,
    ILogger<DispatchLoop> logger)
    : PollingLoop(time, logger)
{
    private const int BatchSize = 50;

    // A partner's key may still be on its way from the Api (a separate message): wait a little before giving up on it.
    private const int KeyWaitAttempts = 3;

    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    protected override async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(smtp.Host))
        {
            return TimeSpan.FromMinutes(1);
        }

        while (await SendDueAsync(ct) == BatchSize)
        {
        }

        await ReportAsync(ct);
        await CopyToSentAsync(ct);
        var next = await ledger.NextDueAsync(ct);
        var nap = next is { } at ? at - Time.GetUtcNow() : TimeSpan.FromSeconds(5);
        return nap < TimeSpan.FromSeconds(5) ? nap : TimeSpan.FromSeconds(5);
    }

    private async Task<int> SendDueAsync(CancellationToken ct)
    {
        var due = await ledger.ClaimDueAsync(BatchSize, Lease, ct);
        if (due.Count == 0)
        {
            return 0;
        }

        // Building is CPU work (RSA): both cores at once; sending goes one by one over a single SMTP session.
        var built = new MimeMessage?[due.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, due.Count), new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, token) => built[i] = await BuildAsync(due[i], token));

        SmtpClient? client = null;
        try
        {
            for (var i = 0; i < due.Count; i++)
            {
                if (built[i] is not { } message)
                {
                    continue;
                }

                try
                {
                    client ??= await MailServers.ConnectSmtpAsync(smtp, ct);
                    await client.SendAsync(message, ct);
                    await ledger.MarkSentAsync(due[i].DispatchId, ct);
                    logger.LogInformation("Mail {MessageId} for {RegisterNumber} sent to {PartnerCode}", due[i].MessageId, due[i].Request.RegisterNumber, due[i].Request.PartnerCode);
                }
                catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
                {
                    await ledger.MarkFailedAsync(due[i].DispatchId, "rejected-by-server", $"The mail server refused it: {(int)e.StatusCode} {e.Message}", ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await RetryOrGiveUpAsync(due[i], "smtp-failed", $"Could not hand the mail to {smtp.Host}:{smtp.Port}: {e.Message}", settings.MaxSendAttempts, ct);
                    if (client is { IsConnected: false })
                    {
                        client.Dispose();
                        client = null;
                    }
                }
            }
        }
        finally
        {
            if (client is { IsConnected: true })
            {
                await client.DisconnectAsync(quit: true, CancellationToken.None);
            }

            client?.Dispose();
        }

        return due.Count;
    }

    private async Task<MimeMessage?> BuildAsync(Dispatch dispatch, CancellationToken ct)
    {
        if (dispatch.Mime is { } bytes)
        {
            return await MimeMessage.LoadAsync(new MemoryStream(bytes), ct);
        }

        var request = dispatch.Request;
        if (request.To.Length == 0)
        {
            await ledger.MarkFailedAsync(dispatch.DispatchId, "no-address", $"The directory has no address for {request.PartnerCode}.", ct);
            return null;
        }

        var message = PartnerMailBuilder.Build(request, dispatch.MessageId, settings, Time.GetUtcNow());
        try
        {
            var protection = await crypto.ProtectAsync(message, request.PartnerCode, request.Protection, request.PlaintextAllowed, ct);
            using var stream = new MemoryStream();
            await message.WriteToAsync(FormatOptions.Default, stream, ct);
            await ledger.MarkBuiltAsync(dispatch.DispatchId, stream.ToArray(), protection, ct);
            return message;
        }
        catch (MailCryptoException e) when (e.Reason is "no-partner-key" or "partner-key-expired")
        {
            await RetryOrGiveUpAsync(dispatch, e.Reason, e.Message, KeyWaitAttempts, ct);
        }
        catch (MailCryptoException e)
        {
            await ledger.MarkFailedAsync(dispatch.DispatchId, e.Reason, e.Message, ct);
        }

        return null;
    }

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
        foreach (var outcome in await ledger.UnreportedAsync(200, ct))
        {
            if (outcome.Status == "sent")
            {
                await bus.Publish(new PartnerMailSent(outcome.DispatchId, outcome.ItemId, outcome.Purpose, outcome.MessageId, outcome.Protection ?? "", outcome.At), ct);
            }
            else
            {
                await bus.Publish(new PartnerMailNotDelivered(outcome.DispatchId, outcome.ItemId, outcome.Purpose, outcome.Reason ?? "smtp-failed", outcome.Detail ?? "", outcome.Attempts, outcome.At), ct);
            }

            await ledger.MarkReportedAsync(outcome.DispatchId, ct);
        }
    }

    private async Task CopyToSentAsync(CancellationToken ct)
    {
        var rows = await ledger.NotCopiedAsync(200, ct);
        if (rows.Count == 0 || string.IsNullOrEmpty(imap.Host))
        {
            return;
        }

        try
        {
            using ImapClient client = await MailServers.ConnectImapAsync(imap, settings.Password, ct);
            var sent = await MailServers.OpenOrCreateAsync(client, imap.SentFolder, FolderAccess.ReadWrite, ct);
            foreach (var (id, mime) in rows)
            {
                await sent.AppendAsync(new AppendRequest(await MimeMessage.LoadAsync(new MemoryStream(mime), ct), MessageFlags.Seen), ct);
                await ledger.MarkCopiedAsync(id, ct);
            }

            await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The mail went out; only our copy is late. It is tried again on the next round.
            logger.LogWarning(e, "Could not copy sent mail to the {Folder} folder", imap.SentFolder);
        }
    }
}
