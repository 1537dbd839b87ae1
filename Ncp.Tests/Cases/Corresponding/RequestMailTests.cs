using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Mail;
using Ncp.Tests.Cases.Registering;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Corresponding;

/// <summary>What the Api asks the gateway to send when an officer sends a request: the request, its marking, files, language.</summary>
[Collection(NcpCollection.Name)]
public sealed class RequestMailTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_mail_asked_for_on_send_carries_every_identifier_the_facts_the_marking_and_the_chosen_file()
    {
        var fr = await ncp.PartnerAsync("fr");
        var duty = ncp.ClientFor("duty");
        var body = ContentTests.Preservation("+77015550201", "Preserve: fake marketplace");
        body["partnerCode"] = fr.Code;
        body["language"] = "en";
        body["content"]!["identifiers"]!.AsArray().Add(new JsonObject { ["type"] = "payment-card", ["value"] = "4111 1111 1111 1111" });
        var item = await duty.RegisterAsync(body);
        var capture = RandomNumberGenerator.GetBytes(3_000);
        await duty.AttachAsync(item.Number(), capture, "capture.pcap");
        var attached = (await duty.AttachAsync(item.Number(), RandomNumberGenerator.GetBytes(1_000), "not-sent.txt")).Version();
        body["content"]!["attachmentsToSend"] = new JsonArray(Convert.ToHexStringLower(SHA256.HashData(capture)));
        var version = (await duty.ChangeDetailsAsync(item.Number(), body, attached)).Version();

        var mail = await SentAsync(duty, item.Number(), version);

        Assert.Equal("request", mail.Purpose);
        Assert.Equal("en", mail.Language);
        Assert.Equal(new MailHandling("no-other-channels", "TLP:AMBER"), mail.Content.Handling);
        Assert.True(mail.Content.Preservation);
        var request = mail.Content.Request!;
        Assert.Equal("preservation", request.Form);
        Assert.Equal(ContentTests.Facts, request.Facts);
        Assert.Equal(request.Facts, mail.Content.Text);
        Assert.Equal("Fraud, art. 190(2) of the Criminal Code", request.Offence);
        Assert.Equal("The provider keeps connection logs for 30 days.", request.UrgencyReason);
        var day = new DateTimeOffset(2026, 10, 5, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            [
                ("ip-address", "203.0.113.7", "443", (DateTimeOffset?)day.AddHours(9).AddMinutes(3).AddSeconds(12), "Asia/Almaty",
                    "traffic-data", (DateTimeOffset?)day, (DateTimeOffset?)day),
                ("phone", "+77015550201", null, null, null, "subscriber-data", null, null),
                ("payment-card", "4111111111111111", null, null, null, "", null, null),
            ],
            request.Identifiers.Select(i => (i.Type, i.Value, i.Qualifier, i.At, i.TimeZone, string.Join(',', i.Data), i.From, i.To)));
        // Only in the request's substance: the legacy text is for messages of older Apis.
        Assert.Null(mail.Content.Identifiers);
        var file = Assert.Single(mail.Attachments ?? []);
        Assert.Equal(("capture.pcap", "application/octet-stream"), (file.FileName, file.ContentType));
        Assert.Equal(capture, file.Content);
    }

    /// <summary>
    /// The whole path: what the officer filled in and attached, through the Api, the event log, the gateway, the
    /// project's Postfix and Dovecot, read by the partner's own tool (openssl for S/MIME, gpg for OpenPGP).
    /// </summary>
    [Theory]
    [InlineData("de", "TLP:AMBER \u2014 not to be passed through another channel", "IP address: 203.0.113.7, port 443")]
    [InlineData("fr", "TLP:AMBER \u2014 не подлежит передаче по иным каналам", "IP-адрес: 203.0.113.7, порт 443")]
    public async Task A_request_sent_through_the_api_reaches_the_partner_readable_with_every_identifier_the_facts_the_marking_and_the_file(
        string partnerKey, string marking, string ipLine)
    {
        var partner = await ncp.PartnerAsync(partnerKey);
        var duty = ncp.ClientFor("duty");
        var phone = $"+7701555{RandomNumberGenerator.GetInt32(1000, 9999)}";
        var body = ContentTests.Preservation(phone, $"End to end to {partner.Scheme}");
        body["partnerCode"] = partner.Code;
        body.Remove("language");
        var item = await duty.RegisterAsync(body);
        var capture = RandomNumberGenerator.GetBytes(5_000);
        var attached = (await duty.AttachAsync(item.Number(), capture, "capture.pcap")).Version();
        body["content"]!["attachmentsToSend"] = new JsonArray(Convert.ToHexStringLower(SHA256.HashData(capture)));
        var version = (await duty.ChangeDetailsAsync(item.Number(), body, attached)).Version();

        var mail = await SentAsync(duty, item.Number(), version);
        var raw = await ncp.FetchAsync(partner.Address, $"{mail.DispatchId:N}@ncp.example");

        var pki = MailGateway.Pki;
        var (ok, letter, diagnostics) = partner.Scheme == "smime"
            ? Smime(raw, pki, partnerKey)
            : Pgp(raw, pki);
        Assert.True(ok, diagnostics);
        var entity = Assert.IsType<MimeKit.Multipart>(MimeKit.MimeEntity.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(letter))));
        var text = string.Join(' ', Assert.IsType<MimeKit.TextPart>(entity[0]).Text.Split([' ', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(marking, text, StringComparison.Ordinal);
        Assert.All(
            [ipLine, "2026-10-05 14:03:12 +05:00 (Asia/Almaty) = 09:03:12 UTC", phone, ContentTests.Facts, "art. 190(2)"],
            expected => Assert.Contains(expected, text, StringComparison.Ordinal));
        var file = Assert.Single(entity.OfType<MimeKit.MimePart>(), p => p.IsAttachment);
        using var bytes = new MemoryStream();
        file.Content!.DecodeTo(bytes);
        Assert.Equal("capture.pcap", file.FileName);
        Assert.Equal(capture, bytes.ToArray());
    }

    private static (bool Ok, string Content, string Diagnostics) Smime(byte[] raw, Fixtures.Crypto.TestPki pki, string key)
    {
        var reading = Fixtures.Crypto.OpenSslMail.DecryptAndVerify(raw, pki.Partner(key).CertPem, pki.Partner(key).KeyPem, pki.Ca.CertPem);
        return (reading.Verified, reading.Content, reading.Diagnostics);
    }

    private static (bool Ok, string Content, string Diagnostics) Pgp(byte[] raw, Fixtures.Crypto.TestPki pki)
    {
        var reading = pki.Gpg.DecryptAndVerify(raw);
        return (reading.DecryptionOkay && reading.GoodSignature, reading.Content, reading.Diagnostics);
    }

    [Theory]
    [InlineData("en", "en")]
    [InlineData("kk", "kk")]
    [InlineData("de", "ru")]
    public async Task The_mail_is_in_the_items_language_when_we_write_it_else_in_the_partners_first_we_write(
        string itemLanguage, string mailLanguage)
    {
        var fr = await ncp.PartnerAsync("fr");
        var duty = ncp.ClientFor("duty");
        var body = ContentTests.Preservation($"+7701555{RandomNumberGenerator.GetInt32(1000, 9999)}", $"Language {itemLanguage}");
        body["partnerCode"] = fr.Code;
        body["language"] = itemLanguage;
        body["handlingCode"] = "no-third-parties";
        var item = await duty.RegisterAsync(body);

        var mail = await SentAsync(duty, item.Number(), item.Version());

        Assert.Equal(mailLanguage, mail.Language);
        Assert.Equal(new MailHandling("no-third-parties", "TLP:AMBER+STRICT"), mail.Content.Handling);
        Assert.Null(mail.Attachments);
    }

    [Fact]
    public async Task A_request_without_content_still_says_it_is_open_and_carries_no_request()
    {
        var de = await ncp.PartnerAsync("de");
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(de.Code, "Old-style request"));

        var mail = await SentAsync(duty, item.Number(), item.Version());

        Assert.Null(mail.Content.Request);
        Assert.Null(mail.Content.Identifiers);
        Assert.Null(mail.Content.Text);
        Assert.Equal(new MailHandling("open", "TLP:GREEN"), mail.Content.Handling);
    }

    /// <summary>Sends the item and returns the mail request the Worker received for it.</summary>
    private async Task<PartnerMailRequested> SentAsync(HttpClient duty, string number, long version)
    {
        var consumed = new ConsumeCounter();
        using var observer = ncp.Worker.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);
        var sent = await duty.ActAsync(number, "send", ifMatch: version);
        var itemId = sent.GetProperty("id").GetGuid();
        await NcpSystem.EventuallyAsync(
            () => Task.FromResult(consumed.Count<PartnerMailRequested>(m => m.ItemId == itemId && m.Purpose == "request")),
            n => n > 0,
            TimeSpan.FromSeconds(60));
        return consumed.Consumed<PartnerMailRequested>().First(m => m.ItemId == itemId);
    }
}
