// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): the Api's import check and the Worker's encryption must
// believe the same signatures and pick the same subkey, so both run this one routine. It reads packets and verifies
// signatures with BouncyCastle, which both hosts already carry through MimeKit; .NET alone reads no OpenPGP and has no
// Ed25519, so a BCL-only class like SmimeKeyConventions could not do it.
using System.Globalization;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Bcpg.Sig;

namespace Ncp.Conventions;

/// <summary>A user ID the primary key certified, with its newest certification and, when revoked, the revocation.</summary>
public sealed record OpenPgpUserId(string UserId, byte[] Raw, PgpSignature Certification, PgpSignature? Revocation)
{
    public bool Revoked => Revocation is not null;
}

/// <summary>
/// The primary key or a subkey the primary key bound, with the signature that says what it may do (a self-signature or
/// the newest valid binding), when it expires and whether the primary key revoked it.
/// </summary>
public sealed record OpenPgpKeyPart(PgpPublicKey Key, PgpSignature? Binding, DateTimeOffset? Expires, PgpSignature? Revocation)
{
    private const int EncryptionFlags = KeyFlags.EncryptComms | KeyFlags.EncryptStorage;

    public bool Revoked => Revocation is not null;

    public DateTimeOffset Created => OpenPgpKeyConventions.Utc(Key.CreationTime);

    /// <summary>Key flags decide when the binding carries them; older keys without flags go by what the algorithm can do.</summary>
    public bool CanEncrypt => Binding?.GetHashedSubPackets() is { } hashed && hashed.HasSubpacket(SignatureSubpacketTag.KeyFlags)
        ? (hashed.GetKeyFlags() & EncryptionFlags) != 0
        : Binding is not null && Key.IsEncryptionKey;
}

/// <summary>
/// A partner's OpenPGP key reduced to what its primary key verifiably said: anyone can append a user ID, a subkey with a
/// binding, or a revocation to a key on its way to us, and only signatures the primary key made over a hash we trust
/// are believed. <see cref="Ring"/> holds exactly those packets and is what the Api stores and the Worker uses.
/// </summary>
public sealed class VerifiedOpenPgpKey
{
    private VerifiedOpenPgpKey(
        PgpPublicKey primary, PgpSignature? revocation, IReadOnlyList<OpenPgpUserId> userIds, IReadOnlyList<OpenPgpKeyPart> parts)
    {
        Primary = primary;
        Revocation = revocation;
        UserIds = userIds;
        Parts = parts;
        Ring = Rebuilt(primary, revocation, userIds, parts.Where(p => !p.Key.IsMasterKey));
    }

    public PgpPublicKey Primary { get; }

    /// <summary>The primary key's own revocation, when it made one.</summary>
    public PgpSignature? Revocation { get; }

    public IReadOnlyList<OpenPgpUserId> UserIds { get; }

    /// <summary>The primary key (bound by its newest unrevoked user ID self-signature), then each bound subkey.</summary>
    public IReadOnlyList<OpenPgpKeyPart> Parts { get; }

    /// <summary>The key with only the verified packets: primary key, certified user IDs, bound subkeys, revocations.</summary>
    public PgpPublicKeyRing Ring { get; }

    public DateTimeOffset? Expires => Parts[0].Expires;

    /// <summary>Keys mail may be encrypted to now: of a usable primary key, each bound, unrevoked and unexpired one that may encrypt.</summary>
    public IEnumerable<OpenPgpKeyPart> EncryptionKeys(DateTimeOffset now) =>
        Revocation is null && !(Expires <= now)
            ? Parts.Where(p => p.CanEncrypt && !p.Revoked && !(p.Expires <= now) && p.Created <= now + OpenPgpKeyConventions.ClockSkew)
            : [];

    /// <summary>The one key mail is encrypted to: the newest of <see cref="EncryptionKeys"/>; null when there is none.</summary>
    public PgpPublicKey? EncryptionKey(DateTimeOffset now) => EncryptionKeys(now).MaxBy(p => p.Created)?.Key;

    /// <summary>Why this key is unusable as a whole (the primary key revoked), in words for the administrator; null when it is not.</summary>
    public string? Revoked => Revocation is { } r ? $"the key was revoked by its owner on {OpenPgpKeyConventions.Day(r.CreationTime)}{Because(r)}" : null;

