using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Worker.Mail.Crypto;
using Org.BouncyCastle.Bcpg.OpenPgp;
using OpenPgpIdentity = Ncp.Worker.Keys.OpenPgpIdentity;

namespace Ncp.Tests.Worker.Mail;

// The forms partners really send beside the ones we write: S/MIME 4.0's AES-GCM (RFC 5083) as openssl makes it, inline
// OpenPGP as gpg makes it, and S/MIME parts whose smime-type is missing or unknown. Read here piece by piece; the
// gateway's tests send the same through the mail servers.
[Collection(CryptoCollection.Name)]
public sealed class InboundFormsTests(TestPki pki)
{
    private static readonly byte[] Content = "Content-Type: text/plain; charset=utf-8\r\n\r\nОтвет KZ-NCP-2026-00042\r\n"u8.ToArray();

    [Theory]
    [InlineData("aes-128-gcm")]
    [InlineData("aes-256-gcm")]
    [InlineData("aes-256-gcm", "-keyopt", "rsa_padding_mode:oaep")]
    public void Authenticated_enveloped_data_made_by_openssl_opens_with_our_key(string cipher, params string[] options)
    {
        var sealedData = OpenSslMail.EncryptToDer(Content, cipher, pki.Ncp.CertPem, options);

        Assert.Equal(Content, AuthEnveloped.Decrypt(sealedData, [Key(pki.NcpNext), Key(pki.Ncp)]));
    }

    [Fact]
    public void A_flipped_byte_of_the_ciphertext_fails_the_tag_and_yields_nothing()
    {
        var sealedData = OpenSslMail.EncryptToDer(Content, "aes-256-gcm", pki.Ncp.CertPem);
        // The ciphertext sits just before the 16-byte tag (its OCTET STRING header is 2 bytes).
        sealedData[^20] ^= 0x01;

        var refused = Assert.Throws<MailCryptoException>(() => AuthEnveloped.Decrypt(sealedData, [Key(pki.Ncp)]));

        Assert.Equal("cannot-decrypt", refused.Reason);
        Assert.Contains("authentication tag", refused.Message, StringComparison.Ordinal);
    }

    // openssl writes no authenticated attributes; other agents do (RFC 5083 2.1): the tag covers them too.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Authenticated_attributes_are_covered_by_the_tag(bool altered)
    {
        var sealedData = SealedWithAttributes(Content, pki.Ncp, altered);

        if (altered)
        {
            var refused = Assert.Throws<MailCryptoException>(() => AuthEnveloped.Decrypt(sealedData, [Key(pki.Ncp)]));
            Assert.Equal("cannot-decrypt", refused.Reason);
        }
        else
        {
            Assert.Equal(Content, AuthEnveloped.Decrypt(sealedData, [Key(pki.Ncp)]));
        }
    }

