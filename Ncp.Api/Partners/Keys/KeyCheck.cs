using System.Globalization;
using Ncp.Api.Infrastructure.Http;
using Ncp.Conventions;

namespace Ncp.Api.Partners.Keys;

/// <summary>What an import records of a key that passed every check.</summary>
public sealed record CheckedKey(Encryption Scheme, string Fingerprint, byte[] Material, string Subject, DateTimeOffset NotBefore, DateTimeOffset? NotAfter);

/// <summary>A checked key, or the reasons it was refused, worded for the administrator who pasted it.</summary>
public sealed record KeyCheck(CheckedKey? Key, IReadOnlyList<string> Reasons)
{
    public static KeyCheck Refused(string reason) => new(null, [reason]);

    public static KeyCheck Of(CheckedKey key, List<string> reasons) => reasons.Count == 0 ? new(key, []) : new(null, reasons);

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Either(IEnumerable<string> addresses) => string.Join(" or ", addresses);

    /// <summary>Checks the body of an import against the partner's profile; errors name the field the problem is in.</summary>
    public static (CheckedKey? Key, List<FieldError> Errors) Check(
        ImportKeyBody body, PartnerProfile partner, RevocationLists revocations, DateTimeOffset now)
    {
        if (!ApiEnum<Encryption>.TryParse(body.Scheme, out var scheme))
        {
            return (null, [new("scheme", $"One of: {ApiEnum<Encryption>.Names}.")]);
        }

        var (field, text) = scheme == Encryption.Smime ? ("certificate", body.Certificate) : ("publicKey", body.PublicKey);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, [new(field, scheme == Encryption.Smime
                ? "Paste the partner's certificate, as PEM (-----BEGIN CERTIFICATE-----) or as base64 DER."
                : "Paste the partner's ASCII-armored public key (-----BEGIN PGP PUBLIC KEY BLOCK-----).")]);
        }

        KeyCheck check;
        if (scheme == Encryption.Smime)
        {
            using var trusted = TrustedRoots.Of(partner);
            check = CertificateCheck.Check(text, partner.Addresses, trusted, revocations, now);
        }
        else
        {
            check = OpenPgpKeyCheck.Check(text, partner.Addresses, now);
        }

        return (check.Key, [.. check.Reasons.Select(r => new FieldError(field, r))]);
    }
}