    public static VerifiedOpenPgpKey Of(PgpPublicKeyRing ring)
    {
        var primary = ring.GetPublicKey();
        var userIds = UserIdsOf(primary);
        var selfSignature = userIds.Where(i => !i.Revoked).Select(i => i.Certification).MaxBy(s => s.CreationTime);
        var parts = new List<OpenPgpKeyPart> { new(primary, selfSignature, ExpiryOf(primary, selfSignature), null) };
        foreach (var subkey in ring.GetPublicKeys().Where(k => !k.IsMasterKey))
        {
            var binding = subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding)
                .Where(s => OpenPgpKeyConventions.MadeBy(s, primary, () => s.VerifyCertification(primary, subkey)))
                .MaxBy(s => s.CreationTime);
            if (binding is not null)
            {
                var revocation = subkey.GetSignaturesOfType(PgpSignature.SubkeyRevocation)
                    .FirstOrDefault(s => OpenPgpKeyConventions.Revokes(s, primary, () => s.VerifyCertification(primary, subkey)));
                parts.Add(new(subkey, binding, ExpiryOf(subkey, binding), revocation));
            }
        }

        var primaryRevocation = primary.GetSignaturesOfType(PgpSignature.KeyRevocation)
            .FirstOrDefault(s => OpenPgpKeyConventions.Revokes(s, primary, () => s.VerifyCertification(primary)));
        return new VerifiedOpenPgpKey(primary, primaryRevocation, userIds, parts);
    }

    /// <summary>User IDs the primary key certified; one whose newest verified word is a revocation is revoked.</summary>
    private static List<OpenPgpUserId> UserIdsOf(PgpPublicKey primary)
    {
        var identities = new List<OpenPgpUserId>();
        foreach (var raw in primary.GetRawUserIds())
        {
            string userId;
            try
            {
                userId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(raw);
            }
            catch (DecoderFallbackException)
            {
                continue; // RFC 9580 5.11: a user ID is UTF-8; one that is not names no one we can match
            }

            var signatures = primary.GetSignaturesForId(raw).ToList();
            var certification = signatures
                .Where(s => s.IsCertification() && OpenPgpKeyConventions.MadeBy(s, primary, () => s.VerifyCertification(userId, primary)))
                .MaxBy(s => s.CreationTime);
            if (certification is null)
            {
                continue;
            }

            var revocation = signatures.FirstOrDefault(s => s.SignatureType == PgpSignature.CertificationRevocation
                && s.CreationTime >= certification.CreationTime
                && OpenPgpKeyConventions.Revokes(s, primary, () => s.VerifyCertification(userId, primary)));
            identities.Add(new(userId, raw, certification, revocation));
        }

        return identities;
    }

    private static DateTimeOffset? ExpiryOf(PgpPublicKey key, PgpSignature? signature)
    {
        var seconds = signature?.GetHashedSubPackets()?.GetKeyExpirationTime() ?? 0;
        return seconds > 0 ? OpenPgpKeyConventions.Utc(key.CreationTime).AddSeconds(seconds) : null;
    }

    private static string Because(PgpSignature revocation)
    {
        if (revocation.GetHashedSubPackets()?.GetRevocationReason() is not { } reason)
        {
            return "";
        }

        var code = RevocationReasons.GetValueOrDefault((byte)reason.GetRevocationReason(), "no reason given");
        return reason.GetRevocationDescription()?.Trim() is { Length: > 0 } words ? $" ({code}: {words})" : $" ({code})";
    }

    // RFC 9580 5.2.3.31.
    private static readonly Dictionary<byte, string> RevocationReasons = new()
    {
        [0] = "no reason given",
        [1] = "superseded by another key",
        [2] = "the key was compromised",
        [3] = "the key is no longer used",
        [32] = "the user ID is no longer valid",
    };

    // Exactly the packets believed, in the order RFC 9580 10.1 gives a transferable public key: no third-party
    // certifications, user attributes, unbound subkeys, or signatures that failed to verify.
    private static PgpPublicKeyRing Rebuilt(
        PgpPublicKey primary, PgpSignature? revocation, IEnumerable<OpenPgpUserId> userIds, IEnumerable<OpenPgpKeyPart> subkeys)
    {
        using var buffer = new MemoryStream();
        using (var output = new BcpgOutputStream(buffer))
        {
            output.WritePacket(primary.PublicKeyPacket);
            revocation?.Encode(output);
            foreach (var id in userIds)
            {
                output.WritePacket(new UserIdPacket(id.Raw));
                id.Certification.Encode(output);
                id.Revocation?.Encode(output);
            }

            foreach (var subkey in subkeys)
            {
                output.WritePacket(subkey.Key.PublicKeyPacket);
                subkey.Binding!.Encode(output);
                subkey.Revocation?.Encode(output);
            }
        }

        return new PgpPublicKeyRing(buffer.ToArray());
    }
}