    [Fact]
    public void Authenticated_enveloped_data_for_someone_else_says_so()
    {
        var sealedData = OpenSslMail.EncryptToDer(Content, "aes-256-gcm", pki.Partner("nl").CertPem);

        var refused = Assert.Throws<MailCryptoException>(() => AuthEnveloped.Decrypt(sealedData, [Key(pki.Ncp)]));

        Assert.Equal("cannot-decrypt", refused.Reason);
        Assert.Contains("none of its recipients (1: key transport)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pkcs7_part_without_smime_type_is_read_for_what_it_holds()
    {
        var part = Pkcs7Part(null, OpenSslMail.EncryptToDer(Content, "aes-256-gcm", pki.Ncp.CertPem));

        var retyped = Pkcs7Forms.Retyped(part, CancellationToken.None);

        Assert.Equal(SecureMimeType.AuthEnvelopedData, retyped.SecureMimeType);
    }

    [Fact]
    public void A_pkcs7_part_of_a_type_we_cannot_read_is_named()
    {
        var part = Pkcs7Part("x-encrypted-data", OpenSslMail.EncryptWithSharedKeyToDer(Content));

        var refused = Assert.Throws<MailCryptoException>(() => Pkcs7Forms.Retyped(part, CancellationToken.None));

        Assert.Equal("unsupported", refused.Reason);
        Assert.Contains("smime-type=x-encrypted-data", refused.Message, StringComparison.Ordinal);
        Assert.Contains("encrypted-data (a password or shared key, no recipient)", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("utf-8", "Ответ: данные сохранены.")]
    [InlineData("iso-8859-1", "Grüße aus Wiesbaden: die Daten sind gesichert.")]
    public void An_inline_pgp_message_is_decrypted_and_its_signature_verified_in_either_charset(string charset, string text)
    {
        var mail = Load(pki.Gpg.InlineMail(text, "fr@partner.example", TestPki.NcpAddress, "inline", charset: charset));
        using var context = Context();

        var opened = InlinePgp.Open(mail.Body!, context, () => new MemoryStream(), CancellationToken.None);

        Assert.True(opened.Encrypted);
        Assert.Equal(text, Assert.IsType<TextPart>(opened.Content).Text.TrimEnd());
        var signature = Assert.Single(opened.Signatures);
        Assert.True(signature.Verify());
        Assert.Equal(pki.Pgp.Partner("fr").Fingerprint, signature.SignerCertificate!.Fingerprint, ignoreCase: true);
    }

    [Fact]
    public void A_decrypted_inline_message_that_is_mime_becomes_that_entity()
    {
        var entity = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the log.\r\n"
            + "--b\r\nContent-Type: text/plain; name=log.txt\r\nContent-Disposition: attachment; filename=log.txt\r\n\r\n"
            + "203.0.113.9\r\n--b--\r\n";
        var mail = Load(pki.Gpg.InlineMail(entity, "fr@partner.example", TestPki.NcpAddress, "inline MIME"));
        using var context = Context();

        var opened = InlinePgp.Open(mail.Body!, context, () => new MemoryStream(), CancellationToken.None);

        Assert.Equal("log.txt", Assert.IsType<Multipart>(opened.Content).OfType<MimePart>().Last().FileName);
    }

    [Fact]
    public void Clear_signed_text_is_verified_and_an_altered_one_is_not()
    {
        const string text = "Preservation confirmed.\n- The logs are kept.\nKind regards   ";
        var raw = pki.Gpg.InlineMail(text, "fr@partner.example", TestPki.NcpAddress, "clear-signed", encrypt: false);
        using var context = Context();

        var opened = InlinePgp.Open(Load(raw).Body!, context, () => new MemoryStream(), CancellationToken.None);
        var tampered = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(raw).Replace("confirmed", "refused", StringComparison.Ordinal));
        var altered = InlinePgp.Open(Load(tampered).Body!, context, () => new MemoryStream(), CancellationToken.None);

        Assert.False(opened.Encrypted);
        Assert.True(Assert.Single(opened.Signatures).Verify());
        Assert.Contains("- The logs are kept.", Assert.IsType<TextPart>(opened.Content).Text, StringComparison.Ordinal);
        Assert.False(Assert.Single(altered.Signatures).Verify());
    }

    [Theory]
    [InlineData("--symmetric", "encrypted to a passphrase")]
    [InlineData("--sign", "signed or compressed but not encrypted")]
    public void An_openpgp_message_in_a_form_we_cannot_read_is_named(string operation, string named)
    {
        var armored = pki.Gpg.Armored("Data."u8.ToArray(), operation);
        var body = new TextPart("plain") { Text = armored };
        using var context = Context();

        var refused = Assert.Throws<MailCryptoException>(() => InlinePgp.Open(body, context, () => new MemoryStream(), CancellationToken.None));

        Assert.Equal("unsupported", refused.Reason);
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_encrypted_attachment_beside_inline_pgp_text_is_opened_under_its_own_name()
    {
        var body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = pki.Gpg.EncryptAndSign("Log attached."u8.ToArray(), TestPki.NcpAddress, "fr@partner.example") },
            new MimePart("application", "octet-stream")
            {
                FileName = "access.log.asc",
                Content = new MimeContent(new MemoryStream(Encoding.ASCII.GetBytes(
                    pki.Gpg.EncryptAndSign("203.0.113.9 - - [28/Nov/2026]"u8.ToArray(), TestPki.NcpAddress, "fr@partner.example")))),
            },
        };
        using var context = Context();

        var opened = InlinePgp.Open(body, context, () => new MemoryStream(), CancellationToken.None);

        Assert.True(opened.Encrypted);
        Assert.Equal(2, opened.Signatures.Count);
        var attachment = Assert.IsType<Multipart>(opened.Content).OfType<MimePart>().Single(p => p.IsAttachment);
        Assert.Equal("access.log", attachment.FileName);
    }

    [Fact]
    public void A_binary_openpgp_message_sent_as_the_body_is_decrypted()
    {
        using var armor = PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(
            pki.Gpg.EncryptAndSign("Binary body."u8.ToArray(), TestPki.NcpAddress, "fr@partner.example"))));
        var body = new MimePart("application", "pgp-encrypted") { Content = new MimeContent(new MemoryStream(NativeCms.ReadAll(armor))) };
        using var context = Context();

        var opened = InlinePgp.Open(body, context, () => new MemoryStream(), CancellationToken.None);

