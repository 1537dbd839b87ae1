using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ncp.Conventions;

namespace Ncp.Api.Partners.Keys;

/// <summary>
/// Whether a partner's S/MIME certificate may be used for mail with them: in its validity period, meant for mail, with a
/// key the gateway can encrypt to, issued to one of their directory addresses, issued under one of that partner's own trust
/// anchors, and revoked by no list in <c>Mail:RevocationLists</c>. The first certificate pasted is the partner's; any
/// further ones are taken as intermediate CAs for the chain.
/// </summary>
public static class CertificateCheck
{
    private const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    private const string EmailAddressAttribute = "1.2.840.113549.1.9.1";
    private const string SubjectAlternativeName = "2.5.29.17";
    private static readonly Asn1Tag Rfc822Name = new(TagClass.ContextSpecific, 1);

    public static KeyCheck Check(
        string text, IReadOnlyCollection<string> addresses, TrustedRoots roots, RevocationLists revocations, DateTimeOffset now)
    {
        if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return KeyCheck.Refused("this contains a private key: paste only the certificate, and let the partner know their private key was sent");
        }

        var certificates = Read(text);
        if (certificates.Count == 0)
        {
            return KeyCheck.Refused("not a certificate: paste it as PEM (-----BEGIN CERTIFICATE-----) or as base64 DER");
        }

        try
        {
            return Check(certificates[0], certificates.Skip(1), addresses, roots, revocations, now);
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    private static KeyCheck Check(
        X509Certificate2 certificate, IEnumerable<X509Certificate2> intermediates, IReadOnlyCollection<string> addresses, TrustedRoots roots,
        RevocationLists revocations, DateTimeOffset now)
    {
        var reasons = new List<string>();
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        if (now < notBefore)
        {
            reasons.Add($"certificate not valid before {KeyCheck.Day(notBefore)}");
        }

        if (now >= notAfter)
        {
            reasons.Add($"certificate expired on {KeyCheck.Day(notAfter)}");
        }

        if (KeyProblem(certificate) is { } keyProblem)
        {
            reasons.Add(keyProblem);
        }

        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } extended
            && !extended.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == EmailProtection))
        {
            reasons.Add($"not meant for mail: its extended key usage lacks emailProtection ({EmailProtection})");
        }

        var issuedTo = MailAddressesOf(certificate);
        if (!issuedTo.Any(a => addresses.Contains(a, StringComparer.OrdinalIgnoreCase)))
        {
            reasons.Add(issuedTo.Count == 0
                ? $"it names no mail address; it must be issued to {KeyCheck.Either(addresses)}"
                : $"issued to {KeyCheck.Either(issuedTo)}, not to {KeyCheck.Either(addresses)}");
        }

        if (ChainProblem(certificate, intermediates, roots, now) is { } chainProblem)
        {
            reasons.Add(chainProblem);
        }

        if (revocations.Find(certificate, intermediates.Concat(roots.Certificates)) is { } revocation)
        {
            reasons.Add($"certificate {revocation.Words}; ask the partner for a new certificate");
        }

        var key = new CheckedKey(Encryption.Smime, certificate.Thumbprint, certificate.RawData, certificate.Subject, notBefore, notAfter);
        return KeyCheck.Of(key, reasons);
    }

    // Mail to the partner is encrypted to this key, so it must be a kind the gateway can encrypt to, and its key usage
    // (when it has one) must allow what encrypting to that kind takes: key transport for RSA, key agreement for EC.
    private static string? KeyProblem(X509Certificate2 certificate)
    {
        var algorithm = certificate.PublicKey.Oid.Value ?? "";
        var curve = algorithm == SmimeKeyConventions.Ec ? CurveOf(certificate.PublicKey.EncodedParameters?.RawData) : null;
        int? bits = algorithm == SmimeKeyConventions.Rsa ? KeySize(certificate) : null;
        if (SmimeKeyConventions.Unusable(algorithm, curve, bits) is { } unusable)
        {
            return unusable;
        }

        var (needed, name) = algorithm == SmimeKeyConventions.Ec
            ? (X509KeyUsageFlags.KeyAgreement, "keyAgreement")
            : (X509KeyUsageFlags.KeyEncipherment, "keyEncipherment");
        return certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage && (usage.KeyUsages & needed) == 0
            ? $"its key usage lacks {name}, so mail cannot be encrypted to it"
            : null;
    }

    private static string? CurveOf(byte[]? parameters)
    {
        if (parameters is null)
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(parameters, AsnEncodingRules.DER);
            return reader.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) ? reader.ReadObjectIdentifier() : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static int? KeySize(X509Certificate2 certificate)
    {
        try
        {
            using var rsa = certificate.GetRSAPublicKey();
            return rsa?.KeySize;
        }
        catch (CryptographicException)
        {
            // A key .NET cannot read is no key mail can be encrypted to; judged as the smallest.
            return 0;
        }
    }

    private static X509Certificate2Collection Read(string text)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                certificates.ImportFromPem(text);
            }
            else
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text)));
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            certificates.Clear();
        }

        return certificates;
    }

    private static List<string> MailAddressesOf(X509Certificate2 certificate)
    {
        var found = new List<string>();
        foreach (var name in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!name.HasMultipleElements && name.GetSingleElementType().Value == EmailAddressAttribute && name.GetSingleElementValue() is { } address)
            {
                found.Add(address);
            }
        }

        if (certificate.Extensions[SubjectAlternativeName] is { } alternatives)
        {
            try
            {
                var names = new AsnReader(alternatives.RawData, AsnEncodingRules.DER).ReadSequence();
                while (names.HasData)
                {
                    if (names.PeekTag().HasSameClassAndValue(Rfc822Name))
                    {
                        found.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, Rfc822Name));
                    }
                    else
                    {
                        names.ReadEncodedValue();
                    }
                }
            }
            catch (AsnContentException)
            {
                // A malformed extension names no address we could match; the address check says so.
            }
        }

        return found;
    }

    private static string? ChainProblem(X509Certificate2 certificate, IEnumerable<X509Certificate2> intermediates, TrustedRoots roots, DateTimeOffset now)
    {
        if (roots.Certificates.Count == 0)
        {
            return $"cannot be checked: the partner has no trust anchors ({TrustedRoots.Field} in its profile), and no certificate is accepted " +
                "without one; add the root CA certificate of the partner's PKI to its profile first";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.Certificates);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        // Offline on purpose: the Api reaches no CRL or OCSP responder, and must not fetch issuers a stranger's certificate names.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        var built = chain.Build(certificate);

        // The partner's own validity period was judged already; here only what the rest of the chain adds.
        var flags = chain.ChainElements
            .Select((element, i) => element.ChainElementStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status)
                & (i == 0 ? ~X509ChainStatusFlags.NotTimeValid : ~X509ChainStatusFlags.NoError))
            .Aggregate(X509ChainStatusFlags.NoError, (all, f) => all | f);
        var details = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
        foreach (var element in chain.ChainElements)
        {
            element.Certificate.Dispose();
        }

        return built ? null
            : (flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0
                ? $"not issued by a trusted root of this partner ({TrustedRoots.Field}: " +
                    $"{string.Join(", ", roots.Certificates.Select(r => r.Subject))}); if the partner's CA is genuine, add it to the partner's profile"
            : (flags & X509ChainStatusFlags.NotTimeValid) != 0 ? "a CA certificate in its chain has expired or is not yet valid"
            : flags != X509ChainStatusFlags.NoError ? $"its chain does not verify: {details}"
            : null;
    }
}
