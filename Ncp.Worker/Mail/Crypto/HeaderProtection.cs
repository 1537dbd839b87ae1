using MimeKit;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// RFC 9788 header protection for what we send: our headers copied into the part we sign, marked <c>hp="cipher"</c>
/// (encrypted) or <c>hp="clear"</c> (signed only), so that a partner's client that reads them can tell our subject and
/// threading from ones altered on the way. Nothing is obscured outside (partners whose clients predate RFC 9788 still
/// see our subject); the <c>HP-Outer</c> fields say so, as RFC 9788 asks of encrypted mail.
/// </summary>
public static class HeaderProtection
{
    private static readonly HeaderId[] Protected =
    [
        HeaderId.From, HeaderId.To, HeaderId.Cc, HeaderId.ReplyTo, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.InReplyTo,
        HeaderId.References,
    ];

    public static void Protect(MimeMessage message, bool encrypted)
    {
        var body = message.Body ?? throw new InvalidOperationException("A mail without a body cannot carry protected headers.");
        body.ContentType.Parameters["hp"] = encrypted ? "cipher" : "clear";
        // The handling marking too: a partner's client that shows protected headers must not show one altered on the way.
        var copied = message.Headers
            .Where(h => Protected.Contains(h.Id) || Outgoing.HandlingMarking.Headers.Contains(h.Field, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        foreach (var header in copied)
        {
            body.Headers.Add(header.Clone());
            if (encrypted)
            {
                body.Headers.Add("HP-Outer", $"{header.Field}: {header.Value}");
            }
        }
    }
}
