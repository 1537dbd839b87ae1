using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Incoming;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// S/MIME 4.0's authenticated encryption (RFC 5083 AuthEnvelopedData with AES-GCM or AES-CCM, RFC 5084), which RFC 8551
/// asks every agent to read. Neither .NET's EnvelopedCms nor BouncyCastle 2.7 (its CmsAuthEnvelopedData is internal and
/// stops at "not yet implemented") opens it, so it is read here: the content key unwrapped with our RSA key, the content
/// decrypted and its tag checked by .NET's AES. A tag that does not match yields nothing, not even part of the text.
/// </summary>
internal static class AuthEnveloped
{
    private const string Data = "1.2.840.113549.1.7.1";
    private const string AuthEnvelopedData = "1.2.840.113549.1.9.16.1.23";

    /// <summary>The MIME entity sealed in the part, for any of our identities it is addressed to.</summary>
    public static MimeEntity Open(ApplicationPkcs7Mime part, IEnumerable<SmimeIdentity> own, CancellationToken ct)
    {
        using var encoded = new MemoryStream();
        (part.Content ?? throw Malformed("a part without content")).DecodeTo(encoded, ct);
        var keys = own.Select(i => i.Native).OfType<X509Certificate2>().Where(c => c.HasPrivateKey).ToArray();
        return MailCharsets.LoadEntity(new MemoryStream(Decrypt(encoded.ToArray(), keys)), ct);
    }

    /// <summary>The content of DER or BER AuthEnvelopedData (a ContentInfo) addressed to one of <paramref name="keys"/>.</summary>
    public static byte[] Decrypt(byte[] encoded, IReadOnlyList<X509Certificate2> keys)
    {
        try
        {
            return Decrypt(Parse(encoded), keys);
        }
        catch (AsnContentException e)
        {
            throw new MailCryptoException("malformed", $"The S/MIME authenticated-enveloped data cannot be read as ASN.1: {e.Message}", e);
        }
    }

    private sealed record Sealed(
        IReadOnlyList<Recipient> Recipients, string ContentType, string Algorithm, ReadOnlyMemory<byte>? Parameters, byte[] Ciphertext,
        byte[]? AuthenticatedAttributes, byte[] Tag);

    private sealed record Recipient(
        string Kind, byte[]? Issuer, byte[]? Serial, byte[]? KeyId, string KeyAlgorithm, ReadOnlyMemory<byte>? KeyParameters,
        byte[] EncryptedKey);

    private static byte[] Decrypt(Sealed message, IReadOnlyList<X509Certificate2> keys)
    {
        if (message.ContentType != Data)
        {
            throw Unsupported($"authenticated-enveloped content of type {message.ContentType} (S/MIME carries id-data)");
        }

        var cipher = Cipher(message.Algorithm, message.Parameters, message.Tag.Length);
        foreach (var recipient in message.Recipients.Where(r => r.Kind == "key transport"))
        {
            foreach (var key in keys.Where(k => Names(recipient, k)))
            {
                var contentKey = Unwrap(recipient, key);
                try
                {
                    return cipher(contentKey, message.Ciphertext, message.Tag, message.AuthenticatedAttributes);
                }
                catch (AuthenticationTagMismatchException e)
                {
                    throw new MailCryptoException(
                        "cannot-decrypt",
                        "The content does not match its authentication tag: altered on the way, or damaged. Nothing of it is shown.",
                        e);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(contentKey);
                }
            }
        }

        var kinds = string.Join(", ", message.Recipients.Select(r => r.Kind).Distinct());
        throw new MailCryptoException(
            "cannot-decrypt",
            $"The mail was encrypted to someone else: none of its recipients ({message.Recipients.Count}: {kinds}) "
            + "is a certificate of ours.");
    }

    // The content key, by RSA key transport with PKCS#1 v1.5 or OAEP (RFC 3560) as the recipient info names.
    private static byte[] Unwrap(Recipient recipient, X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPrivateKey()
            ?? throw Unsupported($"key transport to our certificate {certificate.Thumbprint}, whose key is not RSA");
        var padding = recipient.KeyAlgorithm switch
        {
            "1.2.840.113549.1.1.1" => RSAEncryptionPadding.Pkcs1,
            "1.2.840.113549.1.1.7" => Oaep(recipient.KeyParameters),
            var other => throw Unsupported($"key transport algorithm {other}"),
        };
        return rsa.Decrypt(recipient.EncryptedKey, padding);
    }

    // RSAES-OAEP-params: the hash, SHA-1 by default, with MGF1 over the same hash (what .NET and every S/MIME client use).
    private static RSAEncryptionPadding Oaep(ReadOnlyMemory<byte>? parameters)
    {
        var hash = "1.3.14.3.2.26";
        if (parameters is { } encoded && new AsnReader(encoded, AsnEncodingRules.DER).ReadSequence() is var fields
            && fields.HasData && fields.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            hash = fields.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence().ReadObjectIdentifier();
        }

        return hash switch
        {
            "1.3.14.3.2.26" => RSAEncryptionPadding.OaepSHA1,
            "2.16.840.1.101.3.4.2.1" => RSAEncryptionPadding.OaepSHA256,
            "2.16.840.1.101.3.4.2.2" => RSAEncryptionPadding.OaepSHA384,
            "2.16.840.1.101.3.4.2.3" => RSAEncryptionPadding.OaepSHA512,
            _ => throw Unsupported($"RSAES-OAEP with hash {hash}"),
        };
    }

