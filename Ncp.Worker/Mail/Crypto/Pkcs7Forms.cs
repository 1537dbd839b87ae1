using MimeKit.Cryptography;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// An application/pkcs7-mime part whose smime-type is missing or not one MimeKit knows (older clients leave it out; the
/// parameter only came with RFC 2633) is taken for what its CMS content says it is. What the gateway cannot read is
/// named, so that the officer learns what came rather than that it "came plaintext".
/// </summary>
internal static class Pkcs7Forms
{
    private static readonly Dictionary<string, string> Readable = new()
    {
        ["1.2.840.113549.1.7.3"] = "enveloped-data",
        ["1.2.840.113549.1.9.16.1.23"] = "authEnveloped-data",
        ["1.2.840.113549.1.7.2"] = "signed-data",
        ["1.2.840.113549.1.9.16.1.9"] = "compressed-data",
    };

    private static readonly Dictionary<string, string> Known = new()
    {
        ["1.2.840.113549.1.7.1"] = "data",
        ["1.2.840.113549.1.7.5"] = "digested-data",
        ["1.2.840.113549.1.7.6"] = "encrypted-data (a password or shared key, no recipient)",
        ["1.2.840.113549.1.9.16.1.2"] = "authenticated-data",
    };

    /// <summary>The same content, labelled with the smime-type of the CMS structure inside.</summary>
    public static ApplicationPkcs7Mime Retyped(ApplicationPkcs7Mime part, CancellationToken ct)
    {
        var declared = part.ContentType.Parameters["smime-type"] is { Length: > 0 } given ? $"smime-type={given}" : "no smime-type";
        if (part.SecureMimeType == SecureMimeType.CertsOnly)
        {
            throw Unsupported($"{part.ContentType.MimeType} with {declared}: certificates only, no message");
        }

        using var encoded = new MemoryStream();
        part.Content?.DecodeTo(encoded, ct);
        var bytes = encoded.ToArray();
        var oid = AuthEnveloped.ContentTypeOf(bytes);
        if (oid is null || !Readable.TryGetValue(oid, out var readable))
        {
            var inside = oid is null ? "no CMS structure"
                : Known.TryGetValue(oid, out var name) ? $"CMS {name}"
                : $"CMS content type {oid}";
            throw Unsupported($"{part.ContentType.MimeType} with {declared}, holding {inside}");
        }

        // MimeKit's constructor takes only the older types; the parameter is what it reads the type from.
        var retyped = new ApplicationPkcs7Mime(SecureMimeType.EnvelopedData, new MemoryStream(bytes));
        retyped.ContentType.Parameters["smime-type"] = readable;
        return retyped;
    }

    private static MailCryptoException Unsupported(string what) =>
        new("unsupported", $"S/MIME content type {what}: a form the gateway cannot read.");
}
