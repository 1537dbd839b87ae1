using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MimeKit.Cryptography;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Worker.Mail.Crypto;
using Org.BouncyCastle.X509;
using CmsRecipientCollection = MimeKit.Cryptography.CmsRecipientCollection;
using SubjectIdentifierType = MimeKit.Cryptography.SubjectIdentifierType;

namespace Ncp.Tests.Worker.Mail;

// Our enveloped data is written by hand for PKCS#1 v1.5 recipients (their keys imported once, not per mail): .NET's
// own CMS reader and every recipient must find in it what EnvelopedCms would have written.
[Collection(CryptoCollection.Name)]
public sealed class NativeCmsTests(TestPki pki)
{
    private static readonly byte[] Content = "Content-Type: text/plain; charset=utf-8\r\n\r\nЗапрос KZ-NCP-2026-00042\r\n"u8.ToArray();

    [Fact]
    public void Each_recipient_opens_the_mail_with_its_own_key_and_finds_aes_256()
    {
        var encoded = NativeCms.Encrypt(Recipients(null, pki.Partner("de"), pki.Ncp), new MemoryStream(Content));

        foreach (var identity in new[] { pki.Partner("de"), pki.Ncp })
        {
            var cms = new EnvelopedCms();
            cms.Decode(encoded);
            Assert.Equal("2.16.840.1.101.3.4.1.42", cms.ContentEncryptionAlgorithm.Oid.Value);
            Assert.Equal(2, cms.RecipientInfos.Count);
            using var key = X509CertificateLoader.LoadPkcs12FromFile(identity.Pfx, identity.PfxPassword, X509KeyStorageFlags.EphemeralKeySet);
            cms.Decrypt([key]);
            Assert.Equal(Content, cms.ContentInfo.Content);
        }
    }

    [Fact]
    public void A_recipient_asking_for_oaep_gets_it_and_the_other_still_opens_the_mail()
    {
        var encoded = NativeCms.Encrypt(Recipients(RsaEncryptionPadding.OaepSha256, pki.Partner("de"), pki.Ncp), new MemoryStream(Content));

        var cms = new EnvelopedCms();
        cms.Decode(encoded);
        Assert.All(cms.RecipientInfos.Cast<KeyTransRecipientInfo>(), r => Assert.Equal("1.2.840.113549.1.1.7", r.KeyEncryptionAlgorithm.Oid.Value));
        using var key = X509CertificateLoader.LoadPkcs12FromFile(pki.Ncp.Pfx, pki.Ncp.PfxPassword, X509KeyStorageFlags.EphemeralKeySet);
        cms.Decrypt([key]);
        Assert.Equal(Content, cms.ContentInfo.Content);
    }

    [Fact]
    public void Two_mails_of_the_same_text_to_the_same_recipient_differ_and_both_open()
    {
        var recipients = Recipients(null, pki.Partner("de"));

        var first = NativeCms.Encrypt(recipients, new MemoryStream(Content));
        var second = NativeCms.Encrypt(recipients, new MemoryStream(Content));

        Assert.NotEqual(first, second);
        using var key = X509CertificateLoader.LoadPkcs12FromFile(pki.Partner("de").Pfx, pki.Partner("de").PfxPassword, X509KeyStorageFlags.EphemeralKeySet);
        foreach (var encoded in new[] { first, second })
        {
            var cms = new EnvelopedCms();
            cms.Decode(encoded);
            cms.Decrypt([key]);
            Assert.Equal(Content, cms.ContentInfo.Content);
        }
    }

    [Fact]
    public void A_signature_layer_with_more_signers_than_partners_use_is_refused_before_any_is_checked()
    {
        using var key = X509CertificateLoader.LoadPkcs12FromFile(pki.Partner("de").Pfx, pki.Partner("de").PfxPassword, X509KeyStorageFlags.EphemeralKeySet);
        var cms = new SignedCms(new ContentInfo(Content));
        for (var i = 0; i <= NativeVerifier.MaxSigners; i++)
        {
            cms.ComputeSignature(new System.Security.Cryptography.Pkcs.CmsSigner(key), silent: true);
        }

        var judge = new NativeVerifier.ChainJudge([], [], DateTimeOffset.UtcNow);
        var refused = Assert.Throws<CryptographicException>(() => NativeVerifier.VerifyOpaque(cms.Encode(), judge));
        Assert.Contains($"at most {NativeVerifier.MaxSigners}", refused.Message, StringComparison.Ordinal);

        var once = new SignedCms(new ContentInfo(Content));
        once.ComputeSignature(new System.Security.Cryptography.Pkcs.CmsSigner(key), silent: true);
        var (content, signatures) = NativeVerifier.VerifyOpaque(once.Encode(), judge);
        Assert.Equal(Content, content);
        var signature = Assert.IsType<NativeSmimeSignature>(Assert.Single(signatures));
        Assert.True(signature.SignatureValid, signature.Error);
        Assert.Equal("The partner has no trust anchors (trustAnchors in its profile), so no certificate chains for it.", signature.ChainError);
    }

    private static CmsRecipientCollection Recipients(RsaEncryptionPadding? padding, params SmimeIdentity[] identities)
    {
        var recipients = new CmsRecipientCollection();
        foreach (var identity in identities)
        {
            var certificate = new X509CertificateParser().ReadCertificate(File.ReadAllBytes(identity.CertPem));
            recipients.Add(new MimeKit.Cryptography.CmsRecipient(certificate, SubjectIdentifierType.IssuerAndSerialNumber)
            {
                EncryptionAlgorithms = [EncryptionAlgorithm.Aes256],
                RsaEncryptionPadding = padding,
            });
        }

        return recipients;
    }
}
