using System.Globalization;

namespace Ncp.Tests.Fixtures.Crypto;

/// <summary>
/// A partner's own certificate authority, made by <c>openssl req</c> and run by <c>openssl ca</c> in a folder of its own:
/// it issues mail certificates (RSA 2048, for signing and key transport) and revokes them into a revocation list, as a
/// partner country's PKI would. Disposing removes the folder.
/// </summary>
public sealed class PartnerCa : IDisposable
{
    private const string Password = "pfx-test-password";
    private readonly string folder = Directory.CreateTempSubdirectory("ncp-partner-ca-").FullName;
    private int issued;

    /// <summary>openssl's <c>req</c> and <c>ca</c> settings for a test CA of our own, so that nothing depends on the machine's openssl.cnf.</summary>
    internal const string Config = """
        [req]
        distinguished_name = dn
        [dn]
        [ca]
        default_ca = partner
        [partner]
        database = index.txt
        serial = serial
        new_certs_dir = .
        default_md = sha256
        policy = any
        unique_subject = no
        email_in_dn = no
        [any]
        commonName = supplied
        [root]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        """;

    public PartnerCa(string name)
    {
        File.WriteAllText(Path.Combine(folder, "index.txt"), "");
        File.WriteAllText(Path.Combine(folder, "serial"), "1000\n");
        File.WriteAllText(Path.Combine(folder, "ca.cnf"), Config);
        OpenSsl("req", "-config", "ca.cnf", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
            "-subj", $"/CN={name}", "-extensions", "root");
    }

    /// <summary>The CA's certificate (PEM file): what a partner's profile names as its trust anchor.</summary>
    public string CertPem => Path.Combine(folder, "ca.pem");

    /// <summary>A mail certificate for <paramref name="email"/>, valid from now for 30 days, with its key and PFX.</summary>
    public SmimeIdentity Issue(string email)
    {
        var name = $"cert{Interlocked.Increment(ref issued)}";
        File.WriteAllText(Path.Combine(folder, $"{name}.ext"), $"""
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = emailProtection
            subjectAltName = email:{email}
            """);
        OpenSsl("req", "-config", "ca.cnf", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", $"{name}.key", "-out", $"{name}.csr",
            "-subj", $"/CN={email}");
        OpenSsl("ca", "-config", "ca.cnf", "-batch", "-notext", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", $"{name}.csr",
            "-out", $"{name}.pem", "-days", "30", "-extfile", $"{name}.ext");
        OpenSsl("pkcs12", "-export", "-in", $"{name}.pem", "-inkey", $"{name}.key", "-certfile", "ca.pem", "-out", $"{name}.pfx",
            "-passout", $"pass:{Password}");
        return new SmimeIdentity(name, email, Path.Combine(folder, $"{name}.pem"), Path.Combine(folder, $"{name}.key"),
            Path.Combine(folder, $"{name}.pfx"), Password);
    }

    /// <summary>
    /// Revokes the certificate (<c>openssl ca -revoke</c>, with an RFC 5280 reason such as <c>keyCompromise</c>) and writes
    /// the CA's revocation list (<c>openssl ca -gencrl</c>, next update in <paramref name="validFor"/>) to <paramref name="crlPath"/>.
    /// </summary>
    public void Revoke(SmimeIdentity identity, string reason, string crlPath, TimeSpan validFor)
    {
        OpenSsl("ca", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-revoke", identity.CertPem, "-crl_reason", reason);
        WriteList(crlPath, validFor);
    }

    /// <summary>The CA's revocation list as it stands (<c>openssl ca -gencrl</c>), next update in <paramref name="validFor"/>.</summary>
    public void WriteList(string crlPath, TimeSpan validFor) =>
        OpenSsl("ca", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-gencrl", "-crlsec",
            ((int)validFor.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-out", crlPath);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private void OpenSsl(params string[] arguments) => Tool.Run("openssl", arguments, folder).OrThrow();
}
