using System.Security.Cryptography.X509Certificates;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Tests.Fixtures.Crypto;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Ncp.Tests.Worker.Mail;

// The gateway's tests trust these tools as the other side of every exchange: here they agree with themselves and with MimeKit.
[Collection(CryptoCollection.Name)]
public sealed class CryptoKitTests(TestPki pki)
{
    private const string Inner = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nЗапрос KZ-NCP-2026-00042\r\n";

    [Fact]
    public void A_mail_made_by_openssl_is_read_back_by_openssl()
    {
        var de = pki.Partner("de");
        var mail = OpenSslMail.SignThenEncrypt(Inner, de.Email, pki.Ncp.Email, "Запрос", de.CertPem, de.KeyPem, pki.Ncp.CertPem);

        var read = OpenSslMail.DecryptAndVerify(mail, pki.Ncp.CertPem, pki.Ncp.KeyPem, pki.Ca.CertPem);

        Assert.True(read.Verified, read.Diagnostics);
        Assert.Equal(["enveloped-data", "signed-data"], read.Layers);
        Assert.Contains("KZ-NCP-2026-00042", read.Content, StringComparison.Ordinal);
        using var signer = X509Certificate2.CreateFromPem(read.SignerCertPem);
        Assert.Equal(de.Email, signer.GetNameInfo(X509NameType.EmailName, forIssuer: false));
    }

