using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Worker.Mail.Incoming;
using Org.BouncyCastle.Bcpg;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>What an inline OpenPGP layer held: the content, whether it was encrypted, and the signatures over it.</summary>
internal sealed record InlineOpened(MimeEntity Content, bool Encrypted, IReadOnlyList<IDigitalSignature> Signatures);

/// <summary>
/// OpenPGP as many partners' clients still send it: an ASCII-armored block in the text of the mail (RFC 4880 6.2), an
/// encrypted message or clear-signed text (RFC 4880 7), rather than PGP/MIME. Encrypted attachments beside it
/// (<c>report.pdf.pgp</c>) are opened too. Only what the blocks protect is kept: text a server added around a block
/// (a disclaimer) is dropped, and a part outside any block makes the mail unreadable rather than half-protected.
/// </summary>
internal static class InlinePgp
{
    private const string MessageBegin = "-----BEGIN PGP MESSAGE-----";
    private const string MessageEnd = "-----END PGP MESSAGE-----";
    private const string SignedBegin = "-----BEGIN PGP SIGNED MESSAGE-----";
    private const string SignatureBegin = "-----BEGIN PGP SIGNATURE-----";
    private const string SignatureEnd = "-----END PGP SIGNATURE-----";

    private static readonly string[] EncryptedFileSuffixes = [".pgp", ".gpg", ".asc"];

    private enum Kind
    {
        Message,
        ClearSigned,

        // Armor an HTML editor has wrapped in markup: its lines cannot be told apart from the markup with certainty.
        InHtml,
    }

    private sealed record Block(Kind Kind, byte[] Bytes);

    /// <summary>Whether the entity, or one of its parts, carries an inline OpenPGP block.</summary>
    public static bool Carries(MimeEntity entity) => Leaves(entity).Any(p => Find(p) is not null);

    /// <param name="buffer">Where decrypted text is written (capped: see <see cref="CappedBuffer"/>).</param>
    public static InlineOpened Open(MimeEntity entity, NcpOpenPgpContext pgp, Func<MemoryStream> buffer, CancellationToken ct)
    {
        var opened = new List<InlineOpened>();
        var content = Open(entity, pgp, buffer, opened, ct)
            ?? throw new MailCryptoException("malformed", "The mail holds nothing but blank text.");
        return new InlineOpened(content, opened.TrueForAll(o => o.Encrypted), [.. opened.SelectMany(o => o.Signatures)]);
    }

    // The entity with each block replaced by what it protects; null for blank text, which is dropped.
    private static MimeEntity? Open(MimeEntity entity, NcpOpenPgpContext pgp, Func<MemoryStream> buffer, List<InlineOpened> opened, CancellationToken ct)
    {
        switch (entity)
        {
            // Clients that write HTML send the armored text twice: as text/plain and as its HTML rendering.
            case Multipart alternative when alternative.ContentType.IsMimeType("multipart", "alternative")
                && alternative.OfType<MimePart>().FirstOrDefault(p => p.ContentType.IsMimeType("text", "plain") && Find(p) is not null)
                    is { } plain:
                return Open(plain, pgp, buffer, opened, ct);
            case Multipart multipart:
            {
                var rebuilt = new Multipart(multipart.ContentType.MediaSubtype);
                foreach (var child in multipart)
                {
                    if (Open(child, pgp, buffer, opened, ct) is { } inner)
                    {
                        rebuilt.Add(inner);
                    }
                }

                return rebuilt;
            }

            case MimePart part when Find(part) is { } block:
            {
                var one = block.Kind switch
                {
                    Kind.Message => Decrypt(part, block, pgp, buffer, ct),
                    Kind.ClearSigned => Verify(part, block, pgp, ct),
                    _ => throw new MailCryptoException(
                        "unsupported",
                        "Inline OpenPGP inside HTML (text/html): a form the gateway cannot read; plain text or PGP/MIME is."),
                };
                opened.Add(one);
                return one.Content;
            }

            case TextPart text when string.IsNullOrWhiteSpace(text.Text):
                return null;
            default:
                var named = entity is MimePart { FileName: { } name } ? $" {name}" : "";
                throw new MailCryptoException(
                    "unsupported",
                    $"Inline OpenPGP beside a part outside its protection ({entity.ContentType.MimeType}{named}): "
                    + "a form the gateway cannot read without taking that part on trust.");
        }
    }

