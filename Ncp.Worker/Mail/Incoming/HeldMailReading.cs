using System.Security.Cryptography;
using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Worker.Mail.Crypto;
using Ncp.Worker.Partners;

namespace Ncp.Worker.Mail.Incoming;

public sealed partial class InboundProcessor
{
    /// <summary>Longest body passed on, as for a partner's mail the Api files (its own cut is the same).</summary>
    public const int MaxHeldText = 200_000;

    // Mail from an address no partner has is opened with no partner's trust anchors: its signatures are checked, and its
    // signer shown, but nothing about it is trusted.
    private static readonly PartnerEntry Stranger = new("", [], [], "", PlaintextAllowed: true, Active: false);

    /// <summary>
    /// What an officer may read of a mail about to be held, so that the decision is made on the mail and not on its headers:
    /// as far as the checks opened it, or, for an unknown sender, opened now without trusting anything. A mail too large
    /// or too malformed to open safely is not read; reading never stops it from being held.
    /// </summary>
    private async Task<HeldMailContent?> ReadableAsync(Examination e, Fault fault, CancellationToken ct)
    {
        // A mail whose headers or size failed was never parsed (Message is null); one that is too large is not read now either.
        if (e.Message is null || e.Mail.Raw.LongLength > Limits.MaxMessageBytes)
        {
            return null;
        }

        try
        {
            if (e.Unwrapped is null && fault.Reason == "unknown-sender")
            {
                e.Unwrapped = await crypto.UnwrapAsync(e.Message, Limits.MaxDepth, Stranger, ct);
            }

            return e.Unwrapped switch
            {
                null => null,
                { Protection: "unreadable" } => Unreadable(fault.Detail),
                { Content: var content } when Count(content) > Limits.MaxParts => Unreadable($"More than {Limits.MaxParts} MIME parts."),
                var unwrapped => await ContentOfAsync(unwrapped, ct),
            };
        }
        catch (MailCryptoException error)
        {
            return Unreadable($"{error.Reason}: {error.Message}");
        }
        catch (Exception error) when (error is FormatException or InvalidOperationException or NotSupportedException or IOException)
        {
            logger.LogWarning(error, "Held mail {InboundId} could not be read for the officer", e.Mail.Id);
            return Unreadable(error.GetType().Name);
        }
    }

    private async Task<HeldMailContent> ContentOfAsync(Unwrapped unwrapped, CancellationToken ct)
    {
        var inner = new MimeMessage { Body = unwrapped.Content };
        var (text, textCut) = Cut(inner.TextBody);
        var (html, htmlCut) = Cut(inner.HtmlBody);
        var attachments = new List<HeldAttachment>();
        long total = 0;
        foreach (var part in AttachmentParts(unwrapped.Content))
        {
            using var bytes = new MemoryStream();
            await part.Content!.DecodeToAsync(bytes, ct);
            total += bytes.Length;
            var content = bytes.ToArray();
            attachments.Add(new HeldAttachment(
                SafeFileName(part.FileName, attachments.Count), MailText.Header(part.ContentType.MimeType) ?? "application/octet-stream", content.LongLength,
                Convert.ToHexStringLower(SHA256.HashData(content)), total <= Limits.MaxAttachmentBytes ? content : null));
        }

        return new HeldMailContent(unwrapped.Protection, text, html, textCut || htmlCut, [.. attachments], [.. unwrapped.Signers.Select(SignerOf)]);
    }

    private HeldSigner SignerOf(SignerCheck s) => new(
        s.Scheme, s.SignatureValid, MailText.Header(s.Subject), MailText.Header(s.Email), s.Fingerprint, MailText.Header(s.Issuer), s.NotBefore, s.NotAfter,
        s.SignedAt, MailText.Header(s.Error ?? s.ChainError ?? s.Revocation?.Words ?? (s.KeyRevoked ? "The key was revoked by its owner." : null)));

    private static (string? Text, bool Cut) Cut(string? body) => body is null ? (null, false)
        : body.Length <= MaxHeldText ? (MailText.Body(body), false) : (MailText.Body(body[..MaxHeldText]), true);

    private static HeldMailContent Unreadable(string why) => new("unreadable", null, null, false, [], [], MailText.Header(why));
}
