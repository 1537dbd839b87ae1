using System.Diagnostics;

namespace Ncp.Tests.Fixtures.Crypto;

/// <summary>
/// Real key material for the mail gateway's tests, made by the openssl and gpg command-line tools in a fresh temporary
/// folder: an S/MIME test CA with the NCP's and the partners' certificates, and OpenPGP keys for the same parties.
/// Every file property is a path. Generation took 7 to 9 s on the shared 2-core build machine while other builds ran
/// (S/MIME and OpenPGP side by side, gpg being the longer). RSA 2048 throughout, but for one EC partner: RSA 3072 keys
/// would take gpg alone 10 to 20 s, and key size changes nothing the gateway's tests look at.
/// </summary>
public sealed class TestPki : IDisposable
{
    public const string NcpAddress = "ncp@ncp.example";

    // For test classes that belong to another collection (the servers' one): made on first use, removed when the test
    // process ends.
    private static readonly Lazy<TestPki> SharedPki = new(() =>
    {
        var pki = new TestPki();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => pki.Dispose();
        return pki;
    });

    private readonly IReadOnlyDictionary<string, SmimeIdentity> partners;

    public TestPki()
    {
        var watch = Stopwatch.StartNew();
        Root = Directory.CreateTempSubdirectory("ncp-pki-").FullName;
        try
        {
            var smime = Task.Run(() => SmimeIssuer.Issue(Path.Combine(Root, "smime")));
            var pgp = Task.Run(() => PgpKeyring.Generate(Path.Combine(Root, "gnupg")));
            // Both are awaited before either's failure is reported, so that Dispose never deletes under a running tool.
            Task.WaitAll(smime, pgp);
            (Ca, Ncp, NcpNext, partners) = smime.GetAwaiter().GetResult();
            Pgp = pgp.GetAwaiter().GetResult();
            Gpg = new GpgMail(Pgp.Home, Pgp.Ncp.Passphrase);
        }
        catch
        {
            Dispose();
            throw;
        }

        GenerationTime = watch.Elapsed;
    }

    public static TestPki Shared => SharedPki.Value;

    public string Root { get; }

    public TimeSpan GenerationTime { get; }

    public CertificateAuthority Ca { get; }

    /// <summary>The NCP's certificate for <c>ncp@ncp.example</c>, the one in use.</summary>
    public SmimeIdentity Ncp { get; }

    /// <summary>A second certificate for the same address, with its own key: the one rotated to.</summary>
    public SmimeIdentity NcpNext { get; }

    public PgpKeyring Pgp { get; }

    /// <summary>gpg on <see cref="Pgp"/>'s home, which holds every secret key: it plays any partner, or the NCP.</summary>
    public GpgMail Gpg { get; }

    /// <summary>
    /// de, fr and nl are valid. old@ expired in 2021, noeku@ has an extended key usage without emailProtection, and
    /// rogue@ is self-signed rather than issued by <see cref="Ca"/>. ec holds an EC P-256 key (for bench@partner.example).
    /// </summary>
    public SmimeIdentity Partner(string name) => Named(partners, name, "S/MIME");

    internal static T Named<T>(IReadOnlyDictionary<string, T> partners, string name, string kind) =>
        partners.TryGetValue(name, out var found)
            ? found
            : throw new ArgumentException($"No {kind} partner '{name}'; there are {string.Join(", ", partners.Keys)}.", nameof(name));

    public void Dispose()
    {
        // gpg leaves an agent running per home, even when generation failed half-way; it would outlive the tests.
        var home = Path.Combine(Root, "gnupg");
        if (Directory.Exists(home))
        {
            Tool.Run("gpgconf", ["--homedir", home, "--kill", "all"]);
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // An agent's socket disappearing while the folder is walked; the folder is in /tmp regardless.
        }
    }
}

public sealed record CertificateAuthority(string CertPem, string KeyPem);

/// <summary>A certificate as PEM, its private key as unencrypted PKCS#8 PEM, and both (with the CA) in a PFX.</summary>
public sealed record SmimeIdentity(string Name, string Email, string CertPem, string KeyPem, string Pfx, string PfxPassword)
{
    public byte[] PfxBytes => File.ReadAllBytes(Pfx);
}

/// <summary>
/// An OpenPGP key: a primary key that signs and certifies and a subkey that encrypts, exported armored.
/// <see cref="Passphrase"/> is null when the secret key is not protected.
/// </summary>
public sealed record PgpKey(
    string Name, string UserId, string Email, string PublicArmored, string SecretArmored, string? Passphrase,
    string Fingerprint, string EncryptionSubkeyFingerprint);

[CollectionDefinition(Name)]
public sealed class CryptoCollection : ICollectionFixture<TestPki>
{
    public const string Name = "crypto";
}
