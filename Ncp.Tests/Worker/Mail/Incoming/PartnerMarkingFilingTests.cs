using System.Text.Json;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// A partner's handling marking travels into our register: mail signed and encrypted by openssl and gpg as partners send
/// it, through Postfix and Dovecot, read by the Worker and filed by the Api. A new item takes the code the marking asks
/// for; an item the mail answers is raised to a stricter code, never lowered.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class PartnerMarkingFilingTests(NcpSystem ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task A_new_item_opened_by_a_partners_TLP_AMBER_mail_is_kept_to_its_channel_and_shows_the_marking()
    {
        var de = await ncp.PartnerAsync("de");
        var token = Guid.NewGuid().ToString("N")[..12];
        var signer = Pki.Partner("de");

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease preserve the logs of 198.51.100.7.", de.Address, "ncp@ncp.example",
            $"[TLP:AMBER] Preservation request {token}", signer.CertPem, signer.KeyPem, Pki.NcpNext.CertPem));

        var item = await OpenedAsync(de, token);
        Assert.Equal("no-other-channels", item.Str("handlingCode"));
        var marking = item.GetProperty("partnerMarking");
        Assert.Equal("TLP:AMBER", marking.Str("label"));
        Assert.Equal("no-other-channels", marking.Str("code"));
        Assert.Equal("subject: \"TLP:AMBER\"", marking.Str("found"));
    }

    [Fact]
    public async Task A_reply_marked_not_for_dissemination_raises_the_items_code_and_a_later_TLP_CLEAR_one_does_not_lower_it()
    {
        var fr = await ncp.PartnerAsync("fr");
        var (sent, messageId) = await ncp.SendRequestAsync(fr, "Subscriber data whose answer the partner restricts");
        Assert.Equal("open", sent.Str("handlingCode"));
        var thread = new Dictionary<string, string> { ["In-Reply-To"] = $"<{messageId}>" };

        await ncp.SendRawAsync(Pki.Gpg.EncryptedMail(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nНЕ ДЛЯ РАСПРОСТРАНЕНИЯ\r\nАбонент: Иванов И. И.", fr.Address, "ncp@ncp.example",
            $"Re: {sent.Number()}", headers: thread));

        var raised = await ItemWhenAsync(sent.Number(), i => i.Str("handlingCode") == "no-third-parties");
        var entry = raised.GetProperty("timeline").EnumerateArray().Single(e => e.Str("what") == "handling-code-raised");
        Assert.Contains("from Open to NoThirdParties", entry.Str("text"), StringComparison.Ordinal);
        Assert.Contains("not-for-dissemination (first lines: \"НЕ ДЛЯ РАСПРОСТРАНЕНИЯ\")", entry.Str("text"), StringComparison.Ordinal);
        Assert.Equal(fr.Code, entry.GetProperty("by").Str("id"));

        // The marking inside the encryption, in the header of the partner's content, as a client that protects it writes it.
        await ncp.SendRawAsync(Pki.Gpg.EncryptedMail(
            "Content-Type: text/plain; charset=utf-8\r\nX-TLP: CLEAR\r\n\r\nA further answer.", fr.Address, "ncp@ncp.example",
            $"Re: {sent.Number()}", headers: thread));

        var after = await ItemWhenAsync(
            sent.Number(), i => i.GetProperty("mail").EnumerateArray().Count(m => m.Str("status") == "received") == 2);
        Assert.Equal("no-third-parties", after.Str("handlingCode"));
        Assert.Equal("not-for-dissemination", after.GetProperty("partnerMarking").Str("label"));
        Assert.Single(after.GetProperty("timeline").EnumerateArray(), e => e.Str("what") == "handling-code-raised");
        var received = after.GetProperty("timeline").EnumerateArray().Last(e => e.Str("what") == "mail-received").Str("text");
        Assert.Contains("marked TLP:CLEAR (X-TLP: \"TLP:CLEAR\")", received, StringComparison.Ordinal);
    }

    private Task<JsonElement> ItemWhenAsync(string number, Func<JsonElement, bool> condition) =>
        NcpSystem.EventuallyAsync(() => ncp.ClientFor("duty").GetJsonAsync($"/api/items/{number}"), condition, TimeSpan.FromSeconds(60));

    private async Task<JsonElement> OpenedAsync(MailPartner partner, string token)
    {
        var found = await NcpSystem.EventuallyAsync(
            async () => (await ncp.ClientFor("duty").GetJsonAsync($"/api/items?partner={partner.Code}&direction=incoming&limit=200"))
                .GetProperty("items").EnumerateArray().Where(i => i.Str("subject").Contains(token, StringComparison.Ordinal)).ToList(),
            items => items.Count > 0, TimeSpan.FromSeconds(60));
        return await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{Assert.Single(found).Number()}");
    }
}
