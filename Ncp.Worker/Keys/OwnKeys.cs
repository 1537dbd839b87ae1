using Ncp.Conventions;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.X509;

namespace Ncp.Worker.Keys;

/// <summary>One S/MIME identity of ours, held twice: for BouncyCastle and as .NET's certificate with its key (native CMS).</summary>
public sealed record SmimeIdentity(X509Certificate Certificate, X509Certificate[] Chain, AsymmetricKeyParameter PrivateKey, string File)
{
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Native { get; init; }

    public string Fingerprint => Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(Certificate.GetEncoded()));
}

public sealed record OpenPgpIdentity(PgpSecretKeyRing Ring, string Passphrase, string File)
{
    public string Fingerprint => Convert.ToHexString(Ring.GetPublicKey().GetFingerprint());
}

/// <summary>
/// The NCP's own keys, read once from the files named in configuration. Rotation: several may be configured; the newest
/// valid one signs and is what partners encrypt to, the older ones still decrypt mail sent to them.
/// </summary>
public sealed class OwnKeys
{
    public OwnKeys(GatewaySettings settings, ILogger<OwnKeys> logger)
    {
        Smime = settings.SmimeKeys.Select(LoadSmime).ToArray();
        OpenPgp = settings.OpenPgpKeys.Select(LoadOpenPgp).ToArray();
        if (Smime.Count == 0 && OpenPgp.Count == 0)
        {
            logger.LogWarning("No keys of our own are configured (Mail:SmimeKeys, Mail:OpenPgpKeys): no mail to partners can be signed or read");
        }
    }

    public IReadOnlyList<SmimeIdentity> Smime { get; }

    public IReadOnlyList<OpenPgpIdentity> OpenPgp { get; }

    // The newest valid one; between two made at the same time, the one configured later (the sort is stable).
    public SmimeIdentity? SmimeSigner(DateTimeOffset now) => Smime
        .Where(i => i.Certificate.NotBefore <= now.UtcDateTime && now.UtcDateTime <= i.Certificate.NotAfter)
        .OrderBy(i => i.Certificate.NotBefore)
        .LastOrDefault();

    public OpenPgpIdentity? OpenPgpSigner(DateTimeOffset now) => OpenPgp
        .Where(i => OpenPgpKeys.IsUsable(i.Ring, now))
        .OrderBy(i => i.Ring.GetPublicKey().CreationTime)
        .LastOrDefault();

    private static SmimeIdentity LoadSmime(SmimeKeyFile file)
    {
        var password = Secret(file.Password, file.PasswordFile, "Mail:SmimeKeys password");
        try
        {
            using var stream = File.OpenRead(file.Pfx);
            var store = new Pkcs12StoreBuilder().Build();
            store.Load(stream, password.ToCharArray());
            var alias = store.Aliases.FirstOrDefault(store.IsKeyEntry)
                ?? throw new InvalidOperationException($"{file.Pfx} holds no private key.");
            var chain = store.GetCertificateChain(alias).Select(c => c.Certificate).ToArray();
            // Ephemeral: the key stays in this process's memory, never in a key store on disk.
            var native = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                file.Pfx, password, System.Security.Cryptography.X509Certificates.X509KeyStorageFlags.EphemeralKeySet);
            return new SmimeIdentity(chain[0], chain, store.GetKey(alias).Key, file.Pfx) { Native = native };
        }
        catch (Exception e) when (e is IOException or PkcsException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"Cannot read our S/MIME key {file.Pfx}: {e.Message}", e);
        }
    }

    private static OpenPgpIdentity LoadOpenPgp(OpenPgpKeyFile file)
    {
        var passphrase = Secret(file.Passphrase, file.PassphraseFile, "Mail:OpenPgpKeys passphrase", optional: true);
        try
        {
            using var stream = PgpUtilities.GetDecoderStream(File.OpenRead(file.SecretKey));
            var bundle = new PgpSecretKeyRingBundle(stream);
            // Unlocking a secret key runs the passphrase through the S2K function, slow by design (~0.1 s): done once here,
            // the key is kept unlocked in memory only, not once per mail. It also fails at start, not at the first mail
            // at night, when the passphrase does not open the key.
            var characters = passphrase.ToCharArray();
            try
            {
                var unlocked = PgpSecretKeyRing.CopyWithNewPassword(
                    bundle.GetKeyRings().Single(), characters, [], SymmetricKeyAlgorithmTag.Null, new Org.BouncyCastle.Security.SecureRandom());
                return new OpenPgpIdentity(unlocked, "", file.SecretKey);
            }
            finally
            {
                Array.Clear(characters);
            }
        }
        catch (Exception e) when (e is IOException or PgpException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Cannot read our OpenPGP key {file.SecretKey}: {e.Message}", e);
        }
    }

    private static string Secret(string? value, string? file, string what, bool optional = false)
    {
        if (!string.IsNullOrEmpty(file))
        {
            return File.ReadAllText(file).TrimEnd('\r', '\n');
        }

        return value ?? (optional ? "" : throw new InvalidOperationException($"{what} is not set (use a *File setting)."));
    }
}

/// <summary>What makes an OpenPGP key usable: not revoked, not expired, and able to do the job asked of it.</summary>
public static class OpenPgpKeys
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PgpSecretKeyRing, PgpPublicKeyRing> PublicRings = new();
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PgpPublicKeyRing, VerifiedOpenPgpKey> VerifiedRings = new();

    /// <summary>The public half of one of our secret rings, made once per ring (what encrypts to us and checks our signatures).</summary>
    public static PgpPublicKeyRing PublicRing(PgpSecretKeyRing ring) =>
        PublicRings.GetValue(ring, r => new PgpPublicKeyRing(r.GetPublicKeys().SelectMany(k => k.GetEncoded()).ToArray()));

    /// <summary>Whether one of our keys may sign now: its primary key neither revoked nor expired, by its own verified word.</summary>
    public static bool IsUsable(PgpSecretKeyRing ring, DateTimeOffset now) =>
        Verified(PublicRing(ring)) is { Revocation: null } key && !(key.Expires <= now);

    public static DateTimeOffset? ExpiresAt(PgpPublicKey key)
    {
        var seconds = key.GetValidSeconds();
        return seconds == 0 ? null : new DateTimeOffset(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc)).AddSeconds(seconds);
    }

    /// <summary>
    /// The key mail to this ring's owner is encrypted to: the newest bound encryption subkey, picked by the same routine
    /// the Api's import check runs (<see cref="VerifiedOpenPgpKey"/>); null when there is none usable now.
    /// </summary>
    public static PgpPublicKey? EncryptionKey(PgpPublicKeyRing ring, DateTimeOffset now) => Verified(ring).EncryptionKey(now);

    /// <summary>The ring reduced to what its primary key verifiably said, worked out once per ring.</summary>
    public static VerifiedOpenPgpKey Verified(PgpPublicKeyRing ring) => VerifiedRings.GetValue(ring, VerifiedOpenPgpKey.Of);
}
