using System.Globalization;
using System.Text.Json;
using MimeKit;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Tests.Worker.Mail;

namespace Ncp.Tests.Cases.Chaining;

/// <summary>
/// The one-click extension of a preservation: the Api asks, the Worker writes, signs and encrypts it in the item's thread,
/// Postfix delivers it, the partner's openssl reads it; the partner's confirmation then clears the chain's warning.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class PreservationExtensionMailTests(NcpSystem ncp)
{
    [Fact]
    public async Task An_extension_request_goes_to_the_partner_in_the_preservations_thread_and_its_confirmation_clears_the_warning()
    {
        var de = await ncp.PartnerAsync("de");
        var duty = ncp.ClientFor("duty");
        var until = ChainApi.Whole(DateTimeOffset.UtcNow.AddDays(30));
        var preservation = await duty.PreservedAsync(ChainApi.Preservation(de.Code, $"Preserve the mailbox {Guid.NewGuid():N}"), until);
        var request = await SentAsync(duty, preservation.Number(), "request");
        var legalAssistance = await duty.FollowedUpAsync(
            preservation, ChainApi.LegalAssistance("TR-CYBER247", "Formal request for the mailbox"));
        Assert.Single((await duty.ChainAsync(preservation.Number())).GetProperty("warnings").EnumerateArray());

        await duty.ActAsync(preservation.Number(), "preservation/extend");
        var extension = await SentAsync(duty, preservation.Number(), "preservation-extension");

        var raw = await ncp.FetchAsync("de@partner.example", extension);
        var outer = MimeMessage.Load(new MemoryStream(raw));
        Assert.Equal(request, outer.InReplyTo);
        Assert.StartsWith($"[{preservation.Number()}] Request to extend preservation", outer.Subject, StringComparison.Ordinal);
        var pki = MailGateway.Pki;
        var reading = OpenSslMail.DecryptAndVerify(raw, pki.Partner("de").CertPem, pki.Partner("de").KeyPem, pki.Ca.CertPem);
        Assert.True(reading.Verified, reading.Diagnostics);
        var text = string.Join(' ', MailGatewayTests.TextOf(reading.Content).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        var untilText = until.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Assert.Contains($"Preserved until: {untilText} UTC", text, StringComparison.Ordinal);
        Assert.Contains("Further period requested: 90 days", text, StringComparison.Ordinal);
        Assert.Contains("Article 29(7)", text, StringComparison.Ordinal);

        await duty.ActAsync(preservation.Number(), "preservation/confirm", new { preservedUntil = legalAssistance.ReplyBy().AddDays(30) });
        var chain = await duty.ChainAsync(legalAssistance.Number());
        Assert.Empty(chain.GetProperty("warnings").EnumerateArray());
        Assert.Equal("preserving", chain.GetProperty("steps")[0].GetProperty("waits").Str("for"));
    }

    // The Message-ID of the item's mail of that purpose, once the gateway has sent it.
    private static async Task<string> SentAsync(HttpClient officer, string number, string purpose)
    {
        var item = await NcpSystem.EventuallyAsync(
            () => officer.GetJsonAsync($"/api/items/{number}"),
            i => i.GetProperty("mail").EnumerateArray()
                .Any(m => m.Str("purpose") == purpose && m.Str("status") is "sent" or "not-delivered"),
            TimeSpan.FromSeconds(60));
        var mail = item.GetProperty("mail").EnumerateArray().Last(m => m.Str("purpose") == purpose);
        Assert.True(mail.Str("status") == "sent", $"Not sent: {mail}");
        return mail.Str("messageId");
    }
}
