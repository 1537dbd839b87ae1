using System.Security.Cryptography.X509Certificates;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Worker.Mail.Crypto;

namespace Ncp.Tests.Worker.Mail;

// The forms partners really send beside the ones we write: S/MIME 4.0's AES-GCM (RFC 5083) as openssl makes it, and
// S/MIME parts whose smime-type is missing or unknown. Read here piece by piece; the
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

    private static ApplicationPkcs7Mime Pkcs7Part(string? smimeType, byte[] der) =>
        Assert.IsType<ApplicationPkcs7Mime>(
            MimeEntity.Load(new MemoryStream(Encoding.ASCII.GetBytes(OpenSslMail.Pkcs7Entity(smimeType, der)))));

    private static X509Certificate2 Key(SmimeIdentity identity) =>
        X509CertificateLoader.LoadPkcs12FromFile(identity.Pfx, identity.PfxPassword, X509KeyStorageFlags.EphemeralKeySet);
}