/// <summary>What an OpenPGP key and its signatures must be for the gateway to use them, judged alike by the Api and the Worker.</summary>
public static class OpenPgpKeyConventions
{
    public const int MinimumRsaBits = 2048;

    // Curve25519's field has 255 bits, P-256's and brainpoolP256r1's 256; every weaker curve OpenPGP names has 224 or fewer.
    private const int MinimumCurveBits = 255;

    // gpg will not use a key made in the future, but a partner's clock a few minutes ahead of ours is no reason to refuse.
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

    private const string AskFor = "ask the partner for an RSA key of 2048 bits or more, or an elliptic-curve key on P-256 or stronger " +
        "(gpg's default, Curve25519, will do)";

    /// <summary>Hashes a signature may no longer rest on: collisions for them can be bought, so a signature over them proves nothing.</summary>
    public static bool WeakHash(HashAlgorithmTag hash) => hash is HashAlgorithmTag.MD5 or HashAlgorithmTag.Sha1 or HashAlgorithmTag.RipeMD160
        or HashAlgorithmTag.MD2 or HashAlgorithmTag.Tiger192 or HashAlgorithmTag.Haval5pass160;

    /// <summary>Why a key is too weak to use, in words for the administrator; null when it is strong enough.</summary>
    public static string? Weakness(PgpPublicKey key)
    {
        var what = key.IsMasterKey ? "the primary key" : $"the subkey {key.KeyId:X16}";
        return key.Algorithm switch
        {
            PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.RsaSign
                or PublicKeyAlgorithmTag.Dsa or PublicKeyAlgorithmTag.ElGamalEncrypt or PublicKeyAlgorithmTag.ElGamalGeneral
                when key.BitStrength < MinimumRsaBits =>
                $"{what} is {key.Algorithm} of {key.BitStrength} bits, fewer than the {MinimumRsaBits} required; {AskFor}",
            PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt or PublicKeyAlgorithmTag.RsaSign
                or PublicKeyAlgorithmTag.Dsa or PublicKeyAlgorithmTag.ElGamalEncrypt or PublicKeyAlgorithmTag.ElGamalGeneral => null,
            _ when Modern(key) => null,
            _ when key.BitStrength <= 0 => $"{what} is {key.Algorithm} on a curve we do not know; {AskFor}",
            _ when key.BitStrength < MinimumCurveBits => $"{what} is {key.Algorithm} on a curve of {key.BitStrength} bits, weaker than P-256; {AskFor}",
            _ => null,
        };
    }

    // Curve25519 and Curve448 in either encoding (the legacy OIDs gpg writes, RFC 9580's own algorithms 25 to 28), for
    // which BouncyCastle reports no strength.
    private static bool Modern(PgpPublicKey key) => (int)key.Algorithm is >= 25 and <= 28
        || (key.PublicKeyPacket.Key as ECPublicBcpgKey)?.CurveOid.Id is "1.3.6.1.4.1.3029.1.5.1" or "1.3.6.1.4.1.11591.15.1"
            or "1.3.101.110" or "1.3.101.111" or "1.3.101.112" or "1.3.101.113";

    /// <summary>Whether the primary key made this self-signature or binding, over a hash we trust, and it verifies.</summary>
    internal static bool MadeBy(PgpSignature signature, PgpPublicKey primary, Func<bool> verify) =>
        !WeakHash(signature.HashAlgorithm) && Revokes(signature, primary, verify);

    /// <summary>
    /// Whether the primary key made this revocation. Any hash will do here: a revocation can only take a key out of use,
    /// so a forged one over a broken hash could cost a partner their mail but never put a stranger's key in it.
    /// </summary>
    internal static bool Revokes(PgpSignature signature, PgpPublicKey primary, Func<bool> verify)
    {
        if (signature.KeyId != primary.KeyId)
        {
            return false;
        }

        try
        {
            signature.InitVerify(primary);
            return verify();
        }
        catch (PgpException)
        {
            // An algorithm BouncyCastle cannot verify proves nothing, in either direction.
            return false;
        }
    }

    internal static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    internal static string Day(DateTime at) => Utc(at).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
