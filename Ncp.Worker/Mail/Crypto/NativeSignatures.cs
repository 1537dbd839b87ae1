using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MimeKit.Cryptography;
using Ncp.Conventions;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// A partner's S/MIME signature read by .NET's CMS. Both verdicts are reached while the mail is read: whether the
/// signature matches the content (the mathematics), and whether the signer's certificate chains to one of the claimed
/// partner's trust anchors and is revoked by none of the lists we hold.
/// BouncyCastle spent a third of the gateway's inbound CPU on these, mostly re-checking each certificate's RSA modulus
/// for small factors every time it was parsed; OpenSSL does both in a fraction of that.
/// </summary>
internal sealed class NativeSmimeSignature(
    NativeSmimeCertificate? certificate, DigestAlgorithm digest, DateTime signedAt, string? error, string? chainError, Revocation? revocation = null)
    : IDigitalSignature
{
    public bool SignatureValid => certificate is not null && error is null;

    /// <summary>Why the signature does not hold, or null.</summary>
    public string? Error => certificate is null ? "The signer's certificate is neither in the mail nor one we hold." : error;

    /// <summary>Why the signer's certificate does not chain to a trusted root (expired, self-signed, wrong purpose…), or null.</summary>
    public string? ChainError => chainError;

    /// <summary>The revocation of the signer's certificate (or of a CA above it), from the lists in <c>Mail:RevocationLists</c>.</summary>
    public Revocation? Revocation => revocation;

    public NativeSmimeCertificate? Certificate => certificate;

    IDigitalCertificate IDigitalSignature.SignerCertificate => certificate!;

    public PublicKeyAlgorithm PublicKeyAlgorithm => certificate?.PublicKeyAlgorithm ?? PublicKeyAlgorithm.None;

    public DigestAlgorithm DigestAlgorithm => digest;

    public DateTime CreationDate => signedAt;

    public bool Verify() => Verify(false);

    public bool Verify(bool verifySignatureOnly)
    {
        if (!SignatureValid)
        {
            throw new DigitalSignatureVerifyException(Error!);
        }

        return verifySignatureOnly || chainError is null ? true : throw new DigitalSignatureVerifyException(chainError);
    }
}

/// <summary>The signer's certificate as MimeKit would describe it: SHA-1 fingerprint, e-mail address, validity in UTC.</summary>
internal sealed class NativeSmimeCertificate(X509Certificate2 certificate) : IDigitalCertificate
{
    public X509Certificate2 Certificate => certificate;

    public PublicKeyAlgorithm PublicKeyAlgorithm => certificate.PublicKey.Oid.Value switch
    {
        "1.2.840.113549.1.1.1" or "1.2.840.113549.1.1.10" => PublicKeyAlgorithm.RsaGeneral,
        "1.2.840.10045.2.1" => PublicKeyAlgorithm.EllipticCurve,
        "1.2.840.10040.4.1" => PublicKeyAlgorithm.Dsa,
        _ => PublicKeyAlgorithm.None,
    };

    public DateTime CreationDate => certificate.NotBefore.ToUniversalTime();

    public DateTime ExpirationDate => certificate.NotAfter.ToUniversalTime();

    public string Fingerprint => certificate.Thumbprint;

    // The subject's emailAddress, else the first rfc822Name of the alternative names, as MimeKit reads it.
    public string Email => certificate.GetNameInfo(X509NameType.EmailName, false);

    public string Name => certificate.GetNameInfo(X509NameType.SimpleName, false);
}

/// <summary>Verifies CMS signed data (detached or opaque) and judges each signer's chain against the given roots.</summary>
internal static class NativeVerifier
{
    private const string EmailProtection = "1.3.6.1.5.5.7.3.4";

    /// <summary>Partners sign once; a layer with more signatures than this is refused before any is checked.</summary>
    public const int MaxSigners = 8;

    public static DigitalSignatureCollection VerifyDetached(byte[] content, byte[] signature, ChainJudge chains)
    {
        var cms = new SignedCms(new ContentInfo(content), detached: true);
        cms.Decode(signature);
        return Signatures(cms, chains);
    }

    public static (byte[] Content, DigitalSignatureCollection Signatures) VerifyOpaque(byte[] signedData, ChainJudge chains)
    {
        var cms = new SignedCms();
        cms.Decode(signedData);
        return (cms.ContentInfo.Content, Signatures(cms, chains));
    }

    private static DigitalSignatureCollection Signatures(SignedCms cms, ChainJudge chains)
    {
        // Each signature costs a verification and a chain: a mail must not buy unbounded work with many of them.
        if (cms.SignerInfos.Count > MaxSigners)
        {
            throw new CryptographicException($"The layer carries {cms.SignerInfos.Count} signatures; at most {MaxSigners} are read.");
        }

        var found = new List<IDigitalSignature>();
        foreach (var signer in cms.SignerInfos)
        {
            var certificate = signer.Certificate ?? chains.Find(signer.SignerIdentifier);
            string? error = null;
            if (certificate is not null)
            {
                try
                {
                    signer.CheckSignature([certificate], verifySignatureOnly: true);
                }
                catch (CryptographicException e)
                {
                    error = $"The signature does not match the content: altered on the way, or forged ({e.Message}).";
                }
            }

            found.Add(new NativeSmimeSignature(
                certificate is null ? null : new NativeSmimeCertificate(certificate), Digest(signer.DigestAlgorithm), SigningTime(signer), error,
                certificate is null ? null : chains.Judge(certificate, cms.Certificates),
                certificate is null ? null : chains.Revocation(certificate, cms.Certificates)));
        }

        return new DigitalSignatureCollection(found);
    }

