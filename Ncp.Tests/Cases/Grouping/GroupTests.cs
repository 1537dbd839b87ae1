using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Tests.Worker.Mail;

namespace Ncp.Tests.Cases.Grouping;

/// <summary>
/// One message to several partners, end to end: registered as a group of drafts, sent together, each partner's mail signed,
/// encrypted to its own key and written in its language, read by the partner's own tools (openssl, gpg); each partner's
/// signed and encrypted reply filed on its own item, never on the sibling's.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class GroupTests(NcpSystem ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task One_group_send_mails_each_partner_in_its_language_readable_with_its_own_key_and_the_group_shows_from_each_item()
    {
        var (de, fr) = (await ncp.PartnerAsync("de"), await ncp.PartnerAsync("fr"));
        var duty = ncp.ClientFor("duty");
        var group = await RegisterGroupAsync(duty, "Botnet C2 at 198.51.100.40", de.Code, fr.Code);
        var (deItem, frItem) = (Member(group, de.Code), Member(group, fr.Code));
        Assert.Equal(["draft", "draft"], group.GetProperty("items").EnumerateArray().Select(i => i.Str("status")));
        Assert.Equal(("en", "ru"), (deItem.Str("language"), frItem.Str("language")));

        var sent = await duty.ActAsync(deItem.Number(), "send-group");
        Assert.All(sent.GetProperty("members").EnumerateArray(), m => Assert.Equal("sent", m.Str("status")));

        var deReading = OpenSslMail.DecryptAndVerify(
            await ncp.FetchAsync(de.Address, await SentMessageIdAsync(deItem.Number())), Pki.Partner("de").CertPem,
                Pki.Partner("de").KeyPem, Pki.Ca.CertPem);
        var frReading = Pki.Gpg.DecryptAndVerify(await ncp.FetchAsync(fr.Address, await SentMessageIdAsync(frItem.Number())));
        Assert.True(deReading.Verified, deReading.Diagnostics);
        Assert.True(frReading.DecryptionOkay && frReading.GoodSignature, frReading.Diagnostics);
        var (deText, frText) = (MailGatewayTests.TextOf(deReading.Content), MailGatewayTests.TextOf(frReading.Content));
        Assert.Contains(deItem.Number(), deText, StringComparison.Ordinal);
        Assert.Contains("Legal basis", deText, StringComparison.Ordinal);
        Assert.Contains(frItem.Number(), frText, StringComparison.Ordinal);
        Assert.Contains("Правовое основание", frText, StringComparison.Ordinal);
        // Neither partner learns of the other: no sibling's number in its mail.
        Assert.DoesNotContain(frItem.Number(), deText, StringComparison.Ordinal);
        Assert.DoesNotContain(deItem.Number(), frText, StringComparison.Ordinal);

        foreach (var (item, sibling) in new[] { (deItem, frItem), (frItem, deItem) })
        {
            var read = await duty.GetJsonAsync($"/api/items/{item.Number()}");
            Assert.Equal(group.Str("groupId"), read.Str("groupId"));
            var link = Assert.Single(read.GetProperty("links").EnumerateArray());
            Assert.Equal((sibling.Number(), "same-group"), (link.Str("targetRegisterNumber"), link.Str("type")));
            var shown = await duty.GetJsonAsync($"/api/items/{item.Number()}/group");
            Assert.Equal(
                new[] { deItem.Number(), frItem.Number() }.Order(StringComparer.Ordinal),
                shown.GetProperty("members").EnumerateArray().Select(m => m.Number()));
        }
    }

    [Fact]
    public async Task Each_partner_s_signed_and_encrypted_reply_is_filed_on_its_own_item_not_on_its_sibling()
    {
        var (de, fr) = (await ncp.PartnerAsync("de"), await ncp.PartnerAsync("fr"));
        var duty = ncp.ClientFor("duty");
        var group = await RegisterGroupAsync(duty, "Phishing kit hosted at 198.51.100.41", de.Code, fr.Code);
        var (deItem, frItem) = (Member(group, de.Code), Member(group, fr.Code));
        await duty.ActAsync(frItem.Number(), "send-group");
        var (deSent, frSent) = (await SentMessageIdAsync(deItem.Number()), await SentMessageIdAsync(frItem.Number()));

        // Both replies quote only their thread (In-Reply-To, References) under the same subject without a register number.
        var partner = Pki.Partner("de");
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nThe host is ours; preserved.", de.Address, "ncp@ncp.example",
                "Re: phishing kit",
            partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem, headers: Thread(deSent)));
        await ncp.SendRawAsync(Pki.Gpg.EncryptedMail(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nХостинг не наш.", fr.Address, "ncp@ncp.example", "Re: phishing kit",
                headers: Thread(frSent)));

        foreach (var (item, said) in new[] { (deItem, "The host is ours"), (frItem, "Хостинг не наш") })
        {
            var mail = await ncp.ReceivedAsync(item.Number());
            var view = await duty.GetJsonAsync($"/api/items/{item.Number()}/mail/{mail.Str("id")}");
            Assert.Contains(said, view.Str("text"), StringComparison.Ordinal);
            Assert.Equal("valid", view.Str("signature"));
        }

        // Each item holds its own partner's reply and nothing of the sibling's.
        foreach (var item in new[] { deItem, frItem })
        {
            var read = await duty.GetJsonAsync($"/api/items/{item.Number()}");
            Assert.Single(read.GetProperty("mail").EnumerateArray(), m => m.Str("status") == "received");
            Assert.DoesNotContain(read.GetProperty("timeline").EnumerateArray(), t => t.Str("what") == "foreign-item-quoted");
        }
    }

    [Fact]
    public async Task A_group_names_the_partner_that_is_unknown_or_reached_through_another_channel()
    {
        var duty = ncp.ClientFor("duty");
        var item = Body("Named partners");
        item["channel"] = "cis-bkbop";

        var problem = await PostGroupAsync(duty, item, ["RU-CYBER247", "NOWHERE-1", "DE-CYBER247"], expected: HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal(["partnerCodes[1]", "partnerCodes[2]"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("NOWHERE-1", errors.GetProperty("partnerCodes[1]")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("cis-bkbop", errors.GetProperty("partnerCodes[2]")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_under_no_third_parties_needs_the_originator_s_consent_which_each_item_records()
    {
        var duty = ncp.ClientFor("duty");
        var item = Body("From a source that asked for no third parties");
        item["handlingCode"] = "no-third-parties";

        var refused = await PostGroupAsync(duty, item, ["DE-CYBER247", "FR-CYBER247"], expected: HttpStatusCode.BadRequest);
        Assert.Equal(["partnerCodes[1]"], refused.GetProperty("errors").EnumerateObject().Select(e => e.Name));

        var group = await PostGroupAsync(duty, item, ["DE-CYBER247", "FR-CYBER247"], consent: "Source's letter of 2026-11-30");
        foreach (var member in group.GetProperty("items").EnumerateArray())
        {
            var read = await duty.GetJsonAsync($"/api/items/{member.Number()}");
            Assert.Contains(read.GetProperty("timeline").EnumerateArray(),
                t => t.Str("what") == "grouped" && t.Str("text").Contains("Source's letter of 2026-11-30", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_retried_group_with_its_idempotency_key_returns_the_same_items_and_registers_none()
    {
        var duty = ncp.ClientFor("duty");
        var key = Guid.NewGuid().ToString();
        var item = Body("Retried group");

        var first = await PostGroupAsync(duty, item, ["DE-CYBER247", "NL-CYBER247"], idempotencyKey: key);
        var again = await PostGroupAsync(duty, item, ["DE-CYBER247", "NL-CYBER247"], idempotencyKey: key);

        Assert.Equal(first.Str("groupId"), again.Str("groupId"));
        Assert.Equal(Numbers(first), Numbers(again));
        Assert.Equal(2, (await duty.ListAllAsync($"q={Uri.EscapeDataString("Retried group")}")).Intersect(Numbers(first)).Count());
    }

    [Fact]
    public async Task The_item_page_shows_the_group_with_each_partner_and_offers_to_send_its_drafts()
    {
        var duty = ncp.ClientFor("duty");
        var group = await RegisterGroupAsync(duty, "Shown as a group", "DE-CYBER247", "RU-CYBER247");
        var (de, ru) = (Member(group, "DE-CYBER247"), Member(group, "RU-CYBER247"));
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");

        var page = await browser.GetAsync($"/items/{de.Number()}");

        Assert.Contains("data-testid=\"item-group\"", page.Body, StringComparison.Ordinal);
        Assert.Contains(ru.Number(), page.Text, StringComparison.Ordinal);
        Assert.Contains("RU-CYBER247", page.Text, StringComparison.Ordinal);
        Assert.Contains("Send the group (2 drafts)", page.Text, StringComparison.Ordinal);
    }

    private static JsonObject Body(string subject)
    {
        var body = ItemsApi.OutgoingRequest(subject: subject);
        body.Remove("partnerCode");
        return body;
    }

    private static Task<JsonElement> RegisterGroupAsync(HttpClient client, string subject, params string[] partners) =>
        PostGroupAsync(client, Body(subject), partners);

    private static async Task<JsonElement> PostGroupAsync(
        HttpClient client, JsonObject item, string[] partners, string? consent = null, string? idempotencyKey = null,
        HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/items/group")
        {
            Content = JsonContent.Create(new { partnerCodes = partners, item, consentReference = consent }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await client.SendAsync(request);
        return await ItemsApi.ExpectAsync(response, expected);
    }

    private static JsonElement Member(JsonElement group, string partnerCode) =>
        group.GetProperty("items").EnumerateArray().Single(i => i.Str("partnerCode") == partnerCode);

    private static string[] Numbers(JsonElement group) => [.. group.GetProperty("items").EnumerateArray().Select(i => i.Number())];

    private async Task<string> SentMessageIdAsync(string number)
    {
        var item = await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync($"/api/items/{number}"),
            i => i.GetProperty("mail").EnumerateArray().Any(m => m.Str("status") is "sent" or "not-delivered"),
            TimeSpan.FromSeconds(60));
        var mail = item.GetProperty("mail").EnumerateArray().First();
        Assert.True(mail.Str("status") == "sent", $"Not sent: {mail}");
        return mail.Str("messageId");
    }

    private static Dictionary<string, string> Thread(string messageId) => new()
    {
        ["In-Reply-To"] = $"<{messageId}>",
        ["References"] = $"<{messageId}>",
        ["Message-ID"] = $"<{Guid.NewGuid():N}@partner.example>",
    };
}