    private delegate byte[] Aead(byte[] key, byte[] ciphertext, byte[] tag, byte[]? associated);

    // RFC 5084: the nonce and the tag's length are the algorithm's parameters; the key's length is the algorithm's.
    private static Aead Cipher(string algorithm, ReadOnlyMemory<byte>? parameters, int tagLength)
    {
        var (name, keyBytes, ccm) = algorithm switch
        {
            "2.16.840.1.101.3.4.1.6" => ("AES-128-GCM", 16, false),
            "2.16.840.1.101.3.4.1.26" => ("AES-192-GCM", 24, false),
            "2.16.840.1.101.3.4.1.46" => ("AES-256-GCM", 32, false),
            "2.16.840.1.101.3.4.1.7" => ("AES-128-CCM", 16, true),
            "2.16.840.1.101.3.4.1.27" => ("AES-192-CCM", 24, true),
            "2.16.840.1.101.3.4.1.47" => ("AES-256-CCM", 32, true),
            _ => throw Unsupported($"content encryption {algorithm} (we read AES-GCM and AES-CCM)"),
        };
        var fields = new AsnReader(parameters ?? throw Malformed($"{name} without its nonce"), AsnEncodingRules.DER).ReadSequence();
        var nonce = fields.ReadOctetString();
        if (!ccm && nonce.Length != 12)
        {
            throw Unsupported($"{name} with a {nonce.Length}-byte nonce (12 bytes, as RFC 5084 recommends, is what we read)");
        }

        var declared = fields.HasData && fields.TryReadInt32(out var icv) ? icv : 12;
        if (declared != tagLength)
        {
            throw Malformed($"{name} declares a {declared}-byte tag, the mail carries {tagLength} bytes");
        }

        return (key, ciphertext, tag, associated) =>
        {
            if (key.Length != keyBytes)
            {
                throw new CryptographicException($"The content key has {key.Length} bytes; {name} takes {keyBytes}.");
            }

            var plain = new byte[ciphertext.Length];
            if (ccm)
            {
                using var aes = new AesCcm(key);
                aes.Decrypt(nonce, ciphertext, tag, plain, associated);
            }
            else
            {
                using var aes = new AesGcm(key, tag.Length);
                aes.Decrypt(nonce, ciphertext, tag, plain, associated);
            }

            return plain;
        };
    }

    private static bool Names(Recipient recipient, X509Certificate2 certificate) => recipient.KeyId is { } keyId
        ? certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>()
            .Any(e => e.SubjectKeyIdentifierBytes.Span.SequenceEqual(keyId))
        : recipient.Issuer.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
          && recipient.Serial.AsSpan().SequenceEqual(certificate.SerialNumberBytes.Span);

    /// <summary>The CMS content type of a ContentInfo, or null when the bytes are not one.</summary>
    public static string? ContentTypeOf(byte[] encoded)
    {
        try
        {
            return new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static Sealed Parse(byte[] encoded)
    {
        var info = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
        var type = info.ReadObjectIdentifier();
        if (type != AuthEnvelopedData)
        {
            throw Unsupported($"CMS content {type} where authenticated-enveloped data was announced");
        }

        var data = info.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        data.ReadInteger();
        if (data.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            data.ReadEncodedValue(); // originatorInfo: certificates for key agreement, which we do not need for key transport
        }

        var recipients = new List<Recipient>();
        var set = data.ReadSetOf();
        while (set.HasData)
        {
            recipients.Add(RecipientOf(set));
        }

        var content = data.ReadSequence();
        var contentType = content.ReadObjectIdentifier();
        var algorithm = content.ReadSequence();
        var algorithmId = algorithm.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : null;
        var ciphertext = content.HasData ? content.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0)) : [];
        byte[]? authenticated = null;
        if (data.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            // RFC 5083 2.1: the tag covers the DER of the attributes as a SET OF, not as the [1] they travel in.
            authenticated = data.ReadEncodedValue().ToArray();
            authenticated[0] = 0x31;
        }

        return new Sealed(recipients, contentType, algorithmId, parameters, ciphertext, authenticated, data.ReadOctetString());
    }

    private static Recipient RecipientOf(AsnReader set)
    {
        var tag = set.PeekTag();
        if (tag.TagClass != TagClass.Universal)
        {
            var kind = tag.TagValue switch { 1 => "key agreement", 2 => "key encryption key", 3 => "password", _ => "other" };
            set.ReadEncodedValue();
            return new Recipient(kind, null, null, null, "", null, []);
        }

        var ktri = set.ReadSequence();
        ktri.ReadInteger();
        byte[]? issuer = null, serial = null, keyId = null;
        if (ktri.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            keyId = ktri.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
        }
        else
        {
            var issuerSerial = ktri.ReadSequence();
            issuer = issuerSerial.ReadEncodedValue().ToArray();
            serial = issuerSerial.ReadIntegerBytes().ToArray();
        }

        var algorithm = ktri.ReadSequence();
        var algorithmId = algorithm.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : null;
        return new Recipient("key transport", issuer, serial, keyId, algorithmId, parameters, ktri.ReadOctetString());
    }

    private static MailCryptoException Unsupported(string what) => new("unsupported", $"S/MIME {what}: a form the gateway cannot read.");

    private static MailCryptoException Malformed(string what) =>
        new("malformed", $"The S/MIME authenticated-enveloped data is malformed: {what}.");
}
