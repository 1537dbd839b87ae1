using System.IO.Compression;
using System.Text.RegularExpressions;
using MassTransit;
using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Worker.Infrastructure.Hosting;
using Ncp.Worker.Infrastructure.Observability;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Crypto;
using Ncp.Worker.Mail.Outgoing;
using Ncp.Worker.Partners;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>An officer's decision that lets a quarantined mail through.</summary>
public sealed record Release(string By, string? PartnerCode);

/// <summary>
/// Opens stored mail: checks its size and shape, decrypts it, verifies every signature, matches the sender to a partner,
/// and hands it to the Api threaded to its item; or sets it aside in quarantine with the reason. One bad mail never stops
/// the others: each is judged on its own.
/// </summary>
public sealed partial class InboundProcessor(
    InboundStore store, MailCrypto crypto, PartnerBook partners, MailThreading threading, GatewaySettings settings, IBus bus, TimeProvider time,
    ILogger<InboundProcessor> logger, SignedContent signedContent, DispatchLedger ledger)
    : PollingLoop(time, logger)
{
    private const int BatchSize = 128;

    private MailLimits Limits => settings.Limits;

    protected override async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        while (await store.ProcessNewAsync(BatchSize, mail => JudgeAsync(mail, ct), ct))
        {
        }

        return TimeSpan.FromSeconds(2);
    }

    /// <summary>Processes a quarantined mail again, letting through what the officer accepted.</summary>
    public async Task ReleaseAsync(InboundMail mail, Release release, CancellationToken ct)
    {
        var verdict = await ExamineAsync(mail, release, ct);
        if (verdict.Received is { } received)
        {
            await bus.Publish(received, ct);
        }
        else if (verdict.DeliveryReport is { } report)
        {
            await bus.Publish(report, ct);
        }
    }

    // Never throws but when stopping: a mail that cannot be read is retried a bounded number of times and then held as
    // unprocessable; a broker that is away only postpones the hand-over, counting nothing against the mail.
    private async Task<Judgement> JudgeAsync(InboundMail mail, CancellationToken ct)
    {
        Verdict verdict;
        if (mail.Attempts > Limits.MaxAttempts)
        {
            verdict = Unprocessable(mail, mail.LastError ?? "the gateway stopped while opening it");
        }
        else
        {
            try
            {
                verdict = await ExamineAsync(mail, release: null, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                var error = $"{e.GetType().Name}: {e.Message}";
                logger.LogError(e, "Opening mail {InboundId} failed (attempt {Attempt} of {MaxAttempts})", mail.Id, mail.Attempts, Limits.MaxAttempts);
                if (mail.Attempts < Limits.MaxAttempts)
                {
                    return Judgement.Retry(error, Limits.RetryAfter * Math.Pow(2, mail.Attempts - 1));
                }

                verdict = Unprocessable(mail, error);
            }
        }

        try
        {
            return await HandOverAsync(mail, verdict, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Mail {InboundId} judged but not handed over; trying again", mail.Id);
            return Judgement.Later($"hand-over failed: {e.Message}");
        }
    }

    private Verdict Unprocessable(InboundMail mail, string error) => new(null, "unprocessable",
        $"The gateway could not read this mail in {Limits.MaxAttempts} attempts; the last error was: {MailText.Header(error, 1_000)}", null);

    private async Task<Judgement> HandOverAsync(InboundMail mail, Verdict verdict, CancellationToken ct)
    {
        if (verdict.DeliveryReport is { } report)
        {
            await bus.Publish(report, ct);
            var said = $"{report.Status} for {string.Join(", ", report.Recipients)} of {report.MessageId}: {report.DiagnosticCode}";
            logger.LogWarning("Mail {MessageId} for item {ItemId} reported {Action} by {ReportingMta}: {Said}",
                report.MessageId, report.ItemId, report.Action, report.ReportingMta, said);
            return new Judgement("delivery-report", report.Action, said, null);
        }

        if (verdict.Received is { } received)
        {
            await bus.Publish(received, ct);
            WorkerMetrics.MailReceived();
            logger.LogInformation("Mail {MessageId} from {PartnerCode} handed to the Api ({Protection}, signature {Signature})",
                received.MessageId, received.PartnerCode, received.Protection, received.Signature);
            return new Judgement("delivered", verdict.Reason, verdict.Detail, received.PartnerCode);
        }

        var headers = TryHeaders(mail.Raw);
        await bus.Publish(new MailQuarantined(
            mail.Id, verdict.Reason!, MailText.Body(verdict.Detail!), headers.From, headers.Subject, headers.MessageId, mail.Raw.LongLength, mail.ReceivedAt,
            verdict.PartnerCode, verdict.Thread?.ItemId, verdict.Thread?.RegisterNumbers, verdict.Content), ct);
        WorkerMetrics.MailQuarantined(verdict.Reason!);
        logger.LogWarning("Mail {InboundId} ({MessageId}) from {From} quarantined: {Reason}: {Detail}", mail.Id, headers.MessageId, headers.From, verdict.Reason, verdict.Detail);
        return new Judgement("quarantined", verdict.Reason, verdict.Detail, verdict.PartnerCode);
    }

    private sealed record Verdict(
        PartnerMailReceived? Received, string? Reason, string? Detail, string? PartnerCode, MailThread? Thread = null,
        PartnerMailBounced? DeliveryReport = null, HeldMailContent? Content = null);

    // What the outer headers say the held mail answers, for the Api to keep it in that item's compartment: whoever sent
    // it, a mail about an item is not to be shown to officers not cleared for that item.
    private async Task<MailThread?> OuterThreadAsync(Examination e, CancellationToken ct)
    {
        if (e.Message is not { } message)
        {
            return null;
        }

        var thread = await threading.ThreadOfAsync(message, e.Partner?.Code ?? "", MailText.Header(message.Subject) ?? "", "", ct);
        return thread with { ItemId = thread.ItemId ?? thread.ForeignItemIds.Cast<Guid?>().FirstOrDefault() };
    }

    /// <summary>
    /// Runs the checks (<see cref="Checks"/>) in order: the first fault sends the mail to quarantine; a released mail goes
    /// through them all with its faults written on it, unless a fault is one no release can pass.
    /// </summary>
    private async Task<Verdict> ExamineAsync(InboundMail mail, Release? release, CancellationToken ct)
    {
        var mailBeingRead = new Examination(mail, release);
        foreach (var check in Checks)
        {
            if (await check(mailBeingRead, ct) is not { } fault)
            {
                if (mailBeingRead.DeliveryReport is { } report)
                {
                    return new Verdict(null, null, null, null, DeliveryReport: report);
                }

                continue;
            }

            if (release is null || !fault.Releasable)
            {
                return new Verdict(
                    null, fault.Reason, fault.Detail, mailBeingRead.Partner?.Code, await OuterThreadAsync(mailBeingRead, ct),
                    Content: release is null ? await ReadableAsync(mailBeingRead, fault, ct) : null);
            }

            mailBeingRead.Faults.Add($"{fault.Reason}: {fault.Detail}");
        }

        return new Verdict(await ReceivedAsync(mailBeingRead, ct), mailBeingRead.Faults.Count > 0 ? "released" : null,
            mailBeingRead.Faults.Count > 0 ? string.Join("; ", mailBeingRead.Faults) : null, mailBeingRead.Partner!.Code);
    }

    private async Task<PartnerMailReceived> ReceivedAsync(Examination e, CancellationToken ct)
    {
        var message = e.Shown ?? e.Message!;
        MailCharsets.Mend(e.Unwrapped!.Content);
        var inner = new MimeMessage { Body = e.Unwrapped!.Content };
        var text = MailText.Body(inner.TextBody ?? "");
        var subject = MailText.Header(message.Subject) ?? "";
        var thread = await threading.ThreadOfAsync(message, e.Partner!.Code, subject, text, ct);
        var signature = e.Faults.Count > 0 ? "released despite: " + string.Join("; ", e.Faults)
            : e.SignatureFault is { } sf ? $"{sf.Reason}: {sf.Detail}" : "valid";
        var signer = e.Unwrapped.Signers.FirstOrDefault(s => s.SignatureValid);
        return new PartnerMailReceived(
            e.Mail.Id, MailText.Header(message.MessageId) is { Length: > 0 } id ? id : $"no-message-id-{e.Mail.Id:N}", e.Partner!.Code,
            MailText.Header((message.From.Mailboxes.FirstOrDefault() ?? e.From!).Address)!, subject, text, inner.HtmlBody is { } html ? MailText.Body(html) : null, thread.ItemId,
            thread.RegisterNumbers, e.Unwrapped.Protection, signature, signer?.Fingerprint ?? signer?.Email, [.. e.Attachments], e.Release?.By,
            e.Mail.ReceivedAt, [.. e.Warnings], thread.ForeignItemIds,
            PartnerMarkings.Read([message.Headers, inner.Body.Headers], subject, text), [.. e.CodedWarnings]);
    }

    private async Task<(string Reason, string Detail)?> JudgeSignaturesAsync(IReadOnlyList<SignerCheck> signers, PartnerEntry partner, DateTimeOffset sentAt, CancellationToken ct)
    {
        if (signers.Count == 0)
        {
            return ("missing-signature", "The mail is not signed, so nothing shows it comes from the partner.");
        }

        var now = Time.GetUtcNow();
        var keys = await partners.KeysAsync(partner.Code, ct);
        foreach (var s in signers)
        {
            if (!s.SignatureValid)
            {
                return ("bad-signature", s.Error ?? "The signature does not match the content: altered on the way, or forged.");
            }

            if (SignatureDigests.Weakness(s) is { } weak)
            {
                return ("weak-signature", weak);
            }

            if (s.Revocation is { } revocation)
            {
                return ("revoked-key", $"The signer's certificate {s.Fingerprint} ({s.Email}) was {revocation.Words}.");
            }

            var key = keys.FirstOrDefault(k => string.Equals(k.Fingerprint, s.Fingerprint, StringComparison.OrdinalIgnoreCase));
            if (s.KeyRevoked || key is { Removed: true })
            {
                return ("revoked-key", $"Signed with {s.Fingerprint}, which {(s.KeyRevoked ? "its owner revoked" : $"was withdrawn on {key!.RemovedAt:yyyy-MM-dd}")}.");
            }

            if (s.NotAfter is { } expiry && expiry < now)
            {
                var when = s.SignedAt ?? sentAt;
                return (s.Scheme == "smime" ? "expired-certificate" : "expired-key",
                    $"The signer's {(s.Scheme == "smime" ? "certificate" : "key")} {s.Fingerprint} expired on {expiry:yyyy-MM-dd}" +
                    (when < expiry ? $"; the mail says it was signed on {when:yyyy-MM-dd}, while it was still valid." : "."));
            }

            var ours = key is not null
                || (s.Scheme == "smime" && s.ChainError is null && s.Email is { } email && partner.Addresses.Contains(email, StringComparer.OrdinalIgnoreCase));
            if (!ours)
            {
                return ("signer-not-partner", $"Signed by {s.Email ?? s.Fingerprint ?? "an unknown key"}, which is not a key of {partner.Code}" +
                    (s.ChainError is { } chain ? $" ({chain})." : "."));
            }
        }

        return null;
    }

    private static int Count(MimeEntity? entity) => entity is null ? 0 : Parts(entity).Take(100_000).Count();

    private static IEnumerable<MimeEntity> Parts(MimeEntity entity)
    {
        yield return entity;
        if (entity is Multipart multipart)
        {
            foreach (var child in multipart.SelectMany(Parts))
            {
                yield return child;
            }
        }
        else if (entity is MessagePart { Message.Body: { } body })
        {
            foreach (var child in Parts(body))
            {
                yield return child;
            }
        }
    }

    // Sizes declared in the archive are not trusted (a Zip64 entry can claim any length, or one that overflows a sum):
    // each entry is inflated and counted, stopping as soon as a limit is passed.
    private string? ArchiveBomb(MemoryStream bytes, string name)
    {
        if (!name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) && !(bytes.Length > 4 && bytes.GetBuffer()[0] == 'P' && bytes.GetBuffer()[1] == 'K'))
        {
            return null;
        }

        try
        {
            bytes.Position = 0;
            using var zip = new ZipArchive(bytes, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > Limits.MaxArchiveEntries)
            {
                return $"{zip.Entries.Count:N0} entries; the limit is {Limits.MaxArchiveEntries:N0}.";
            }

            var budget = Math.Min(Limits.MaxArchiveExpandedBytes, Math.Max(1, bytes.Length) * (long)Limits.MaxArchiveRatio);
            long expanded = 0;
            var nested = false;
            var buffer = new byte[81920];
            foreach (var entry in zip.Entries)
            {
                nested |= entry.FullName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
                using var content = entry.Open();
                int read;
                while ((read = content.Read(buffer)) > 0)
                {
                    expanded += read;
                    if (expanded > budget)
                    {
                        return expanded > Limits.MaxArchiveExpandedBytes
                            ? $"expands to more than {Limits.MaxArchiveExpandedBytes:N0} bytes, the limit."
                            : $"expands more than {Limits.MaxArchiveRatio} times, the limit.";
                    }
                }
            }

            return nested && expanded / Math.Max(1, bytes.Length) > Limits.MaxArchiveRatio / 10 ? "nested archives that expand sharply." : null;
        }
        catch (InvalidDataException)
        {
            // Not a readable archive: nothing here expands it, so it goes on as the file it is.
            return null;
        }
        catch (Exception e) when (e is OverflowException or ArgumentException or IOException or NotSupportedException)
        {
            return $"an archive whose entries cannot be true ({e.Message})";
        }
        finally
        {
            bytes.Position = 0;
        }
    }

    private static string SafeFileName(string? name, int index)
    {
        var file = Path.GetFileName(name ?? "");
        file = new string(file.Where(c => !char.IsControl(c) && c is not '/' and not '\\').ToArray()).Trim();
        return string.IsNullOrEmpty(file) ? $"attachment-{index + 1}.bin" : file.Length > 200 ? file[^200..] : file;
    }

    private static MimeEntity WithOriginal(MimeEntity note, byte[] raw) => new Multipart("mixed")
    {
        note,
        new MimePart("message", "rfc822") { FileName = "original.eml", Content = new MimeContent(new MemoryStream(raw)), ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) },
    };

    private static (string From, string Subject, string MessageId) TryHeaders(byte[] raw)
    {
        try
        {
            var headers = RawHeaders.Load(raw, ImapIntake.ListedHeaderBytes);
            return (MailText.Header(headers[HeaderId.From]) ?? "", MailText.Header(headers[HeaderId.Subject]) ?? "",
                MailText.Header(headers[HeaderId.MessageId]?.Trim().Trim('<', '>')) ?? "");
        }
        catch (Exception e) when (e is FormatException or ArgumentException or System.Text.DecoderFallbackException)
        {
            return ("", "", "");
        }
    }

}
