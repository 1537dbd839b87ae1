using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Crypto;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Ncp.Tests.Worker.Mail;

// Our OpenPGP mail is written by hand (NativeOpenPgp): gpg, an independent implementation, must read and verify it, and so
// must MimeKit, which reads our Sent copies and every partner's mail. Both kinds of key in use are covered: RSA (the test
// partners and the test NCP key) and Ed25519 with Curve25519 (what gpg makes by default, and infra/keys.sh for our key).
[Collection(CryptoCollection.Name)]
public sealed class NativeOpenPgpTests(TestPki pki)
{
    private const string Text = "Запрос KZ-NCP-2026-00042: subscriber data for 203.0.113.7, 2026-11-28 21:14 UTC.";

    [Fact]
    public void Gpg_decrypts_and_verifies_an_rsa_signed_mail_to_an_rsa_partner()
    {
        var signer = SignerOf(pki.Pgp.Ncp);

        var mail = Mail(signer, [PublicRing(pki.Pgp.Partner("de"))]);

        var reading = pki.Gpg.DecryptAndVerify(mail);
        Assert.True(reading.DecryptionOkay, reading.Diagnostics);
        Assert.True(reading.GoodSignature, reading.Diagnostics);
        Assert.Equal(pki.Pgp.Ncp.Fingerprint, reading.SignerFingerprint);
        Assert.Contains(Text, MailGatewayTests.TextOf(reading.Content), StringComparison.Ordinal);
        Assert.Contains("DECRYPTION_INFO 2 9", string.Join('\n', reading.Status), StringComparison.Ordinal); // MDC, AES-256
    }

    [Fact]
    public void Gpg_reads_an_ed25519_signed_mail_encrypted_to_curve25519_and_the_rsa_partner_reads_it_too()
    {
        var ours = Ed25519Home();
        try
        {
            var signer = NativeOpenPgp.SignerFor(ours.Ring.GetSecretKey(), "");
            Assert.NotNull(signer);
            var mail = Mail(signer, [PublicRing(pki.Pgp.Partner("de")), OpenPgpKeys.PublicRing(ours.Ring)]);

            var byUs = ours.Gpg.DecryptAndVerify(mail);
            Assert.True(byUs.DecryptionOkay, byUs.Diagnostics);
            Assert.True(byUs.GoodSignature, byUs.Diagnostics);
            Assert.Equal(ours.Fingerprint, byUs.SignerFingerprint);
            Assert.Contains(Text, MailGatewayTests.TextOf(byUs.Content), StringComparison.Ordinal);

            var byPartner = pki.Gpg.DecryptAndVerify(mail);
            Assert.True(byPartner.DecryptionOkay, byPartner.Diagnostics);
            Assert.Contains(Text, MailGatewayTests.TextOf(byPartner.Content), StringComparison.Ordinal);
        }
        finally
        {
            Tool.Run("gpgconf", ["--homedir", ours.Gpg.Home, "--kill", "gpg-agent"]);
        }
    }

    [Fact]
    public void MimeKit_opens_it_with_our_own_curve25519_key_and_verifies_the_ed25519_signature()
    {
        var ours = Ed25519Home();
        try
        {
            var identity = new OpenPgpIdentity(ours.Ring, "", "test");
            var signer = NativeOpenPgp.SignerFor(ours.Ring.GetSecretKey(), "")!;
            var message = MimeMessage.Load(new MemoryStream(Mail(signer, [OpenPgpKeys.PublicRing(ours.Ring)])));

            using var context = new NcpOpenPgpContext([identity], _ => null);
            var encrypted = Assert.IsType<MultipartEncrypted>(message.Body);
            var inner = Assert.IsType<TextPart>(encrypted.Decrypt(context, out var signatures));

            Assert.Equal(Text, inner.Text.TrimEnd());
            Assert.NotNull(signatures);
            var signature = Assert.Single(signatures);
            Assert.True(signature.Verify());
            Assert.Equal(ours.Fingerprint, Assert.IsType<OpenPgpDigitalCertificate>(signature.SignerCertificate).Fingerprint, ignoreCase: true);
        }
        finally
        {
            Tool.Run("gpgconf", ["--homedir", ours.Gpg.Home, "--kill", "gpg-agent"]);
        }
    }