    private static InlineOpened Decrypt(MimePart part, Block block, NcpOpenPgpContext pgp, Func<MemoryStream> buffer, CancellationToken ct)
    {
        using var plain = buffer();
        var signatures = OpenPgpPackets.Naming(block.Bytes, () => pgp.DecryptIntact(block.Bytes, plain, ct));
        var bytes = plain.ToArray();
        MimeEntity content = part.IsAttachment && EncryptedFileName(part) is { } file
            ? new MimePart(MimeTypes.GetMimeType(file))
            {
                FileName = file,
                Content = new MimeContent(new MemoryStream(bytes)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
            }
            : IsMime(bytes) ? MailCharsets.LoadEntity(new MemoryStream(bytes), ct) : new TextPart("plain") { Text = Text(bytes, part) };
        return new InlineOpened(content, true, signatures?.ToArray() ?? []);
    }

    // RFC 4880 7.1: the signature covers the text with its dash-escapes undone, trailing blanks cut from each line, lines
    // ended by CRLF, and no line ending after the last.
    private static InlineOpened Verify(MimePart part, Block block, NcpOpenPgpContext pgp, CancellationToken ct)
    {
        var lines = Encoding.Latin1.GetString(block.Bytes).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var textStart = lines.FindIndex(1, l => l.Length == 0) + 1;
        var signatureStart = lines.FindIndex(Math.Max(textStart, 1), l => l == SignatureBegin);
        if (textStart == 0 || signatureStart < 0)
        {
            throw new MailCryptoException("malformed", "A clear-signed OpenPGP block without its text or its signature.");
        }

        var text = lines[textStart..signatureStart].Select(l => l.StartsWith("- ", StringComparison.Ordinal) ? l[2..] : l).ToArray();
        var signed = Encoding.Latin1.GetBytes(string.Join("\r\n", text.Select(l => l.TrimEnd(' ', '\t'))));
        var signature = Encoding.Latin1.GetBytes(string.Join("\r\n", lines[signatureStart..]));
        var signatures = pgp.Verify(new MemoryStream(signed), new MemoryStream(signature), ct);
        var content = new TextPart("plain") { Text = Text(Encoding.Latin1.GetBytes(string.Join("\r\n", text) + "\r\n"), part) };
        return new InlineOpened(content, false, [.. signatures]);
    }

    private static Block? Find(MimePart part)
    {
        var type = part.ContentType;
        var application = type.MediaType.Equals("application", StringComparison.OrdinalIgnoreCase);
        var declared = application && type.MediaSubtype.StartsWith("pgp", StringComparison.OrdinalIgnoreCase);
        var named = application && EncryptedFileName(part) is not null;
        var html = type.IsMimeType("text", "html");
        if (part.Content is null || !(type.IsMimeType("text", "plain") || html || declared || named))
        {
            return null;
        }

        using var decoded = new MemoryStream();
        part.Content.DecodeTo(decoded);
        var bytes = decoded.ToArray();
        if (html)
        {
            var markup = Encoding.Latin1.GetString(bytes);
            return markup.Contains(MessageBegin, StringComparison.Ordinal) || markup.Contains(SignedBegin, StringComparison.Ordinal)
                ? new Block(Kind.InHtml, [])
                : null;
        }

        if (Armored(bytes, MessageBegin, MessageEnd) is { } message)
        {
            return new Block(Kind.Message, message);
        }

        if (Armored(bytes, SignedBegin, SignatureEnd) is { } signed)
        {
            return new Block(Kind.ClearSigned, signed);
        }

        // A binary OpenPGP message: its first byte is a packet header, bit 7 set (RFC 4880 4.2). MimeKit reads armored
        // data only (it wraps whatever it is given in an ArmoredInputStream), so it is armored here.
        return (declared || named && part.IsAttachment) && bytes is [>= 0x80, ..] ? new Block(Kind.Message, Armor(bytes)) : null;
    }

    private static byte[] Armor(byte[] binary)
    {
        using var buffer = new MemoryStream();
        using (var armor = new ArmoredOutputStream(buffer))
        {
            armor.Write(binary);
        }

        return buffer.ToArray();
    }

    // From the begin line to the end line, both at the start of a line (a quoted block, "> -----BEGIN", is not one).
    private static byte[]? Armored(byte[] bytes, string begin, string end)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var start = LineStart(text, begin, 0);
        var stop = start < 0 ? -1 : LineStart(text, end, start);
        return stop < 0 ? null : bytes[start..(stop + end.Length)];
    }

    private static int LineStart(string text, string marker, int from)
    {
        var at = text.IndexOf(marker, from, StringComparison.Ordinal);
        while (at > 0 && text[at - 1] != '\n')
        {
            at = text.IndexOf(marker, at + 1, StringComparison.Ordinal);
        }

        return at;
    }

    private static string? EncryptedFileName(MimePart part) =>
        part.FileName is { } name
        && EncryptedFileSuffixes.FirstOrDefault(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase)) is { } suffix
            ? name[..^suffix.Length]
            : null;

    // Decrypted text is MIME when its first lines are headers naming a content type; otherwise it is the text itself.
    private static bool IsMime(byte[] bytes)
    {
        try
        {
            return HeaderList.Load(new MemoryStream(bytes)).Contains(HeaderId.ContentType);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // Clients encrypt the text as UTF-8, or in the charset of the part that carries it (or of their system, unsaid).
    private static string Text(byte[] bytes, MimePart part) => MailCharsets.Decode(bytes, part.ContentType.CharsetEncoding);

    private static IEnumerable<MimePart> Leaves(MimeEntity entity) => entity switch
    {
        Multipart multipart => multipart.SelectMany(Leaves),
        MimePart part => [part],
        _ => [],
    };
}
