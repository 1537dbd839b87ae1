using System.Text;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail;

/// <summary>
/// The forms partners really send, end to end through the mail servers: S/MIME 4.0's AES-GCM made by openssl and inline
/// OpenPGP made by gpg reach their item with a valid signature; what cannot be read is held with a reason that names
/// what came, never as plaintext.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class PartnerMailFormsTests(NcpSystem ncp)
{
    private const string Inner = "Content-Type: text/plain; charset=utf-8\r\n\r\nThe subscriber is John Doe, Example Street 1.";

    private static TestPki Pki => MailGateway.Pki;

    [Theory]
    [InlineData("aes-128-gcm")]
    [InlineData("aes-256-gcm")]
    public async Task An_aes_gcm_reply_made_by_openssl_reaches_its_item_with_a_valid_signature(string cipher)
    {
        var de = await ncp.PartnerAsync("de");
        var (item, _) = await ncp.SendRequestAsync(de, $"Reply to me with {cipher}");
        var partner = Pki.Partner("de");

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            Inner, de.Address, TestPki.NcpAddress, $"Re: [{item.Number()}]", partner.CertPem, partner.KeyPem, Pki.NcpNext.CertPem,
            cipher: cipher));

        await ReceivedSignedAsync(item.Number(), "smime", "John Doe");
    }

    [Fact]
    public async Task An_inline_pgp_reply_made_by_gpg_reaches_its_item_with_a_valid_signature()
    {
        var fr = await ncp.PartnerAsync("fr");
        var (item, _) = await ncp.SendRequestAsync(fr, "Reply to me inline");

        await ncp.SendRawAsync(
            Pki.Gpg.InlineMail("Данные абонента сохранены.", fr.Address, TestPki.NcpAddress, $"Re: [{item.Number()}] inline"));

        await ReceivedSignedAsync(item.Number(), "openpgp", "Данные абонента сохранены.");
    }

    [Fact]
    public async Task A_clear_signed_text_is_verified_and_held_for_coming_unencrypted_from_a_partner_who_must_encrypt()
    {
        var fr = await ncp.PartnerAsync("fr");
        var messageId = $"clear-{Guid.NewGuid():N}@partner.example";

        await ncp.SendRawAsync(Pki.Gpg.InlineMail(
            "Preservation confirmed.", fr.Address, TestPki.NcpAddress, "Clear-signed", encrypt: false, headers: Id(messageId)));

        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "not-encrypted" }, Said(outcome));
        Assert.Contains("came openpgp-signed-only", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_aes_gcm_mail_with_one_byte_of_its_ciphertext_flipped_is_held_as_undecryptable()
    {
        var de = await ncp.PartnerAsync("de");
        var partner = Pki.Partner("de");
        var messageId = $"gcm-flipped-{Guid.NewGuid():N}@partner.example";
        var mail = OpenSslMail.SignThenEncrypt(
            Inner, de.Address, TestPki.NcpAddress, "Altered on the way", partner.CertPem, partner.KeyPem, Pki.NcpNext.CertPem,
            headers: Id(messageId), cipher: "aes-256-gcm");

        await ncp.SendRawAsync(FlipCiphertext(mail));

        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "cannot-decrypt" }, Said(outcome));
        Assert.Contains("authentication tag", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pkcs7_mail_of_an_smime_type_we_cannot_read_is_held_naming_it()
    {
        await ncp.PartnerAsync("de");
        var messageId = $"pkcs7-unknown-{Guid.NewGuid():N}@partner.example";
        var entity = OpenSslMail.Pkcs7Entity("x-encrypted-data", OpenSslMail.EncryptWithSharedKeyToDer(Encoding.UTF8.GetBytes(Inner)));

        await ncp.SendRawAsync(RawMime.Message(
            "de@partner.example", TestPki.NcpAddress, "Password-protected", Id(messageId), Encoding.ASCII.GetBytes(entity)));

        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "unsupported" }, Said(outcome));
        Assert.Contains("smime-type=x-encrypted-data", outcome.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("plaintext", outcome.Detail, StringComparison.Ordinal);
    }

    // The item's officer sees the mail as a partner's, under its protection, with the signature found valid.
    private async Task ReceivedSignedAsync(string number, string protection, string text)
    {
        var mail = await ncp.ReceivedAsync(number);
        var view = await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{number}/mail/{mail.Str("id")}");
        Assert.Equal(protection, view.Str("protection"));
        Assert.Equal("valid", view.Str("signature"));
        Assert.Contains(text, view.Str("text"), StringComparison.Ordinal);
    }

    // Flips a byte of the encrypted content (it sits just before the 16-byte tag and its 2-byte header): the ASN.1 still
    // reads, only the tag no longer matches.
    private static byte[] FlipCiphertext(byte[] mail)
    {
        var text = Encoding.ASCII.GetString(mail);
        var body = text.IndexOf("\r\n\r\n", text.IndexOf("authEnveloped-data", StringComparison.Ordinal), StringComparison.Ordinal) + 4;
        var der = Convert.FromBase64String(text[body..]);
        der[^20] ^= 0x01;
        return Encoding.ASCII.GetBytes(text[..body] + Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks) + "\r\n");
    }

    private static string Said(InboundOutcome outcome) => $"{outcome.Status} {outcome.Reason}: {outcome.Detail}";

    private static Dictionary<string, string> Id(string messageId) => new() { ["Message-ID"] = $"<{messageId}>" };
}
