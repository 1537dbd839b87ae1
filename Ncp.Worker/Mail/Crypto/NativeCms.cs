using System.Formats.Asn1;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MimeKit.Cryptography;
using Ncp.Worker.Keys;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// Our S/MIME work on .NET's CMS (System.Security.Cryptography.Pkcs over OpenSSL): signing and decrypting with our keys,
/// and encrypting to partners (BouncyCastle's RSA costs far more per mail, even with a public key).
/// </summary>
internal static class NativeCms
{
    private static readonly Oid Aes256Cbc = new("2.16.840.1.101.3.4.1.42");

    // .NET's copy of each BouncyCastle certificate we work with, made once: partner certificates come from the partner
    // book's snapshot and our chain from OwnKeys, both long-lived objects, so the copies go when they do.
    private static readonly ConditionalWeakTable<Org.BouncyCastle.X509.X509Certificate, X509Certificate2> Copies = [];

    internal static X509Certificate2 NativeOf(Org.BouncyCastle.X509.X509Certificate certificate) =>
        Copies.GetValue(certificate, c => X509CertificateLoader.LoadCertificate(c.GetEncoded()));

    /// <summary>A detached CMS signature over the canonical content, as MimeKit's own would be: chain included, signing time.</summary>
    public static byte[] SignDetached(SmimeIdentity identity, MimeKit.Cryptography.CmsSigner signer, Stream content, DateTimeOffset now)
    {
        var cms = new SignedCms(new ContentInfo(ReadAll(content)), detached: true);
        var native = new System.Security.Cryptography.Pkcs.CmsSigner(System.Security.Cryptography.Pkcs.SubjectIdentifierType.IssuerAndSerialNumber, identity.Native)
        {
            DigestAlgorithm = DigestOid(signer.DigestAlgorithm),
            IncludeOption = X509IncludeOption.EndCertOnly,
        };

        // The rest of our chain travels with the signature, so a partner can build the path to the root they trust.
        foreach (var certificate in identity.Chain.Skip(1))
        {
            native.Certificates.Add(NativeOf(certificate));
        }

        native.SignedAttributes.Add(new Pkcs9SigningTime(now.UtcDateTime));
        cms.ComputeSignature(native, silent: true);
        return cms.Encode();
    }

    /// <summary>
    /// Enveloped data (AES-256-CBC, as every mail of ours) for each recipient, by issuer and serial number, with the RSA
    /// padding the recipient asks for (PKCS#1 v1.5 unless OAEP is set).
    /// </summary>
    public static byte[] Encrypt(MimeKit.Cryptography.CmsRecipientCollection recipients, Stream content)
    {
        var bytes = ReadAll(content);
        var keys = recipients.Select(r => r.RsaEncryptionPadding is null or { Scheme: RsaEncryptionPaddingScheme.Pkcs1 } ? PublicKeyOf(r.Certificate) : null).ToArray();
        if (keys.Length > 0 && keys.All(k => k is not null))
        {
            return EnvelopedForRsa(recipients.Select(r => r.Certificate).Zip(keys, (c, k) => (NativeOf(c), k!)), bytes);
        }

        var cms = new EnvelopedCms(new ContentInfo(bytes), new AlgorithmIdentifier(Aes256Cbc, 256));
        var native = new System.Security.Cryptography.Pkcs.CmsRecipientCollection();
        foreach (var recipient in recipients)
        {
            native.Add(new System.Security.Cryptography.Pkcs.CmsRecipient(
                System.Security.Cryptography.Pkcs.SubjectIdentifierType.IssuerAndSerialNumber, NativeOf(recipient.Certificate), Padding(recipient.RsaEncryptionPadding)));
        }

        cms.Encrypt(native);
        return cms.Encode();
    }

