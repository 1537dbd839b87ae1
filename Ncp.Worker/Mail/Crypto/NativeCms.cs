using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MimeKit.Cryptography;
using Ncp.Worker.Keys;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>Our S/MIME private-key operations on .NET's CMS (System.Security.Cryptography.Pkcs over OpenSSL).</summary>
internal static class NativeCms
{
    /// <summary>A detached CMS signature over the canonical content, as MimeKit's own would be: chain included, signing time.</summary>
    public static byte[] SignDetached(SmimeIdentity identity, MimeKit.Cryptography.CmsSigner signer, Stream content, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        var cms = new SignedCms(new ContentInfo(buffer.ToArray()), detached: true);
        var native = new System.Security.Cryptography.Pkcs.CmsSigner(System.Security.Cryptography.Pkcs.SubjectIdentifierType.IssuerAndSerialNumber, identity.Native)
        {
            DigestAlgorithm = DigestOid(signer.DigestAlgorithm),
            IncludeOption = X509IncludeOption.EndCertOnly,
        };

        // The rest of our chain travels with the signature, so a partner can build the path to the root they trust.
        foreach (var certificate in identity.Chain.Skip(1))
        {
            native.Certificates.Add(X509CertificateLoader.LoadCertificate(certificate.GetEncoded()));
        }

        native.SignedAttributes.Add(new Pkcs9SigningTime(now.UtcDateTime));
        cms.ComputeSignature(native, silent: true);
        return cms.Encode();
    }

    /// <summary>The content of enveloped data addressed to any of our certificates.</summary>
    public static byte[] Decrypt(Stream encrypted, X509Certificate2Collection keys)
    {
        using var buffer = new MemoryStream();
        encrypted.CopyTo(buffer);
        var cms = new EnvelopedCms();
        cms.Decode(buffer.ToArray());
        cms.Decrypt(keys);
        return cms.ContentInfo.Content;
    }

    private static Oid DigestOid(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => new Oid("2.16.840.1.101.3.4.2.1"),
        DigestAlgorithm.Sha384 => new Oid("2.16.840.1.101.3.4.2.2"),
        DigestAlgorithm.Sha512 => new Oid("2.16.840.1.101.3.4.2.3"),
        _ => throw new CryptographicException($"Ncp signs with SHA-256, SHA-384 or SHA-512, not {algorithm}."),
    };
}
