using System.Buffers.Binary;
using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Conventions;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using X509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// S/MIME to partners whose certificate holds an EC key: ephemeral-static ECDH (RFC 5753, RFC 8551), the X9.63 KDF with
/// the hash matching the curve, AES-256 key wrap. .NET's EnvelopedCms does key transport only, and MimeKit's CmsRecipient
/// takes RSA certificates only, so a mail with an EC recipient is enveloped by BouncyCastle's generator; its RSA
/// recipients (our own certificate, for the Sent copy) stay key transport. Mail to RSA partners never comes here.
/// </summary>
internal static class EcdhCms
{
    public static bool NeedsKeyAgreement(IEnumerable<X509Certificate> recipients) =>
        recipients.Any(c => Algorithm(c) == SmimeKeyConventions.Ec);

    /// <summary>The certificates mail can be encrypted to; the others are left out, and with none left the mail waits.</summary>
    public static X509Certificate[] Usable(string partnerCode, IReadOnlyList<X509Certificate> certificates)
    {
        var usable = certificates.Where(c => Problem(c) is null).ToArray();
        return usable.Length > 0 || certificates.Count == 0
            ? usable
            : throw new MailCryptoException(
                "unusable-partner-key",
                $"Mail to {partnerCode} cannot be encrypted to its certificate ({certificates[0].SubjectDN}): "
                + $"{Problem(certificates[0])}.");
    }

    /// <summary>What MimeKit's ApplicationPkcs7Mime.SignAndEncrypt makes: multipart/signed by us, in enveloped data.</summary>
    public static async Task<ApplicationPkcs7Mime> SignAndEncryptAsync(
        SecureMimeContext context, CmsSigner signer, IReadOnlyList<X509Certificate> recipients, MimeEntity entity, CancellationToken ct)
    {
        var signed = await MultipartSigned.CreateAsync(context, signer, entity, ct);
        using var canonical = new MemoryStream();
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        await signed.WriteToAsync(options, canonical, ct);
        return new ApplicationPkcs7Mime(SecureMimeType.EnvelopedData, new MemoryStream(Encrypt(recipients, canonical.ToArray())));
    }

    /// <summary>Enveloped data (AES-256-CBC) for EC recipients by key agreement and for RSA ones by key transport (PKCS#1 v1.5).</summary>
    internal static byte[] Encrypt(IReadOnlyList<X509Certificate> recipients, byte[] content)
    {
        var generator = new CmsEnvelopedDataGenerator();
        foreach (var certificate in recipients)
        {
            if (Algorithm(certificate) == SmimeKeyConventions.Ec)
            {
                generator.AddRecipientInfoGenerator(new EcdhRecipient(certificate));
            }
            else
            {
                generator.AddKeyTransRecipient(certificate);
            }
        }

        return generator.Generate(new CmsProcessableByteArray(content), NistObjectIdentifiers.IdAes256Cbc).GetEncoded();
    }

    private static string Algorithm(X509Certificate certificate) => certificate.SubjectPublicKeyInfo.Algorithm.Algorithm.Id;

    private static string? Curve(X509Certificate certificate) =>
        (certificate.SubjectPublicKeyInfo.Algorithm.Parameters as DerObjectIdentifier)?.Id;

    private static string? Problem(X509Certificate certificate) =>
        SmimeKeyConventions.Unusable(Algorithm(certificate), Curve(certificate), rsaBits: null);

    /// <summary>
    /// One KeyAgreeRecipientInfo with a fresh ephemeral key. Ours rather than BouncyCastle's generator (AddKeyAgreementRecipient):
    /// 2.7.0's KDF puts a NULL parameter after the AES-wrap OID in ECC-CMS-SharedInfo while the message carries none, as
    /// RFC 5753 asks, so OpenSSL (and so most mail clients) derives another key and cannot unwrap.
    /// </summary>
    private sealed class EcdhRecipient(X509Certificate certificate) : RecipientInfoGenerator
    {
        private const int KekBytes = 32;

        private static readonly AlgorithmIdentifier Wrap = new(NistObjectIdentifiers.IdAes256Wrap);

        // dhSinglePass-stdDH-sha{256,384,512}kdf-scheme (RFC 5753 section 7.1.4), by the curve's hash.
        private static readonly Dictionary<string, (string Scheme, HashAlgorithmName Hash)> Schemes = new()
        {
            ["SHA256"] = ("1.3.132.1.11.1", HashAlgorithmName.SHA256),
            ["SHA384"] = ("1.3.132.1.11.2", HashAlgorithmName.SHA384),
            ["SHA512"] = ("1.3.132.1.11.3", HashAlgorithmName.SHA512),
        };

        // ECC-CMS-SharedInfo: the wrap algorithm (parameters absent) and the key's length in bits, [2] EXPLICIT.
        private static readonly byte[] SharedInfo =
            new DerSequence(Wrap, new DerTaggedObject(true, 2, new DerOctetString(BigEndian(KekBytes * 8)))).GetEncoded(Asn1Encodable.Der);

        public RecipientInfo Generate(KeyParameter contentEncryptionKey, SecureRandom random)
        {
            var (scheme, hash) = Schemes[SmimeKeyConventions.Curves[Curve(certificate)!].KdfHash];
            using var theirs = NativeCms.NativeOf(certificate).GetECDiffieHellmanPublicKey()
                ?? throw new CmsException($"The certificate {certificate.SubjectDN} holds no EC key.");
            using var ephemeral = ECDiffieHellman.Create(theirs.ExportParameters(false).Curve);

            // The X9.63 KDF's first block, Hash(Z || counter 1 || SharedInfo), is all the 256-bit wrap key takes.
            var kek = ephemeral.DeriveKeyFromHash(theirs.PublicKey, hash, null, [0, 0, 0, 1, .. SharedInfo])[..KekBytes];
            var wrapper = new AesWrapEngine();
            wrapper.Init(true, new KeyParameter(kek));
            CryptographicOperations.ZeroMemory(kek);
            var key = contentEncryptionKey.GetKey();
            var wrapped = wrapper.Wrap(key, 0, key.Length);

            var originator = SubjectPublicKeyInfo.GetInstance(ephemeral.ExportSubjectPublicKeyInfo());
            var recipient = new KeyAgreeRecipientIdentifier(new IssuerAndSerialNumber(certificate.IssuerDN, certificate.SerialNumber));
            return new RecipientInfo(new KeyAgreeRecipientInfo(
                new OriginatorIdentifierOrKey(new OriginatorPublicKey(originator.Algorithm, originator.PublicKey)), null,
                new AlgorithmIdentifier(new DerObjectIdentifier(scheme), Wrap),
                new DerSequence(new RecipientEncryptedKey(recipient, new DerOctetString(wrapped)))));
        }

        private static byte[] BigEndian(int value)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, value);
            return bytes;
        }
    }
}
