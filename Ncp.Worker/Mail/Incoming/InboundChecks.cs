using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Worker.Mail.Crypto;
using Ncp.Worker.Partners;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>A reason to hold a mail: what was seen, in words; <see cref="Releasable"/> false when no officer's release can pass it.</summary>
public sealed record Fault(string Reason, string Detail, bool Releasable = true);

/// <summary>A mail as the checks learn it, each check adding what it found for the ones after it.</summary>
public sealed class Examination(InboundMail mail, Release? release)
{
    public InboundMail Mail { get; } = mail;

    public Release? Release { get; } = release;

    public MimeMessage? Message { get; set; }

    public MailboxAddress? From { get; set; }

    public PartnerEntry? Partner { get; set; }

    public Unwrapped? Unwrapped { get; set; }

    public (string Reason, string Detail)? SignatureFault { get; set; }

    /// <summary>The mail as shown and threaded: its protected headers in place of the outer ones, when it has them.</summary>
    public MimeMessage? Shown { get; set; }

    /// <summary>What the officer should know though the mail was not held (outer headers that differ, an old signing time).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The same warnings as codes, one for each of <see cref="Warnings"/>, for the officer's language.</summary>
    public List<MailWarning> CodedWarnings { get; } = [];

    /// <summary>Notes a warning in words (for an Api older than the codes) and as a code.</summary>
    public void Warn(string words, MailWarning coded)
    {
        Warnings.Add(words);
        CodedWarnings.Add(coded);
    }

    public List<MailAttachment> Attachments { get; } = [];

    /// <summary>Faults an officer's release let through, written on the mail the Api receives.</summary>
    public List<string> Faults { get; } = [];

    /// <summary>A mail server's report that our mail failed or is delayed: the mail is that, and goes no further.</summary>
    public PartnerMailBounced? DeliveryReport { get; set; }
}

public sealed partial class InboundProcessor
{
    private delegate ValueTask<Fault?> Check(Examination mail, CancellationToken ct);

    /// <summary>What an inbound mail goes through, in order: the cheap and the unauthenticated first, the crypto after.</summary>
    private Check[] Checks =>
    [
        SizeAsync, HeaderBlockAsync, ParsedAsync, SenderAsync, OuterPartsAsync, DeliveryReportAsync, PartnerAsync, UnwrappedAsync, InnerPartsAsync,
        EncryptedAsync, SignedAsync, signedContent.ReplayedAsync, signedContent.ProtectedHeadersAsync, signedContent.SigningTimeAsync, AttachmentsAsync,
    ];

    private ValueTask<Fault?> SizeAsync(Examination e, CancellationToken ct) => Done(e.Mail.Raw.LongLength > Limits.MaxMessageBytes
        ? new Fault("too-large", $"{e.Mail.Raw.LongLength:N0} bytes; the limit is {Limits.MaxMessageBytes:N0}.")
        : null);

    // Not opened at all, even when released: reading a header this large would hold the gateway for minutes.
    private ValueTask<Fault?> HeaderBlockAsync(Examination e, CancellationToken ct) => Done(RawHeaders.Length(e.Mail.Raw) is var bytes && bytes > Limits.MaxHeaderBytes
        ? new Fault("too-large", $"The header block is {bytes:N0} bytes; the limit is {Limits.MaxHeaderBytes:N0}.", Releasable: false)
        : null);

    private async ValueTask<Fault?> ParsedAsync(Examination e, CancellationToken ct)
    {
        try
        {
            e.Message = await MailCharsets.LoadAsync(e.Mail.Raw, Limits.MaxDepth, ct);
            return null;
        }
        catch (FormatException error)
        {
            return new Fault("malformed", $"Not a readable mail: {error.Message}", Releasable: false);
        }
    }

    private ValueTask<Fault?> SenderAsync(Examination e, CancellationToken ct)
    {
        e.From = e.Message!.From.Mailboxes.FirstOrDefault() ?? e.Message.Sender;
        return Done(e.From is null ? new Fault("malformed", "The mail names no sender (no From or Sender header).", Releasable: false) : null);
    }

    private ValueTask<Fault?> OuterPartsAsync(Examination e, CancellationToken ct) =>
        Done(Count(e.Message!.Body) > Limits.MaxParts ? new Fault("too-many-parts", $"More than {Limits.MaxParts} MIME parts.") : null);

    // A mail server is no partner and signs nothing, so a delivery report is read before a partner is looked for, once the
    // mail's size and shape are known to be sane. It only marks what became of a mail of ours it names, for an address that
    // mail went to; one that names none of ours goes on to be judged like any mail (and held: its sender is no partner).
    private async ValueTask<Fault?> DeliveryReportAsync(Examination e, CancellationToken ct)
    {
        if (DeliveryReports.Read(e.Message!) is not { } report)
        {
            return null;
        }

        string[] named = [.. report.OriginalMessageIds, .. report.EnvelopeId is { } envelope ? new[] { envelope } : []];
        foreach (var dispatch in await ledger.SentWithMessageIdsAsync(named, ct))
        {
            if (DeliveryReports.Judge(report, dispatch) is { } outcome)
            {
                e.DeliveryReport = new PartnerMailBounced(
                    e.Mail.Id, dispatch.DispatchId, dispatch.ItemId, dispatch.Purpose, dispatch.MessageId, outcome.Action,
                    outcome.Recipients,
                    dispatch.Recipients, outcome.Status, outcome.DiagnosticCode, outcome.RemoteMta, report.ReportingMta, e.Mail.ReceivedAt);
                return null;
            }
        }

        return null;
    }

