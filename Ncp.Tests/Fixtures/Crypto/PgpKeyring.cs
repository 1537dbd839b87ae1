using System.Globalization;

namespace Ncp.Tests.Fixtures.Crypto;

/// <summary>
/// The OpenPGP half of <see cref="TestPki"/>: one GnuPG home holding the NCP's key and the partners' keys, each also
/// exported armored. de, fr and nl are valid; old@ expired at the end of 2020; multi@ carries a second user ID,
/// old-multi@, that is revoked.
/// </summary>
public sealed class PgpKeyring
{
    public const string RevokedUserId = "Partner MULTI (retired) <old-multi@partner.example>";

    private readonly IReadOnlyDictionary<string, PgpKey> partners;

    private PgpKeyring(string home, PgpKey ncp, IReadOnlyDictionary<string, PgpKey> partners)
    {
        Home = home;
        Ncp = ncp;
        this.partners = partners;
    }

    /// <summary>The GNUPGHOME; every key's secret part is in it.</summary>
    public string Home { get; }

    /// <summary><c>NCP Kazakhstan &lt;ncp@ncp.example&gt;</c>, protected by a passphrase.</summary>
    public PgpKey Ncp { get; }

    /// <summary>de, fr, nl, old or multi; their secret keys have no passphrase.</summary>
    public PgpKey Partner(string name) => TestPki.Named(partners, name, "OpenPGP");

    internal static PgpKeyring Generate(string home)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The OpenPGP test keys are made with GnuPG on Linux.");
        }

        Directory.CreateDirectory(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var exports = Directory.CreateDirectory(Path.Combine(home, "..", "pgp")).FullName;

        PgpKey Make(string name, string userId, string? passphrase, string expiry = "0", string? fakedTime = null)
        {
            var gpg = new GpgMail(home, passphrase);
            string[] time = fakedTime is null ? [] : ["--faked-system-time", fakedTime];
            var fingerprint = Created(gpg.Run([.. time, "--quick-gen-key", userId, "rsa2048", "sign", expiry]));
            var subkey = Created(gpg.Run([.. time, "--quick-add-key", fingerprint, "rsa2048", "encr", expiry]));
            var publicFile = Path.Combine(exports, $"{name}.pub.asc");
            var secretFile = Path.Combine(exports, $"{name}.sec.asc");
            gpg.Run(["--armor", "--output", publicFile, "--export", fingerprint]);
            // gpg 2.2 asks the agent for the passphrase even to export a secret key.
            gpg.Run(["--armor", "--output", secretFile, "--export-secret-keys", fingerprint]);
            var email = userId[(userId.IndexOf('<', StringComparison.Ordinal) + 1)..^1];
            return new PgpKey(name, userId, email, publicFile, secretFile, passphrase, fingerprint, subkey);
        }

        var ncp = Make("ncp", $"NCP Kazakhstan <{TestPki.NcpAddress}>", "ncp-pgp-passphrase");
        var keys = new Dictionary<string, PgpKey>();
        foreach (var country in new[] { "de", "fr", "nl" })
        {
            keys[country] = Make(country, $"Partner {country.ToUpperInvariant()} <{country}@partner.example>", null);
        }

        // gpg refuses to make a key that has already expired, so the clock is set back to make one that expired in 2021.
        keys["old"] = Make("old", "Partner OLD <old@partner.example>", null, "1y", "20200101T000000!");

        // A revocation made in the same second as the self-signature it revokes leaves readers guessing which came
        // first; the key and its user IDs are dated an hour back so the revocation is unambiguously later.
        var anHourAgo = DateTime.UtcNow.AddHours(-1).ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        var multi = Make("multi", "Partner MULTI <multi@partner.example>", null, fakedTime: anHourAgo);
        var signer = new GpgMail(home, null);
        signer.Run(["--faked-system-time", anHourAgo, "--quick-add-uid", multi.Fingerprint, RevokedUserId]);
        signer.Run(["--quick-revoke-uid", multi.Fingerprint, RevokedUserId]);
        signer.Run(["--armor", "--output", multi.PublicArmored, "--export", multi.Fingerprint]);
        signer.Run(["--armor", "--output", multi.SecretArmored, "--export-secret-keys", multi.Fingerprint]);
        keys["multi"] = multi;

        return new PgpKeyring(home, ncp, keys);
    }

    private static string Created(IReadOnlyList<string> status) =>
        status.Select(s => s.Split(' ')).FirstOrDefault(s => s is ["KEY_CREATED", _, _, ..])?[2]
        ?? throw new InvalidOperationException($"gpg reported no KEY_CREATED: {string.Join(" | ", status)}");
}
