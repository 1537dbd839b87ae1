using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Bcpg.Sig;

namespace Ncp.Api.Partners.Keys;

/// <summary>
/// Whether a partner's OpenPGP public key may be used for mail with them. Only signatures the primary key made and that
/// verify are believed: anyone can append a user ID, a binding or a revocation to a key on its way to us.
/// </summary>
public static partial class OpenPgpKeyCheck
{
    private const string Begin = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    private const string End = "-----END PGP PUBLIC KEY BLOCK-----";
    private const int EncryptionFlags = KeyFlags.EncryptComms | KeyFlags.EncryptStorage;

    // gpg will not use a key made in the future, but a partner's clock a few minutes ahead of ours is no reason to refuse.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

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

        return Check(rings[0], Encoding.ASCII.GetBytes(armored), addresses, now);
    }

    private static KeyCheck Check(PgpPublicKeyRing ring, byte[] material, IReadOnlyCollection<string> addresses, DateTimeOffset now)
    {
        var reasons = new List<string>();
        var primary = ring.GetPublicKey();
        var created = Utc(primary.CreationTime);
        if (created > now + ClockSkew)
        {
            reasons.Add($"the key was made in the future ({KeyCheck.Day(created)}); check the partner's clock and export it again");
        }

        if (primary.GetSignaturesOfType(PgpSignature.KeyRevocation).Any(s => Verifies(s, primary, () => s.VerifyCertification(primary))))
        {
            reasons.Add("the key is revoked");
        }

        var identities = IdentitiesOf(primary);
        var selfSignature = identities.Where(i => !i.Revoked).Select(i => i.Certification).MaxBy(s => s.CreationTime);
        var primaryExpires = ExpiryOf(primary, selfSignature);
        if (primaryExpires <= now)
        {
            reasons.Add($"key expired on {KeyCheck.Day(primaryExpires.Value)}");
        }

        var encryptionUntil = EncryptionKeysOf(ring, primary, selfSignature)
            .Where(k => !k.Revoked && !(k.Expires <= now))
            .Select(k => k.Expires)
            .ToList();
        if (encryptionUntil.Count == 0)
        {
            reasons.Add("no subkey can encrypt: it has no encryption subkey that is bound to the key, unrevoked and unexpired");
        }

        var matching = identities.Where(i => i.Address is not null && addresses.Contains(i.Address, StringComparer.OrdinalIgnoreCase)).ToList();
        var match = matching.FirstOrDefault(i => !i.Revoked);
        if (match is null)
        {
            reasons.Add(matching.Count > 0
                ? $"no user ID matches {KeyCheck.Either(addresses)} that is not revoked (revoked: {string.Join(", ", matching.Select(i => i.UserId))})"
                : $"no user ID matches {KeyCheck.Either(addresses)}");
        }

        // Usable until the primary key or its last encryption subkey expires, whichever comes first; null is never.
        var lastEncryption = encryptionUntil.Contains(null) ? null : encryptionUntil.Max();
        var notAfter = primaryExpires is null ? lastEncryption : lastEncryption is null ? primaryExpires : Min(primaryExpires.Value, lastEncryption.Value);
        var key = new CheckedKey(Encryption.Openpgp, Convert.ToHexString(primary.GetFingerprint()), material, match?.UserId ?? "", created, notAfter);
        return KeyCheck.Of(key, reasons);
    }

    private sealed record Identity(string UserId, string? Address, PgpSignature Certification, bool Revoked);

    private sealed record EncryptionKey(bool Revoked, DateTimeOffset? Expires);

    /// <summary>User IDs the primary key certified; one whose newest verified word is a revocation is revoked.</summary>
    private static List<Identity> IdentitiesOf(PgpPublicKey primary)
    {
        var identities = new List<Identity>();
        foreach (var userId in primary.GetUserIds())
        {
            var own = primary.GetSignaturesForId(userId)
                .Where(s => s.KeyId == primary.KeyId && Verifies(s, primary, () => s.VerifyCertification(userId, primary)))
                .ToList();
            var certification = own.Where(s => s.IsCertification()).MaxBy(s => s.CreationTime);
            if (certification is null)
            {
                continue;
            }

            var revoked = own.Any(s => s.SignatureType == PgpSignature.CertificationRevocation && s.CreationTime >= certification.CreationTime);
            identities.Add(new(userId, AddressOf(userId), certification, revoked));
        }

        return identities;
    }

    private static IEnumerable<EncryptionKey> EncryptionKeysOf(PgpPublicKeyRing ring, PgpPublicKey primary, PgpSignature? selfSignature)
    {
        if (selfSignature is not null && CanEncrypt(primary, selfSignature))
        {
            yield return new(false, ExpiryOf(primary, selfSignature));
        }

        foreach (var subkey in ring.GetPublicKeys().Where(k => !k.IsMasterKey))
        {
            var binding = subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding)
                .Where(s => s.KeyId == primary.KeyId && Verifies(s, primary, () => s.VerifyCertification(primary, subkey)))
                .MaxBy(s => s.CreationTime);
            if (binding is null || !CanEncrypt(subkey, binding))
            {
                continue;
            }

            var revoked = subkey.GetSignaturesOfType(PgpSignature.SubkeyRevocation)
                .Any(s => s.KeyId == primary.KeyId && Verifies(s, primary, () => s.VerifyCertification(primary, subkey)));
            yield return new(revoked, ExpiryOf(subkey, binding));
        }
    }

    /// <summary>Key flags decide when the signature carries them; older keys without flags go by what the algorithm can do.</summary>
    private static bool CanEncrypt(PgpPublicKey key, PgpSignature signature)
    {
        var hashed = signature.GetHashedSubPackets();
        return hashed is not null && hashed.HasSubpacket(SignatureSubpacketTag.KeyFlags)
            ? (hashed.GetKeyFlags() & EncryptionFlags) != 0
            : key.IsEncryptionKey;
    }

    private static DateTimeOffset? ExpiryOf(PgpPublicKey key, PgpSignature? signature)
    {
        var seconds = signature?.GetHashedSubPackets()?.GetKeyExpirationTime() ?? 0;
        return seconds > 0 ? Utc(key.CreationTime).AddSeconds(seconds) : null;
    }

    private static bool Verifies(PgpSignature signature, PgpPublicKey signer, Func<bool> verify)
    {
        try
        {
            signature.InitVerify(signer);
            return verify();
        }
        catch (PgpException)
        {
            // An algorithm BouncyCastle cannot verify proves nothing, in either direction.
            return false;
        }
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

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