    [Fact]
    public void Two_mails_of_the_same_text_differ_and_the_session_key_is_not_reused()
    {
        var signer = SignerOf(pki.Pgp.Ncp);
        var to = Recipient(PublicRing(pki.Pgp.Partner("de")))!;

        var first = NativeOpenPgp.Message(Encoding.UTF8.GetBytes(Text), signer, [to], DateTimeOffset.UtcNow);
        var second = NativeOpenPgp.Message(Encoding.UTF8.GetBytes(Text), signer, [to], DateTimeOffset.UtcNow);

        Assert.NotEqual(first, second);
        // The session key packet comes first and is the same length each time; its encrypted key must differ.
        Assert.NotEqual(first.AsSpan(0, 100).ToArray(), second.AsSpan(0, 100).ToArray());
    }

    [Fact]
    public void Our_signature_names_the_primary_key_of_each_recipient_it_is_encrypted_to()
    {
        var de = pki.Pgp.Partner("de");
        var signer = SignerOf(pki.Pgp.Ncp);

        var message = NativeOpenPgp.Message(
            Encoding.UTF8.GetBytes(Text), signer, [Recipient(PublicRing(de))!, Recipient(PublicRing(pki.Pgp.Ncp))!], DateTimeOffset.UtcNow);

        // gpg decrypts with de's secret key (in the test home) and lists the signature's subpackets.
        // gpg 2.2 lists the subpacket without reading it ("(?)"); BouncyCastle reads the fingerprints from what gpg unwrapped.
        var listing = pki.Gpg.ListPackets(message);
        Assert.Equal(2, listing.Split('\n').Count(l => l.Trim().StartsWith("hashed subpkt 35 len 21", StringComparison.Ordinal)));
        Assert.Equal([de.Fingerprint, pki.Pgp.Ncp.Fingerprint], IntendedRecipients(pki.Gpg.Unwrap(message)));
    }

    private static string[] IntendedRecipients(byte[] unwrapped)
    {
        var compressed = Assert.IsType<PgpCompressedData>(new PgpObjectFactory(unwrapped).NextPgpObject());
        var inner = new PgpObjectFactory(compressed.GetDataStream());
        for (var packet = inner.NextPgpObject(); packet is not null; packet = inner.NextPgpObject())
        {
            switch (packet)
            {
                case PgpLiteralData literal:
                    literal.GetDataStream().CopyTo(Stream.Null);
                    break;
                case PgpSignatureList signatures:
                    return [.. signatures[0].GetHashedSubPackets().GetIntendedRecipientFingerprints().Select(f => Convert.ToHexString(f.GetFingerprint()))];
            }
        }

        throw new InvalidOperationException("No signature inside the message.");
    }

    [Fact]
    public void Key_wrap_matches_rfc_3394()
    {
        // RFC 3394, 4.1: 128-bit data with a 128-bit key-encryption key.
        var wrapped = NativeOpenPgp.KeyWrap.Wrap(Convert.FromHexString("000102030405060708090A0B0C0D0E0F"), Convert.FromHexString("00112233445566778899AABBCCDDEEFF"));
        Assert.Equal("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5", Convert.ToHexString(wrapped));

        // 4.6: 256-bit data with a 256-bit key-encryption key.
        wrapped = NativeOpenPgp.KeyWrap.Wrap(
            Convert.FromHexString("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"),
            Convert.FromHexString("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"));
        Assert.Equal("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21", Convert.ToHexString(wrapped));
    }

