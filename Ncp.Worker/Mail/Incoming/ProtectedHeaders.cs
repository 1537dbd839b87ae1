using MimeKit;
using Ncp.Contracts.Mail;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// What the partner signed (or encrypted) of the headers, preferred to what the mail carries outside: the outer headers
/// are anyone's to rewrite on the way, the protected ones are not. Read from RFC 9788 header protection (the root part
/// of the protected content marked <c>hp="cipher"</c> or <c>hp="clear"</c>, or the draft's <c>protected-headers="v1"</c>,
/// whose own header fields are the protected ones) and from the older convention of a whole message wrapped in
/// message/rfc822 (RFC 8551 3.1).
/// </summary>
public static class ProtectedHeaders
{
    /// <summary>The outer obscured Subject of RFC 9788 (its "[...]"): the real one is inside, and not a mismatch.</summary>
    public const string ObscuredSubject = "[...]";

    /// <summary>
    /// The mail as shown and threaded (outer headers with the protected ones put in their place), the content inside the
    /// protected headers, and each header outside that differs from the protected one, in words for the officer.
    /// </summary>
    public sealed record Reading(MimeMessage Shown, MimeEntity Content, IReadOnlyList<(string Words, MailWarning Coded)> Mismatches);

    private static readonly HeaderId[] Taken =
    [
        HeaderId.Subject, HeaderId.From, HeaderId.Sender, HeaderId.ReplyTo, HeaderId.To, HeaderId.Cc, HeaderId.Date, HeaderId.MessageId,
        HeaderId.InReplyTo, HeaderId.References,
    ];

    /// <returns>Null when the content carries no protected headers: the outer ones are all there is.</returns>
    public static Reading? Read(MimeMessage outer, MimeEntity content, bool signed)
    {
        var (headers, inside, obscuring) = content switch
        {
            MessagePart { Message: { Body: { } body } wrapped } part when part.ContentDisposition?.IsAttachment != true => (wrapped.Headers, body, false),
            _ when content.ContentType.Parameters["hp"] is { } hp && (hp.Equals("cipher", StringComparison.OrdinalIgnoreCase)
                || hp.Equals("clear", StringComparison.OrdinalIgnoreCase)) => (content.Headers, content, hp.Equals("cipher", StringComparison.OrdinalIgnoreCase)),
            _ when content.ContentType.Parameters["protected-headers"] is "v1" => (content.Headers, content, true),
            _ => (null, content, false),
        };
        if (headers is null || !Taken.Any(id => headers.Contains(id)))
        {
            return null;
        }

        var shown = Shown(outer, headers);
        var outside = signed ? "outside the signature" : "outside the encryption";
        var mismatches = new List<(string, MailWarning)>();
        void Compare(string header, string what, string? outerValue, string? protectedValue, bool obscured = false)
        {
            if (!string.Equals(Clean(outerValue), Clean(protectedValue), StringComparison.Ordinal) && !obscured)
            {
                var (was, shownValue) = (Clean(outerValue) ?? "", Clean(protectedValue) ?? "");
                mismatches.Add((
                    $"The {what} {outside} differs: \"{(was.Length > 0 ? was : "(none)")}\"; the protected \"{(shownValue.Length > 0 ? shownValue : "(none)")}\" is shown.",
                    new MailWarning("header-differs", new()
                    {
                        ["header"] = header, ["outside"] = signed ? "signature" : "encryption", ["outer"] = was, ["protected"] = shownValue,
                    })));
            }
        }

        if (headers.Contains(HeaderId.Subject))
        {
            Compare("subject", "subject", outer.Subject, shown.Subject, obscuring && outer.Subject?.Trim() == ObscuredSubject);
        }

        if (headers.Contains(HeaderId.From))
        {
            Compare("from", "sender (From)", Addresses(outer.From), Addresses(shown.From));
        }

        if (headers.Contains(HeaderId.MessageId))
        {
            Compare("message-id", "Message-ID", outer.MessageId, shown.MessageId);
        }

        if (headers.Contains(HeaderId.InReplyTo))
        {
            Compare("in-reply-to", "In-Reply-To", outer.InReplyTo, shown.InReplyTo);
        }

        if (headers.Contains(HeaderId.References))
        {
            Compare("references", "References", string.Join(" ", outer.References), string.Join(" ", shown.References));
        }

        return new Reading(shown, inside, mismatches);
    }

    // A copy of the outer headers with each protected field put in place of the outer one: what the partner did not
    // protect (Received, Delivered-To…) still reads as it came.
    private static MimeMessage Shown(MimeMessage outer, HeaderList protectedHeaders)
    {
        var shown = new MimeMessage();
        shown.Headers.Clear();
        var taken = Taken.Where(protectedHeaders.Contains).ToHashSet();
        foreach (var header in outer.Headers.Where(h => !taken.Contains(h.Id)))
        {
            shown.Headers.Add(header.Clone());
        }

        foreach (var header in protectedHeaders.Where(h => taken.Contains(h.Id)))
        {
            shown.Headers.Add(header.Clone());
        }

        return shown;
    }

    private static string Addresses(InternetAddressList list) =>
        string.Join(", ", list.Mailboxes.Select(m => m.Address.ToLowerInvariant()).Order(StringComparer.Ordinal));

    private static string? Clean(string? value) => MailText.Header(value?.Trim(), 300) is { Length: > 0 } clean ? clean : null;
}
