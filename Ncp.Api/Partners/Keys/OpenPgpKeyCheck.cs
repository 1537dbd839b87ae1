using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Ncp.Conventions;

namespace Ncp.Api.Partners.Keys;

/// <summary>
/// Whether a partner's OpenPGP public key may be used for mail with them. Only signatures the primary key made and that
/// verify are believed: anyone can append a user ID, a binding or a revocation to a key on its way to us.
/// </summary>
public static partial class OpenPgpKeyCheck
{
    private const string Begin = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    private const string End = "-----END PGP PUBLIC KEY BLOCK-----";

    [GeneratedRegex(@"<([^<>\s]+@[^<>\s]+)>\s*$")]
    private static partial Regex AngleAddress();

    public static KeyCheck Check(string text, IReadOnlyCollection<string> addresses, DateTimeOffset now)
    {
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = begin < 0 ? -1 : text.IndexOf(End, begin, StringComparison.Ordinal);
        if (begin < 0 || end < 0)
        {
            return KeyCheck.Refused(text.Contains("PRIVATE KEY BLOCK", StringComparison.Ordinal)
                ? "this is a private key: ask the partner for their public key only (gpg --armor --export), and let them know it was sent"
                : $"not an ASCII-armored OpenPGP public key: it must run from {Begin} to {End}");
        }

        if (text.IndexOf(Begin, end, StringComparison.Ordinal) >= 0)
        {
            return KeyCheck.Refused("this holds more than one key block: import the partner's keys one at a time");
        }

        var armored = text[begin..(end + End.Length)] + "\n";
        List<PgpObject> objects;
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
            objects = [.. new PgpObjectFactory(input).AllPgpObjects()];
        }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException)
        {
            return KeyCheck.Refused($"the key block cannot be read ({e.Message}); export it again with gpg --armor --export");
        }

        var rings = objects.OfType<PgpPublicKeyRing>().ToList();
        if (rings.Count != 1 || objects.Count != 1)
        {
            return KeyCheck.Refused(rings.Count > 1
                ? $"this block holds {rings.Count} keys: import the partner's keys one at a time"
                : "this block holds no public key");
        }

        return Check(rings[0], addresses, now);
    }

    private static KeyCheck Check(PgpPublicKeyRing ring, IReadOnlyCollection<string> addresses, DateTimeOffset now)
    {
        var reasons = new List<string>();
        var key = VerifiedOpenPgpKey.Of(ring);
        var primary = key.Primary;
        var created = key.Parts[0].Created;
        if (created > now + OpenPgpKeyConventions.ClockSkew)
        {
            reasons.Add($"the key was made in the future ({KeyCheck.Day(created)}); check the partner's clock and export it again");
        }

        if (key.Revoked is { } revoked)
        {
            reasons.Add(revoked);
        }

        reasons.AddRange(key.Parts.Select(p => OpenPgpKeyConventions.Weakness(p.Key)).OfType<string>());
        if (key.Expires <= now)
        {
            reasons.Add($"key expired on {KeyCheck.Day(key.Expires.Value)}");
        }

        var encryptionUntil = key.EncryptionKeys(now).Select(k => k.Expires).ToList();
        if (encryptionUntil.Count == 0)
        {
            reasons.Add("no subkey can encrypt: it has no encryption subkey that is bound to the key (by a signature over SHA-256 or "
                + "stronger), unrevoked and unexpired");
        }

        var matching = key.UserIds.Where(i => AddressOf(i.UserId) is { } a && addresses.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
        var match = matching.FirstOrDefault(i => !i.Revoked);
        if (match is null)
        {
            reasons.Add(matching.Count > 0
                ? $"no user ID matches {KeyCheck.Either(addresses)} that is not revoked (revoked: {string.Join(", ", matching.Select(i => i.UserId))})"
                : $"no user ID matches {KeyCheck.Either(addresses)} certified by the key itself over SHA-256 or stronger");
        }

        // Usable until the primary key or its last encryption subkey expires, whichever comes first; null is never.
        var lastEncryption = encryptionUntil.Contains(null) ? null : encryptionUntil.Max();
        var notAfter = key.Expires is not { } primaryExpires ? lastEncryption
            : lastEncryption is null ? primaryExpires : Min(primaryExpires, lastEncryption.Value);
        var checkedKey = new CheckedKey(
            Encryption.Openpgp, Convert.ToHexString(primary.GetFingerprint()), Armored(key.Ring), match?.UserId ?? "", created, notAfter);
        return KeyCheck.Of(checkedKey, reasons);
    }

    // What is stored is the key as verified, not as pasted: the Worker never sees a packet the check did not believe.
    private static byte[] Armored(PgpPublicKeyRing ring)
    {
        using var buffer = new MemoryStream();
        using (var armor = ArmoredOutputStream.Build().Build(buffer))
        {
            ring.Encode(armor);
        }

        return buffer.ToArray();
    }

    private static string? AddressOf(string userId)
    {
        var angle = AngleAddress().Match(userId);
        if (angle.Success)
        {
            return angle.Groups[1].Value;
        }

        return MailAddress.TryCreate(userId.Trim(), out var address) ? address.Address : null;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