    [Theory]
    [InlineData("opaque", new[] { "signed-data" })]
    [InlineData("detached", new[] { "multipart/signed" })]
    [InlineData("signed inside encrypted, detached", new[] { "enveloped-data", "multipart/signed" })]
    [InlineData("encrypted inside signed", new[] { "signed-data", "enveloped-data" })]
    [InlineData("encrypted inside signed, detached", new[] { "multipart/signed", "enveloped-data" })]
    public void Every_shape_openssl_makes_is_read_back_verified(string shape, string[] layers)
    {
        var fr = pki.Partner("fr");
        var ncp = pki.Ncp;
        var mail = shape switch
        {
            "opaque" => OpenSslMail.SignOpaque(Inner, fr.Email, ncp.Email, shape, fr.CertPem, fr.KeyPem),
            "detached" => OpenSslMail.SignDetached(Inner, fr.Email, ncp.Email, shape, fr.CertPem, fr.KeyPem),
            "signed inside encrypted, detached" =>
                OpenSslMail.SignThenEncrypt(Inner, fr.Email, ncp.Email, shape, fr.CertPem, fr.KeyPem, ncp.CertPem, detached: true),
            "encrypted inside signed" => OpenSslMail.EncryptThenSign(Inner, fr.Email, ncp.Email, shape, fr.CertPem, fr.KeyPem, ncp.CertPem),
            _ => OpenSslMail.EncryptThenSign(Inner, fr.Email, ncp.Email, shape, fr.CertPem, fr.KeyPem, ncp.CertPem, detached: true),
        };

        var read = OpenSslMail.DecryptAndVerify(mail, ncp.CertPem, ncp.KeyPem, pki.Ca.CertPem);

        Assert.True(read.Verified, read.Diagnostics);
        Assert.Equal(layers, read.Layers);
        Assert.Contains("KZ-NCP-2026-00042", read.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsigned_mail_is_read_but_not_verified()
    {
        var mail = OpenSslMail.EncryptOnly(Inner, "nl@partner.example", pki.Ncp.Email, "unsigned", pki.Ncp.CertPem);

        var read = OpenSslMail.DecryptAndVerify(mail, pki.Ncp.CertPem, pki.Ncp.KeyPem, pki.Ca.CertPem);

        Assert.False(read.Verified);
        Assert.Equal(["enveloped-data"], read.Layers);
        Assert.Contains("KZ-NCP-2026-00042", read.Content, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("old", "certificate has expired")]
    [InlineData("noeku", "unsuitable certificate purpose")]
    [InlineData("rogue", "self-signed certificate")]
    public void A_signature_by_a_misfit_certificate_is_read_but_not_verified(string partner, string complaint)
    {
        var misfit = pki.Partner(partner);
        var mail = OpenSslMail.SignThenEncrypt(Inner, misfit.Email, pki.Ncp.Email, partner, misfit.CertPem, misfit.KeyPem, pki.Ncp.CertPem);

        var read = OpenSslMail.DecryptAndVerify(mail, pki.Ncp.CertPem, pki.Ncp.KeyPem, pki.Ca.CertPem);

        Assert.False(read.Verified);
        Assert.Contains(complaint, read.Diagnostics, StringComparison.Ordinal);
        Assert.Contains("KZ-NCP-2026-00042", read.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void The_expired_certificate_ended_in_the_past_and_the_others_are_current()
    {
        using var expired = X509CertificateLoader.LoadCertificateFromFile(pki.Partner("old").CertPem);
        using var current = X509CertificateLoader.LoadCertificateFromFile(pki.Partner("de").CertPem);

        Assert.True(expired.NotAfter < DateTime.Now);
        Assert.True(current.NotBefore <= DateTime.Now && DateTime.Now < current.NotAfter);
    }

    [Fact]
    public void Each_pfx_opens_with_its_password_and_holds_the_private_key()
    {
        foreach (var identity in new[] { pki.Ncp, pki.NcpNext, pki.Partner("de"), pki.Partner("rogue") })
        {
            using var certificate = X509CertificateLoader.LoadPkcs12(identity.PfxBytes, identity.PfxPassword);
            Assert.True(certificate.HasPrivateKey, identity.Name);
            Assert.Equal(identity.Email, certificate.GetNameInfo(X509NameType.EmailName, forIssuer: false));
        }

        using var ncp = X509CertificateLoader.LoadCertificateFromFile(pki.Ncp.CertPem);
        using var next = X509CertificateLoader.LoadCertificateFromFile(pki.NcpNext.CertPem);
        Assert.NotEqual(ncp.GetPublicKeyString(), next.GetPublicKeyString());
    }

    [Fact]
    public void A_mail_made_by_gpg_is_read_back_by_gpg()
    {
        var de = pki.Pgp.Partner("de");
        var mail = pki.Gpg.EncryptedMail(Inner, de.Email, pki.Pgp.Ncp.Email, "Запрос");

        var read = pki.Gpg.DecryptAndVerify(mail);

        Assert.True(read.DecryptionOkay, read.Diagnostics);
        Assert.True(read.GoodSignature, read.Diagnostics);
        Assert.Equal(de.Fingerprint, read.SignerFingerprint);
        Assert.Equal(["multipart/encrypted"], read.Layers);
        Assert.Contains("KZ-NCP-2026-00042", read.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pgp_signed_mail_made_by_gpg_verifies_with_gpg()
    {
        var mail = pki.Gpg.SignedMail(Inner, pki.Pgp.Ncp.UserId, "fr@partner.example", "signed");

        var read = pki.Gpg.DecryptAndVerify(mail);

        Assert.True(read.GoodSignature, read.Diagnostics);
        Assert.Equal(pki.Pgp.Ncp.Fingerprint, read.SignerFingerprint);
        Assert.Equal(["multipart/signed"], read.Layers);
        Assert.Equal(Inner, read.Content);
    }

    [Fact]
    public void The_expired_pgp_key_signs_only_on_a_clock_set_back_and_its_signature_is_then_flagged()
    {
        var old = pki.Pgp.Partner("old");

        Assert.Throws<InvalidOperationException>(() => pki.Gpg.EncryptedMail(Inner, old.Email, pki.Pgp.Ncp.Email, "now"));
        var mail = pki.Gpg.At(new DateTimeOffset(2020, 6, 1, 0, 0, 0, TimeSpan.Zero)).EncryptedMail(Inner, old.Email, pki.Pgp.Ncp.Email, "then");
        var read = pki.Gpg.DecryptAndVerify(mail);

        Assert.True(read.DecryptionOkay, read.Diagnostics);
        Assert.Contains(read.Status, s => s.StartsWith("EXPKEYSIG ", StringComparison.Ordinal));
        Assert.Contains(pki.Gpg.ShowKeys(old.PublicArmored), line => line.StartsWith("pub:e:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_key_with_a_revoked_user_id_exports_and_still_lists_the_valid_one()
    {
        var listing = pki.Gpg.ShowKeys(pki.Pgp.Partner("multi").PublicArmored);

        var userIds = listing.Where(l => l.StartsWith("uid:", StringComparison.Ordinal)).Select(l => l.Split(':')).ToList();
        Assert.Contains(userIds, u => u[1] != "r" && u[9] == "Partner MULTI <multi@partner.example>");
        Assert.Contains(userIds, u => u[1] == "r" && u[9] == PgpKeyring.RevokedUserId);
    }

    // The gateway speaks through MimeKit; the kit must read what MimeKit writes, and MimeKit what the kit writes.
    [Theory]
    [InlineData(true, new[] { "enveloped-data", "signed-data" })]
    [InlineData(false, new[] { "enveloped-data", "multipart/signed" })]
    public void What_MimeKit_signs_and_encrypts_is_read_by_openssl(bool opaque, string[] layers)
    {
        var de = pki.Partner("de");
        using var context = SmimeContext();
        var signer = new CmsSigner(pki.Ncp.Pfx, pki.Ncp.PfxPassword) { DigestAlgorithm = DigestAlgorithm.Sha256 };
        var recipients = new CmsRecipientCollection { new CmsRecipient(de.CertPem) };
        // MimeKit 4.18's SignAndEncrypt puts a multipart/signed inside; opaque signed-data takes Sign, then Encrypt.
        var body = opaque
            ? ApplicationPkcs7Mime.Encrypt(context, recipients, ApplicationPkcs7Mime.Sign(context, signer, Body()))
            : ApplicationPkcs7Mime.SignAndEncrypt(context, signer, recipients, Body());

        var read = OpenSslMail.DecryptAndVerify(Bytes(Message(pki.Ncp.Email, de.Email, body)), de.CertPem, de.KeyPem, pki.Ca.CertPem);

        Assert.True(read.Verified, read.Diagnostics);
        Assert.Equal(layers, read.Layers);
        Assert.Equal(Body().Text, TextOf(read.Content));
    }

    [Fact]
    public void What_openssl_signs_and_encrypts_is_read_by_MimeKit()
    {
        var de = pki.Partner("de");
        var mail = OpenSslMail.SignThenEncrypt(Inner, de.Email, pki.Ncp.Email, "Запрос", de.CertPem, de.KeyPem, pki.Ncp.CertPem);
        using var context = SmimeContext();

        var message = MimeMessage.Load(new MemoryStream(mail));
        var signed = Assert.IsType<ApplicationPkcs7Mime>(Assert.IsType<ApplicationPkcs7Mime>(message.Body).Decrypt(context));
        var signature = Assert.Single(signed.Verify(context, out var content));

        Assert.Equal("Запрос", message.Subject);
        Assert.True(signature.Verify());
        Assert.Equal(de.Email, signature.SignerCertificate?.Email);
        Assert.Contains("KZ-NCP-2026-00042", ((TextPart)content).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void What_MimeKit_signs_and_encrypts_with_OpenPGP_is_read_by_gpg()
    {
        var de = pki.Pgp.Partner("de");
        using var context = PgpContext();
        var signer = context.GetSigningKey(new MailboxAddress("", pki.Pgp.Ncp.Email));
        var deEncryptionKey = EncryptionKey(de);

        var body = MultipartEncrypted.SignAndEncrypt(context, signer, DigestAlgorithm.Sha256, [deEncryptionKey], Body());
        var read = pki.Gpg.DecryptAndVerify(Bytes(Message(pki.Pgp.Ncp.Email, de.Email, body)));

        Assert.True(read.DecryptionOkay, read.Diagnostics);
        Assert.True(read.GoodSignature, read.Diagnostics);
        Assert.Equal(pki.Pgp.Ncp.Fingerprint, read.SignerFingerprint);
        Assert.Equal(Body().Text, TextOf(read.Content));
    }

    [Fact]
    public void What_gpg_signs_and_encrypts_is_read_by_MimeKit()
    {
        var de = pki.Pgp.Partner("de");
        var mail = pki.Gpg.EncryptedMail(Inner, de.UserId, pki.Pgp.Ncp.UserId, "Запрос");
        using var context = PgpContext();

        var message = MimeMessage.Load(new MemoryStream(mail));
        var content = Assert.IsType<MultipartEncrypted>(message.Body).Decrypt(context, out var signatures);

        var signature = Assert.Single(Assert.IsAssignableFrom<IEnumerable<IDigitalSignature>>(signatures));
        Assert.True(signature.Verify());
        Assert.Equal(de.Fingerprint, signature.SignerCertificate?.Fingerprint, ignoreCase: true);
        Assert.Contains("KZ-NCP-2026-00042", ((TextPart)content).Text, StringComparison.Ordinal);
    }

    private static TextPart Body() => new("plain") { Text = "Запрос KZ-NCP-2026-00042\r\n" };

    private static string TextOf(string entity) =>
        Assert.IsType<TextPart>(MimeEntity.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(entity)))).Text;

    private static MimeMessage Message(string from, string to, MimeEntity body) =>
        new([new MailboxAddress("", from)], [new MailboxAddress("", to)], "Запрос", body);

    private static byte[] Bytes(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }

    // What the NCP's side holds: its own PFX, the partners' certificates and the CA as the trust anchor.
    private TemporarySecureMimeContext SmimeContext()
    {
        var context = new TemporarySecureMimeContext();
        using (var pfx = File.OpenRead(pki.Ncp.Pfx))
        {
            context.Import(pfx, pki.Ncp.PfxPassword);
        }

        foreach (var pem in new[] { pki.Ca.CertPem, pki.Partner("de").CertPem })
        {
            context.Import(X509CertificateLoader.LoadCertificateFromFile(pem));
        }

        return context;
    }

    private KitPgpContext PgpContext()
    {
        var context = new KitPgpContext(Directory.CreateTempSubdirectory("ncp-mimekit-pgp-").FullName, pki.Pgp.Ncp.Passphrase);
        using (var secret = PgpUtilities.GetDecoderStream(File.OpenRead(pki.Pgp.Ncp.SecretArmored)))
        {
            context.Import(new PgpSecretKeyRingBundle(secret));
        }

        foreach (var key in new[] { pki.Pgp.Ncp, pki.Pgp.Partner("de") })
        {
            using var armored = PgpUtilities.GetDecoderStream(File.OpenRead(key.PublicArmored));
            context.Import(new PgpPublicKeyRingBundle(armored));
        }

        return context;
    }

    private static PgpPublicKey EncryptionKey(PgpKey key)
    {
        using var armored = PgpUtilities.GetDecoderStream(File.OpenRead(key.PublicArmored));
        return new PgpPublicKeyRingBundle(armored).GetKeyRings().SelectMany(r => r.GetPublicKeys())
            .Single(k => k.IsEncryptionKey && !k.IsMasterKey);
    }

    // MimeKit's OpenPGP context is abstract; this one lives in a scratch folder and knows the NCP's passphrase.
    private sealed class KitPgpContext : GnuPGContext
    {
        private readonly string folder;
        private readonly string passphrase;

        public KitPgpContext(string folder, string? passphrase)
            : base(folder)
        {
            this.folder = folder;
            this.passphrase = passphrase ?? "";
        }

        protected override string GetPasswordForKey(PgpSecretKey key) => passphrase;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            Directory.Delete(folder, recursive: true);
        }
    }
}