    [Fact]
    public void A_key_of_another_kind_is_left_to_MimeKit()
    {
        var home = NewHome();
        try
        {
            var gpg = new GpgMail(home);
            var fingerprint = Created(gpg.Run(["--quick-gen-key", "Partner NIST <nist@partner.example>", "nistp256", "sign,cert", "1y"]));
            gpg.Run(["--quick-add-key", fingerprint, "nistp256", "encr", "1y"]);
            var ring = SecretRing(gpg, fingerprint);

            Assert.Null(NativeOpenPgp.SignerFor(ring.GetSecretKey(), ""));
            Assert.Null(Recipient(OpenPgpKeys.PublicRing(ring)));
        }
        finally
        {
            Tool.Run("gpgconf", ["--homedir", home, "--kill", "gpg-agent"]);
        }
    }

    private static byte[] Mail(NativeOpenPgp.Signer signer, IEnumerable<PgpPublicKeyRing> recipients)
    {
        var body = new TextPart("plain") { Text = Text };
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(TestPki.NcpAddress));
        message.To.Add(MailboxAddress.Parse("de@partner.example"));
        message.Subject = "[KZ-NCP-2026-00042]";
        message.Body = NativeOpenPgp.SignAndEncrypt(body, signer, [.. recipients.Select(r => Recipient(r)!)], DateTimeOffset.UtcNow);
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }

    private static NativeOpenPgp.Signer SignerOf(PgpKey key) =>
        NativeOpenPgp.SignerFor(ReadSecret(File.ReadAllBytes(key.SecretArmored)).GetSecretKey(), key.Passphrase ?? "")
        ?? throw new InvalidOperationException($"{key.Name}'s key is not one the native writer takes.");

    private static PgpPublicKeyRing PublicRing(PgpKey key)
    {
        using var stream = PgpUtilities.GetDecoderStream(File.OpenRead(key.PublicArmored));
        return new PgpPublicKeyRingBundle(stream).GetKeyRings().Single();
    }

    // The key the gateway would pick, ready for the native writer; null when the writer does not take its kind.
    private static NativeOpenPgp.Recipient? Recipient(PgpPublicKeyRing ring) =>
        NativeOpenPgp.RecipientFor(ring.GetPublicKey(), OpenPgpKeys.EncryptionKey(ring, DateTimeOffset.UtcNow)!);

    private static PgpSecretKeyRing ReadSecret(byte[] armored)
    {
        using var stream = PgpUtilities.GetDecoderStream(new MemoryStream(armored));
        return new PgpSecretKeyRingBundle(stream).GetKeyRings().Single();
    }

    private static PgpSecretKeyRing SecretRing(GpgMail gpg, string fingerprint)
    {
        var file = Path.Combine(gpg.Home, "secret.asc");
        gpg.Run(["--armor", "--output", file, "--export-secret-keys", fingerprint]);
        return ReadSecret(File.ReadAllBytes(file));
    }

    // A GnuPG home with one key as infra/keys.sh makes ours: Ed25519 to sign, Curve25519 to encrypt, no passphrase.
    private (GpgMail Gpg, PgpSecretKeyRing Ring, string Fingerprint) Ed25519Home()
    {
        var gpg = new GpgMail(NewHome());
        var fingerprint = Created(gpg.Run(["--quick-gen-key", $"NCP Kazakhstan <{TestPki.NcpAddress}>", "ed25519", "sign,cert", "1y"]));
        gpg.Run(["--quick-add-key", fingerprint, "cv25519", "encr", "1y"]);
        return (gpg, SecretRing(gpg, fingerprint), fingerprint);
    }

    private string NewHome()
    {
        var home = Directory.CreateDirectory(Path.Combine(pki.Root, $"gpg-native-{Guid.NewGuid():N}"[..20])).FullName;
        if (!OperatingSystem.IsWindows())
        {
            // gpg warns about a home others can read.
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return home;
    }

    private static string Created(IReadOnlyList<string> status) =>
        status.Select(s => s.Split(' ')).First(s => s is ["KEY_CREATED", _, _, ..])[2];
}
