using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ncp.Api.Partners.Keys;

/// <summary>
/// The root CA certificates one partner's S/MIME certificates must chain to: the <c>trustAnchors</c> of its profile (PEM),
/// set by an administrator with the rest of the profile and recorded on the partner's stream like any other change.
/// </summary>
public sealed class TrustedRoots(X509Certificate2Collection certificates) : IDisposable
{
    public const string Field = "trustAnchors";
    public const int MaxAnchors = 10;

    public X509Certificate2Collection Certificates { get; } = certificates;

    /// <summary>The partner's anchors; the profile's validation let only readable root CA certificates in.</summary>
    public static TrustedRoots Of(PartnerProfile profile) =>
        new([.. (profile.TrustAnchors ?? []).Select(Read).OfType<X509Certificate2>()]);

    /// <summary>The anchors as the Worker gets them: DER.</summary>
    public static byte[][] Der(PartnerProfile profile)
    {
        using var roots = Of(profile);
        return [.. roots.Certificates.Select(c => c.RawData)];
    }

    /// <summary>Why these anchors cannot be a partner's, in words for the administrator; none when they can.</summary>
    public static IEnumerable<string> Problems(string[]? anchors)
    {
        if (anchors is null)
        {
            yield break;
        }

        if (anchors.Length > MaxAnchors)
        {
            yield return $"At most {MaxAnchors} trust anchors per partner.";
        }

        for (var i = 0; i < anchors.Length; i++)
        {
            if (anchors[i] is { } text && text.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                yield return $"Anchor {i + 1} contains a private key: paste only the CA's certificate.";
                continue;
            }

            using var certificate = Read(anchors[i]);
            if (certificate is null)
            {
                yield return $"Anchor {i + 1} is not a certificate: paste the CA's certificate as PEM (-----BEGIN CERTIFICATE-----).";
            }
            else if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                yield return $"Anchor {i + 1} ({certificate.Subject}) is not a CA certificate (its basic constraints lack CA:TRUE).";
            }
            else if (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) is false)
            {
                yield return $"Anchor {i + 1} ({certificate.Subject}) is issued by {certificate.Issuer}: an anchor is a root (self-signed); " +
                    "paste intermediate CAs with the partner's certificate instead.";
            }
        }
    }

    private static X509Certificate2? Read(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var certificate in Certificates)
        {
            certificate.Dispose();
        }
    }
}
