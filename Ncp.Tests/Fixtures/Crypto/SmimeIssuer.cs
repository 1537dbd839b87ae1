using System.Text;

namespace Ncp.Tests.Fixtures.Crypto;

/// <summary>The S/MIME half of <see cref="TestPki"/>: a test CA and the certificates it issues, made with openssl.</summary>
internal static class SmimeIssuer
{
    private const string PfxPassword = "pfx-test-password";

    private enum Kind { Valid, Expired, WithoutEmailProtection, SelfSigned }

    // Our own config for req and ca, so that nothing depends on the machine's openssl.cnf and its defaults.
    private static readonly string[] OwnConfig = ["-config", "openssl.cnf"];

    private sealed record Profile(string Name, string Email, string CommonName, Kind Kind = Kind.Valid, bool Ec = false)
    {
        public string[] NewKey => Ec ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"];

        // Mail is encrypted to an RSA key by key transport, to an EC key by key agreement.
        public string KeyUsage => Ec ? "digitalSignature, keyAgreement" : "digitalSignature, keyEncipherment";
    }

    private static readonly Profile[] Profiles =
    [
        new("ncp", TestPki.NcpAddress, "NCP Kazakhstan"),
        new("ncp-next", TestPki.NcpAddress, "NCP Kazakhstan (next key)"),
        new("de", "de@partner.example", "Partner DE"),
        new("fr", "fr@partner.example", "Partner FR"),
        new("nl", "nl@partner.example", "Partner NL"),
        new("old", "old@partner.example", "Partner OLD", Kind.Expired),
        new("noeku", "noeku@partner.example", "Partner NOEKU", Kind.WithoutEmailProtection),
        new("rogue", "rogue@partner.example", "Partner ROGUE", Kind.SelfSigned),
        // The mail server has no mailbox of its own for it (infra/servers.sh); bench@ is one that no test reads otherwise.
        new("ec", "bench@partner.example", "Partner EC", Ec: true),
    ];

    public static (CertificateAuthority Ca, SmimeIdentity Ncp, SmimeIdentity NcpNext, IReadOnlyDictionary<string, SmimeIdentity> Partners)
        Issue(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "issued"));
        File.WriteAllText(Path.Combine(folder, "index.txt"), "");
        File.WriteAllText(Path.Combine(folder, "serial"), "1000\n");
        File.WriteAllText(Path.Combine(folder, "openssl.cnf"), Config());

        void OpenSsl(params string[] arguments) => Tool.Run("openssl", arguments, folder).OrThrow();

        OpenSsl(["req", .. OwnConfig, "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
            "-sha256", "-subj", "/O=NCP Tests/CN=NCP Test CA", "-extensions", "ca_ext"]);

        var identities = new Dictionary<string, SmimeIdentity>();
        foreach (var p in Profiles)
        {
            var subject = $"/CN={p.CommonName}/emailAddress={p.Email}";
            if (p.Kind == Kind.SelfSigned)
            {
                OpenSsl(["req", .. OwnConfig, "-x509", .. p.NewKey, "-nodes", "-keyout", $"{p.Name}.key", "-out", $"{p.Name}.pem",
                    "-days", "825", "-sha256", "-subj", subject, "-extensions", $"ext_{p.Name}"]);
            }
            else
            {
                OpenSsl(["req", .. OwnConfig, "-new", .. p.NewKey, "-nodes", "-keyout", $"{p.Name}.key", "-out", $"{p.Name}.csr",
                    "-subj", subject]);
                // openssl 3.0's `x509 -req -days` cannot backdate; `ca` takes explicit dates.
                string[] validity = p.Kind == Kind.Expired
                    ? ["-startdate", "20200101000000Z", "-enddate", "20210101000000Z"]
                    : ["-days", "825"];
                OpenSsl(["ca", .. OwnConfig, "-batch", "-notext", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", $"{p.Name}.csr",
                    "-out", $"{p.Name}.pem", "-extensions", $"ext_{p.Name}", .. validity]);
            }

            string[] chain = p.Kind == Kind.SelfSigned ? [] : ["-certfile", "ca.pem"];
            OpenSsl(["pkcs12", "-export", "-in", $"{p.Name}.pem", "-inkey", $"{p.Name}.key", .. chain, "-name", p.Email,
                "-out", $"{p.Name}.pfx", "-passout", $"pass:{PfxPassword}"]);

            identities[p.Name] = new SmimeIdentity(
                p.Name, p.Email, Path.Combine(folder, $"{p.Name}.pem"), Path.Combine(folder, $"{p.Name}.key"),
                Path.Combine(folder, $"{p.Name}.pfx"), PfxPassword);
        }

        var ca = new CertificateAuthority(Path.Combine(folder, "ca.pem"), Path.Combine(folder, "ca.key"));
        var partners = identities.Where(i => !i.Key.StartsWith("ncp", StringComparison.Ordinal)).ToDictionary();
        return (ca, identities["ncp"], identities["ncp-next"], partners);
    }

    private static string Config()
    {
        var config = new StringBuilder("""
            [req]
            distinguished_name = dn
            [dn]
            [ca]
            default_ca = test_ca
            [test_ca]
            database = index.txt
            serial = serial
            new_certs_dir = issued
            default_md = sha256
            policy = any_name
            unique_subject = no
            copy_extensions = none
            email_in_dn = yes
            [any_name]
            commonName = supplied
            emailAddress = optional
            [ca_ext]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash

            """);
        foreach (var p in Profiles)
        {
            // An extended key usage that leaves emailProtection out restricts the certificate; having none would not.
            var usage = p.Kind == Kind.WithoutEmailProtection ? "clientAuth, serverAuth" : "emailProtection";
            config.Append($"""
                [ext_{p.Name}]
                basicConstraints = critical, CA:FALSE
                keyUsage = critical, {p.KeyUsage}
                extendedKeyUsage = {usage}
                subjectAltName = email:{p.Email}
                subjectKeyIdentifier = hash
                authorityKeyIdentifier = keyid

                """);
        }

        return config.ToString();
    }
}