    // An unknown sender can be released only by an officer who names the partner the mail comes from.
    private async ValueTask<Fault?> PartnerAsync(Examination e, CancellationToken ct)
    {
        var candidates = await partners.FindByAddressAsync(e.From!.Address, ct);
        e.Partner = candidates.FirstOrDefault(p => p.Active) ?? candidates.FirstOrDefault();
        if (e.Partner is not null)
        {
            return null;
        }

        var unknown = $"{e.From.Address} is not the address of any partner in the directory.";
        if (e.Release?.PartnerCode is { } chosen && await partners.FindAsync(chosen, ct) is { } named)
        {
            e.Partner = named;
            return new Fault("unknown-sender", unknown);
        }

        return new Fault("unknown-sender", e.Release is null ? unknown : "Released without naming a partner the gateway knows.", Releasable: false);
    }

    private async ValueTask<Fault?> UnwrappedAsync(Examination e, CancellationToken ct)
    {
        try
        {
            e.Unwrapped = await crypto.UnwrapAsync(e.Message!, Limits.MaxDepth, e.Partner!, ct);
            return null;
        }
        catch (MailCryptoException error)
        {
            // Released though unreadable: the officer gets the sealed mail itself, to handle by other means.
            var note = new TextPart("plain") { Text = $"This mail could not be opened ({error.Reason}: {error.Message}). The original is attached." };
            e.Unwrapped = new Unwrapped(WithOriginal(note, e.Mail.Raw), "unreadable", false, [], []);
            return new Fault(error.Reason, error.Message);
        }
    }

    private ValueTask<Fault?> InnerPartsAsync(Examination e, CancellationToken ct) => Done(Count(e.Unwrapped!.Content) > Limits.MaxParts
        ? new Fault("too-many-parts", $"More than {Limits.MaxParts} MIME parts inside the protection.")
        : null);

    private ValueTask<Fault?> EncryptedAsync(Examination e, CancellationToken ct) => Done(!e.Unwrapped!.Encrypted && !e.Partner!.PlaintextAllowed
        ? new Fault("not-encrypted", $"{e.Partner.Code} must send encrypted mail ({e.Partner.Encryption}); this one came {e.Unwrapped.Protection}.")
        : null);

    // A partner allowed to send plaintext may also send it unsigned; the Api still shows the mail as not signed.
    private async ValueTask<Fault?> SignedAsync(Examination e, CancellationToken ct)
    {
        var partner = e.Partner!;
        e.SignatureFault = await JudgeSignaturesAsync(e.Unwrapped!.Signers, partner, e.Message!.Date, ct);
        return e.SignatureFault is { } sf && !(partner.PlaintextAllowed && sf.Reason == "missing-signature") ? new Fault(sf.Reason, sf.Detail) : null;
    }

    // Each attachment decoded once and kept; an archive is opened only to measure it. Without a release the first fault
    // ends the reading; a released mail keeps every attachment, with every fault named.
    private async ValueTask<Fault?> AttachmentsAsync(Examination e, CancellationToken ct)
    {
        var content = e.Unwrapped!.Content;
        var faults = new List<Fault>();
        long total = 0;
        foreach (var attachment in AttachmentParts(content))
        {
            using var bytes = new MemoryStream();
            await attachment.Content!.DecodeToAsync(bytes, ct);
            total += bytes.Length;
            var name = SafeFileName(attachment.FileName, e.Attachments.Count);
            if (total > Limits.MaxAttachmentBytes)
            {
                faults.Add(new Fault("too-large", $"Attachments exceed {Limits.MaxAttachmentBytes:N0} bytes."));
            }
            else if (ArchiveBomb(bytes, name) is { } bomb)
            {
                faults.Add(new Fault("archive-bomb", $"{name}: {bomb}"));
            }

            if (faults.Count > 0 && e.Release is null)
            {
                return faults[0];
            }

            e.Attachments.Add(new MailAttachment(name, attachment.ContentType.MimeType, bytes.ToArray()));
        }

        return faults.Count == 0 ? null : faults[0] with { Detail = string.Join("; ", faults.Select(f => f.Detail).Distinct()) };
    }

    private static IEnumerable<MimePart> AttachmentParts(MimeEntity content) =>
        (content is Multipart || content is MimePart { IsAttachment: true } ? Parts(content) : [])
        .OfType<MimePart>().Where(p => p is { IsAttachment: true, Content: not null });

    private static ValueTask<Fault?> Done(Fault? fault) => ValueTask.FromResult(fault);
}