    // Each recipient's RSA public key, read from its certificate once. EnvelopedCms reads it again for every mail, and
    // OpenSSL 3 takes longer to import a key than to encrypt with it: a tenth of the gateway's outbound CPU went there.
    private static readonly ConditionalWeakTable<Org.BouncyCastle.X509.X509Certificate, RSA?> PublicKeys = [];

    private static RSA? PublicKeyOf(Org.BouncyCastle.X509.X509Certificate certificate) =>
        PublicKeys.GetValue(certificate, c => NativeOf(c).GetRSAPublicKey());

    /// <summary>
    /// The same EnvelopedData that EnvelopedCms writes for RSA recipients with PKCS#1 v1.5 (RFC 5652, version 0, each
    /// recipient by issuer and serial number; AES-256-CBC content), made with keys already imported.
    /// </summary>
    private static byte[] EnvelopedForRsa(IEnumerable<(X509Certificate2 Certificate, RSA Key)> recipients, ReadOnlySpan<byte> content)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        byte[] encrypted;
        using (var aes = Aes.Create())
        {
            aes.Key = key;
            encrypted = aes.EncryptCbc(content, iv, PaddingMode.PKCS7);
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.113549.1.7.3"); // envelopedData
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (writer.PushSequence())
            {
                writer.WriteInteger(0);
                using (writer.PushSetOf())
                {
                    foreach (var (certificate, rsa) in recipients)
                    {
                        using (writer.PushSequence())
                        {
                            writer.WriteInteger(0);
                            using (writer.PushSequence())
                            {
                                writer.WriteEncodedValue(certificate.IssuerName.RawData);
                                writer.WriteInteger(certificate.SerialNumberBytes.Span);
                            }

                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier("1.2.840.113549.1.1.1"); // rsaEncryption
                                writer.WriteNull();
                            }

                            writer.WriteOctetString(rsa.Encrypt(key, RSAEncryptionPadding.Pkcs1));
                        }
                    }
                }

                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.840.113549.1.7.1"); // data
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(Aes256Cbc.Value!);
                        writer.WriteOctetString(iv);
                    }

                    writer.WriteOctetString(encrypted, new Asn1Tag(TagClass.ContextSpecific, 0));
                }
            }
        }

        CryptographicOperations.ZeroMemory(key);
        return writer.Encode();
    }

    /// <summary>The content of enveloped data addressed to any of our certificates.</summary>
    public static byte[] Decrypt(Stream encrypted, X509Certificate2Collection keys)
    {
        var cms = new EnvelopedCms();
        cms.Decode(ReadAll(encrypted));
        cms.Decrypt(keys);
        return cms.ContentInfo.Content;
    }

    /// <summary>What is left in a stream MimeKit hands over, as the bytes .NET's CMS works on.</summary>
    internal static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static RSAEncryptionPadding Padding(MimeKit.Cryptography.RsaEncryptionPadding? padding) => padding?.Scheme switch
    {
        null or RsaEncryptionPaddingScheme.Pkcs1 => RSAEncryptionPadding.Pkcs1,
        _ => padding.OaepHashAlgorithm switch
        {
            DigestAlgorithm.Sha1 => RSAEncryptionPadding.OaepSHA1,
            DigestAlgorithm.Sha256 => RSAEncryptionPadding.OaepSHA256,
            DigestAlgorithm.Sha384 => RSAEncryptionPadding.OaepSHA384,
            DigestAlgorithm.Sha512 => RSAEncryptionPadding.OaepSHA512,
            var other => throw new CryptographicException($"RSAES-OAEP with {other} is not supported."),
        },
    };

    private static Oid DigestOid(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => new Oid("2.16.840.1.101.3.4.2.1"),
        DigestAlgorithm.Sha384 => new Oid("2.16.840.1.101.3.4.2.2"),
        DigestAlgorithm.Sha512 => new Oid("2.16.840.1.101.3.4.2.3"),
        _ => throw new CryptographicException($"Ncp signs with SHA-256, SHA-384 or SHA-512, not {algorithm}."),
    };
}