    private static DateTime SigningTime(SignerInfo signer)
    {
        foreach (var attribute in signer.SignedAttributes)
        {
            if (attribute.Oid.Value == "1.2.840.113549.1.9.5" && attribute.Values.Count > 0)
            {
                var time = attribute.Values[0] as Pkcs9SigningTime ?? new Pkcs9SigningTime(attribute.Values[0].RawData);
                return DateTime.SpecifyKind(time.SigningTime.ToUniversalTime(), DateTimeKind.Utc);
            }
        }

        return DateTime.MinValue;
    }

    private static DigestAlgorithm Digest(Oid oid) => oid.Value switch
    {
        "1.3.14.3.2.26" => DigestAlgorithm.Sha1,
        "2.16.840.1.101.3.4.2.4" => DigestAlgorithm.Sha224,
        "2.16.840.1.101.3.4.2.1" => DigestAlgorithm.Sha256,
        "2.16.840.1.101.3.4.2.2" => DigestAlgorithm.Sha384,
        "2.16.840.1.101.3.4.2.3" => DigestAlgorithm.Sha512,
        "1.2.840.113549.2.5" => DigestAlgorithm.MD5,
        _ => DigestAlgorithm.None,
    };

    /// <summary>
    /// Whether a signer's certificate chains to one of the claimed partner's trust anchors, now, for e-mail protection, and
    /// whether a revocation list we hold withdrew it. Offline, like the rest of the gateway: lists are files an administrator
    /// refreshes, never fetched from where a certificate points.
    /// </summary>
    public sealed class ChainJudge(
        X509Certificate2Collection roots, X509Certificate2Collection known, DateTimeOffset now, RevocationLists? revocations = null)
    {
        public Revocation? Revocation(X509Certificate2 certificate, X509Certificate2Collection carried) =>
            revocations?.Find(certificate, roots.Concat(carried).Concat(known));

        public X509Certificate2? Find(SubjectIdentifier identifier) => identifier.Value switch
        {
            System.Security.Cryptography.Xml.X509IssuerSerial issuerSerial => known.FirstOrDefault(c =>
                c.IssuerName.Name == issuerSerial.IssuerName && string.Equals(c.SerialNumber, issuerSerial.SerialNumber, StringComparison.OrdinalIgnoreCase)),
            string keyId => known.FirstOrDefault(c =>
                c.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any(e => string.Equals(e.SubjectKeyIdentifier, keyId, StringComparison.OrdinalIgnoreCase))),
            _ => null,
        };

        public string? Judge(X509Certificate2 certificate, X509Certificate2Collection carried)
        {
            if (roots.Count == 0)
            {
                return "The partner has no trust anchors (trustAnchors in its profile), so no certificate chains for it.";
            }

            using var chain = new X509Chain();
            var policy = chain.ChainPolicy;
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(roots);
            policy.ExtraStore.AddRange(carried);
            policy.ExtraStore.AddRange(known);
            policy.RevocationMode = X509RevocationMode.NoCheck;
            policy.VerificationTime = now.UtcDateTime;
            policy.ApplicationPolicy.Add(new Oid(EmailProtection));
            policy.DisableCertificateDownloads = true;
            if (chain.Build(certificate))
            {
                return null;
            }

            var reasons = chain.ChainStatus.Select(Words).Distinct();
            return string.Join("; ", reasons) is { Length: > 0 } joined ? joined : "the certificate does not chain to a root we trust";
        }

        // OpenSSL's own words ("The certificate has invalid policy") say little to an officer; these say what to check.
        private static string Words(X509ChainStatus status) => status.Status switch
        {
            X509ChainStatusFlags.NotTimeValid => "the certificate has expired or is not yet valid",
            X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain =>
                "the certificate is self-signed or issued by an authority we do not trust",
            X509ChainStatusFlags.NotValidForUsage or X509ChainStatusFlags.InvalidPolicyConstraints or X509ChainStatusFlags.NoIssuanceChainPolicy =>
                "the certificate is not issued for e-mail protection",
            X509ChainStatusFlags.NotSignatureValid => "a signature in the certificate's chain does not hold",
            X509ChainStatusFlags.Revoked => "the certificate is revoked",
            X509ChainStatusFlags.InvalidBasicConstraints => "an issuer in the chain is not allowed to issue certificates",
            _ => status.StatusInformation.Trim().TrimEnd('.'),
        };
    }
}
