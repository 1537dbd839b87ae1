using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Ui;

/// <summary>The item page as the server renders it first, and the partner's mail it opens.</summary>
[Collection(NcpCollection.Name)]
public sealed class ItemDetailTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_item_page_shows_the_item_its_timeline_with_who_and_when_and_the_actions_its_status_allows()
    {
        var duty = ncp.ClientFor("duty");
        var subject = $"UI detail {Guid.NewGuid():N}";
        var body = ItemsApi.OutgoingRequest(subject: subject);
        body["legalBasis"] = "Convention on Cybercrime, art. 29; Criminal Procedure Code, art. 1";
        var item = await duty.RegisterAsync(body);
        await duty.ActAsync(item.Number(), "notes", new { text = "Called the partner's duty desk" });
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");

        var page = await browser.GetAsync($"/items/{item.Number()}");

        Assert.Equal(200, page.Status);
        Assert.Contains($"{item.Number()} — {subject}", page.Text, StringComparison.Ordinal);
        Assert.Contains("data-what=\"registered\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("data-what=\"note\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("Called the partner's duty desk", page.Text, StringComparison.Ordinal);
        Assert.Contains("Legal basis", page.Text, StringComparison.Ordinal);
        Assert.Contains("Convention on Cybercrime, art. 29; Criminal Procedure Code, art. 1", page.Text, StringComparison.Ordinal);
        Assert.Contains("Duty Officer (demo)", page.Text, StringComparison.Ordinal);
        Assert.Contains("<time datetime=", page.Body, StringComparison.Ordinal);
        // A draft: it can be sent or withdrawn, not closed; nobody but a supervisor reopens.
        Assert.Contains("Send to partner", page.Text, StringComparison.Ordinal);
        Assert.Contains("Withdraw", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Close item", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Reopen", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Remind partner", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remind_partner_is_offered_while_a_sent_item_awaits_its_reply_and_not_again_until_the_interval_has_passed()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"UI remind {Guid.NewGuid():N}"));
        await duty.ActAsync(item.Number(), "send");
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");

        Assert.Contains("Remind partner", (await browser.GetAsync($"/items/{item.Number()}")).Text, StringComparison.Ordinal);

        await duty.ActAsync(item.Number(), "remind");
        var page = await browser.GetAsync($"/items/{item.Number()}");
        Assert.DoesNotContain("Remind partner", page.Text, StringComparison.Ordinal);
        Assert.Contains("next reminder possible from", page.Text, StringComparison.Ordinal);
        Assert.Contains("data-what=\"partner-reminded\"", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_attachment_is_listed_with_its_hash_and_downloads_through_the_page_with_the_browsers_cookie()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"UI attachment {Guid.NewGuid():N}"));
        var content = $"ip,time\n198.51.100.4,{Guid.NewGuid():N}\n";
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        using (var form = new MultipartFormDataContent { { new StringContent(content), "file", "logs.csv" } })
        {
            await ItemsApi.ExpectAsync(await duty.PostAsync($"/api/items/{item.Number()}/attachments", form), HttpStatusCode.OK);
        }

        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");
        var page = await browser.GetAsync($"/items/{item.Number()}");
        Assert.Contains(sha, page.Body, StringComparison.Ordinal);
        Assert.Contains($"href=\"/items/{item.Number()}/attachments/{sha}\"", page.Body, StringComparison.Ordinal);

        var download = await browser.GetAsync($"/items/{item.Number()}/attachments/{sha}");
        Assert.Equal(200, download.Status);
        Assert.Equal(content, download.Body);
        Assert.Equal(302, (await new UiSession(ncp.Api).GetAsync($"/items/{item.Number()}/attachments/{sha}")).Status);
    }

    [Theory]
    [InlineData("ru", "История", "Отправить партнёру")]
    [InlineData("kk", "Тарих", "Серіктеске жіберу")]
    public async Task The_item_page_speaks_the_officers_language(string culture, string timeline, string send)
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: $"UI {culture} {Guid.NewGuid():N}"));
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");
        await browser.GetAsync($"/preferences/culture?culture={culture}&returnUrl=%2F");

        var page = await browser.GetAsync($"/items/{item.Number()}");

        Assert.Contains(timeline, page.Text, StringComparison.Ordinal);
        Assert.Contains(send, page.Text, StringComparison.Ordinal);
        await browser.GetAsync("/preferences/culture?culture=en&returnUrl=%2F");
    }

    [Fact]
    public async Task An_auditor_sees_the_item_page_without_any_action()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: $"UI audit {Guid.NewGuid():N}"));
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("auditor");

        var page = await browser.GetAsync($"/items/{item.Number()}");

        Assert.Equal(200, page.Status);
        Assert.Contains(item.Number(), page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Send to partner", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Add note", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partners_html_mail_comes_back_sanitised_and_shows_in_the_items_timeline()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Reply to me in HTML");
        var partner = MailGateway.Pki.Partner("de");
        const string Inner = "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
            + "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe subscriber is Jane Roe.\r\n"
            + "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            + "<p onclick=\"steal()\">The subscriber is <b>Jane Roe</b>.</p><script>alert(1)</script>"
            + "<img src=\"https://tracker.example/pixel.gif\"><a href=\"javascript:alert(2)\">details</a>\r\n"
            + "--alt--\r\n";
        var reply = OpenSslMail.SignThenEncrypt(
            Inner, de.Address, "ncp@ncp.example", "Subscriber data", partner.CertPem, partner.KeyPem, MailGateway.Pki.Ncp.CertPem,
            headers: new Dictionary<string, string> { ["In-Reply-To"] = $"<{messageId}>", ["Message-ID"] = $"<{Guid.NewGuid():N}@partner.example>" });

        await ncp.SendRawAsync(reply);

        var mail = await ncp.ReceivedAsync(item.Number());
        var view = await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{item.Number()}/mail/{mail.Str("id")}");
        var html = view.Str("safeHtml");
        Assert.Contains("The subscriber is <b>Jane Roe</b>.", html, StringComparison.Ordinal);
        foreach (var gone in new[] { "<script", "onclick", "javascript:", "tracker.example" })
        {
            Assert.DoesNotContain(gone, html, StringComparison.OrdinalIgnoreCase);
        }

        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");
        var page = await browser.GetAsync($"/items/{item.Number()}");
        Assert.Contains("data-what=\"mail-received\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("Show mail", page.Text, StringComparison.Ordinal);
    }
}