        Assert.Equal("Binary body.", Assert.IsType<TextPart>(opened.Content).Text);
    }

    [Fact]
    public void Inline_pgp_inside_html_only_is_named_rather_than_taken_for_plaintext()
    {
        var armored = pki.Gpg.EncryptAndSign("Hidden in HTML."u8.ToArray(), TestPki.NcpAddress, "fr@partner.example");
        var body = new TextPart("html") { Text = $"<html><body><p>{armored.ReplaceLineEndings("<br>")}</p></body></html>" };
        using var context = Context();

        Assert.True(InlinePgp.Carries(body));
        var refused = Assert.Throws<MailCryptoException>(() => InlinePgp.Open(body, context, () => new MemoryStream(), CancellationToken.None));
        Assert.Equal("unsupported", refused.Reason);
        Assert.Contains("inside HTML", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inline_pgp_beside_an_unprotected_attachment_is_not_read()
    {
        var armored = pki.Gpg.EncryptAndSign("Data attached."u8.ToArray(), TestPki.NcpAddress, "fr@partner.example");
        var body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = armored },
            new MimePart("application", "pdf") { FileName = "order.pdf", Content = new MimeContent(new MemoryStream("%PDF"u8.ToArray())) },
        };
        using var context = Context();

        var refused = Assert.Throws<MailCryptoException>(() => InlinePgp.Open(body, context, () => new MemoryStream(), CancellationToken.None));

        Assert.Equal("unsupported", refused.Reason);
        Assert.Contains("application/pdf order.pdf", refused.Message, StringComparison.Ordinal);
    }

    private NcpOpenPgpContext Context()
    {
        var ncp = pki.Pgp.Ncp;
        using var secret = PgpUtilities.GetDecoderStream(File.OpenRead(ncp.SecretArmored));
        var ring = new PgpSecretKeyRingBundle(secret).GetKeyRings().Single();
        using var partner = PgpUtilities.GetDecoderStream(File.OpenRead(pki.Pgp.Partner("fr").PublicArmored));
        var fr = new PgpPublicKeyRingBundle(partner).GetKeyRings().Single();
        return new NcpOpenPgpContext(
            [new OpenPgpIdentity(ring, ncp.Passphrase ?? "", ncp.SecretArmored)], id => fr.GetPublicKey(id) is null ? null : fr);
    }

    private static ApplicationPkcs7Mime Pkcs7Part(string? smimeType, byte[] der) =>
        Assert.IsType<ApplicationPkcs7Mime>(
            MimeEntity.Load(new MemoryStream(Encoding.ASCII.GetBytes(OpenSslMail.Pkcs7Entity(smimeType, der)))));

    // AuthEnvelopedData with a content-type attribute, AES-256-GCM, written field by field, its recipient named by subject
    // key identifier and reached by RSAES-OAEP with SHA-256 (the other choices RFC 5652 and RFC 3560 allow besides what
    // openssl writes). When altered, the attribute travels as another content type than the one the tag covered.
    private static byte[] SealedWithAttributes(byte[] content, SmimeIdentity recipient, bool altered)
    {
        const string Sha256 = "2.16.840.1.101.3.4.2.1";
        static byte[] Attributes(string contentType)
        {
            var attributes = new AsnWriter(AsnEncodingRules.DER);
            using (attributes.PushSetOf())
            using (attributes.PushSequence())
            {
                attributes.WriteObjectIdentifier("1.2.840.113549.1.9.3");
                using (attributes.PushSetOf())
                {
                    attributes.WriteObjectIdentifier(contentType);
                }
            }

            return attributes.Encode();
        }

        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(recipient.CertPem));
        using var rsa = certificate.GetRSAPublicKey()!;
        var keyId = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var (ciphertext, tag) = (new byte[content.Length], new byte[16]);
        using (var gcm = new AesGcm(key, 16))
        {
            gcm.Encrypt(nonce, content, ciphertext, tag, Attributes("1.2.840.113549.1.7.1"));
        }

        var sent = Attributes(altered ? "1.2.840.113549.1.7.2" : "1.2.840.113549.1.7.1");
        sent[0] = 0xA1; // [1] IMPLICIT in place of SET OF
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.113549.1.9.16.1.23");
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (writer.PushSequence())
            {
                writer.WriteInteger(0);
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteInteger(2);
                    writer.WriteOctetString(keyId, new Asn1Tag(TagClass.ContextSpecific, 0));
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("1.2.840.113549.1.1.7"); // RSAES-OAEP
                        using (writer.PushSequence())
                        {
                            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier(Sha256);
                            }

                            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier("1.2.840.113549.1.1.8"); // MGF1
                                using (writer.PushSequence())
                                {
                                    writer.WriteObjectIdentifier(Sha256);
                                }
                            }
                        }
                    }

                    writer.WriteOctetString(rsa.Encrypt(key, RSAEncryptionPadding.OaepSHA256));
                }

                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.840.113549.1.7.1");
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("2.16.840.1.101.3.4.1.46");
                        using (writer.PushSequence())
                        {
                            writer.WriteOctetString(nonce);
                            writer.WriteInteger(16);
                        }
                    }

                    writer.WriteOctetString(ciphertext, new Asn1Tag(TagClass.ContextSpecific, 0));
                }

                writer.WriteEncodedValue(sent);
                writer.WriteOctetString(tag);
            }
        }

        return writer.Encode();
    }

    private static X509Certificate2 Key(SmimeIdentity identity) =>
        X509CertificateLoader.LoadPkcs12FromFile(identity.Pfx, identity.PfxPassword, X509KeyStorageFlags.EphemeralKeySet);

    private static MimeMessage Load(byte[] raw) => MimeMessage.Load(new MemoryStream(raw));
}
