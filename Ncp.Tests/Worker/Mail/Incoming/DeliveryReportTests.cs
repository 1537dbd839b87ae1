using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// Our mail to a partner address that does not exist comes back as Postfix's own delivery status notification (the
/// project's Postfix hands bounce.example to Dovecot, which refuses the mailbox): the gateway reads it from its folder and
/// the item shows that mail not delivered, with the server's reason and where else the partner can be reached. A report
/// is signed by nobody: one that names no mail of ours, or an address our mail did not go to, or that cannot be read, is
/// judged like any mail.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class DeliveryReportTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_request_to_a_partner_whose_address_bounces_ends_not_delivered_with_postfixs_reason_and_the_partners_fallback()
    {
        await ncp.PartnerAsync("de");
        using var ca = new PartnerCa("Bouncing Partner Root");
        var identity = ca.Issue($"gone-{ncp.RunId}@bounce.example");
        var partner = await ncp.PartnerWithCertificateAsync("gone", identity, ca.CertPem);

        var number = await SendAsync(partner, "Subscriber data, to an address that no longer exists");

        var item = await ItemWhenAsync(number, i => i.GetProperty("delivery").ValueKind == JsonValueKind.String);
        var mail = Assert.Single(item.GetProperty("mail").EnumerateArray());
        Assert.Equal("not-delivered", mail.Str("status"));
        Assert.Equal("not-delivered", item.Str("delivery"));
        Assert.Contains("5.1.1", mail.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("User doesn't exist", mail.Str("detail"), StringComparison.Ordinal);
        Assert.Contains(identity.Email, mail.Str("detail"), StringComparison.Ordinal);
        var fallback = item.GetProperty("deliveryFallback");
        Assert.Equal("interpol", fallback.Str("fallbackChannel"));
        Assert.Empty(fallback.GetProperty("otherAddresses").EnumerateArray());
        var bounced = item.GetProperty("timeline").EnumerateArray().Single(e => e.Str("what") == "mail-bounced").Str("text");
        Assert.Contains("returned by the mail server: 5.1.1", bounced, StringComparison.Ordinal);
        Assert.Contains("the fallback channel Interpol", bounced, StringComparison.Ordinal);
        var judged = await ncp.QueryRowsAsync(
            $"select status, reason, sender from {ncp.WorkerSchema}.inbound_mail where status = 'delivery-report' and detail like @id",
            ("id", $"%{mail.Str("messageId")}%"));
        var row = Assert.Single(judged);
        Assert.Equal("failed", row[1]);
        Assert.Contains("MAILER-DAEMON", (string)row[2]!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_bounce_for_one_of_two_addresses_warns_and_names_the_address_that_took_the_mail()
    {
        await ncp.PartnerAsync("de");
        using var ca = new PartnerCa("Half Bouncing Partner Root");
        var identity = ca.Issue($"half-{ncp.RunId}@bounce.example");
        // The second address is a folder of the NCP's own mailbox that the gateway does not read: it takes the mail.
        var working = $"ncp+{ncp.RunId}-half@ncp.example";
        var partner = await ncp.PartnerWithCertificateAsync("half", identity, ca.CertPem, working);

        var number = await SendAsync(partner, "Subscriber data, to two addresses of which one bounces");

        var item = await ItemWhenAsync(number, i => i.GetProperty("deliveryWarning").ValueKind == JsonValueKind.String);
        var mail = Assert.Single(item.GetProperty("mail").EnumerateArray());
        Assert.Equal("sent", mail.Str("status"));
        Assert.Equal([identity.Email], mail.GetProperty("undelivered").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(JsonValueKind.Null, item.GetProperty("delivery").ValueKind);
        Assert.Contains("5.1.1", item.Str("deliveryWarning"), StringComparison.Ordinal);
        var others = item.GetProperty("deliveryFallback").GetProperty("otherAddresses").EnumerateArray().Select(a => a.GetString());
        Assert.Equal([working], others);
    }

    [Fact]
    public async Task Reports_naming_no_mail_of_ours_or_another_address_or_unreadable_are_held_like_any_mail_and_mark_nothing()
    {
        var de = await ncp.PartnerAsync("de");
        var (sent, messageId) = await ncp.SendRequestAsync(de, "A request whose delivery a forged report would deny");
        var strangers = $"{Guid.NewGuid():N}@ncp.example";
        var reports = new Dictionary<string, byte[]>
        {
            ["not ours"] = Raw(DeliveryReportReadingTests.Dsn(["failed 5.1.1 de@partner.example"], $"<{strangers}>", strangers)),
            ["another address"] = Raw(
                DeliveryReportReadingTests.Dsn(["failed 5.1.1 victim@elsewhere.example"], $"<{messageId}>", messageId)),
            ["unreadable"] = Encoding.ASCII.GetBytes($"""
                From: MAILER-DAEMON@mail.partner.example
                To: ncp@ncp.example
                Subject: Undelivered Mail Returned to Sender
                Message-Id: <{Guid.NewGuid():N}@mail.partner.example>
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="b"

                --b
                Content-Type: message/delivery-status

                ::: ; ;;
                 folded without a field
                Action failed Status 5.1.1 <{messageId}>
                --b
                Content-Type: text/rfc822-headers

                Message-ID: <{messageId}>
                --b--

                """.ReplaceLineEndings("\r\n")),
        };

        foreach (var raw in reports.Values)
        {
            await ncp.SendRawAsync(raw);
        }

        foreach (var (what, raw) in reports)
        {
            var id = Ncp.Worker.Mail.Incoming.MailText.Header(MimeKit.MimeMessage.Load(new MemoryStream(raw)).MessageId)!;
            var outcome = await ncp.OutcomeAsync(id);
            Assert.True(outcome is { Status: "quarantined", Reason: "unknown-sender" }, $"{what}: {outcome}");
        }

        var item = await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{sent.Number()}");
        Assert.Equal("sent", Assert.Single(item.GetProperty("mail").EnumerateArray()).Str("status"));
        Assert.DoesNotContain(item.GetProperty("timeline").EnumerateArray(), e => e.Str("what") is "mail-bounced" or "mail-delayed");
    }

    private async Task<string> SendAsync(MailPartner partner, string subject)
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(partner.Code, subject));
        await duty.ActAsync(item.Number(), "send");
        return item.Number();
    }

    private Task<JsonElement> ItemWhenAsync(string number, Func<JsonElement, bool> condition) =>
        NcpSystem.EventuallyAsync(() => ncp.ClientFor("duty").GetJsonAsync($"/api/items/{number}"), condition, TimeSpan.FromSeconds(60));

    private static byte[] Raw(MimeKit.MimeMessage message)
    {
        using var bytes = new MemoryStream();
        message.WriteTo(bytes);
        return bytes.ToArray();
    }
}
