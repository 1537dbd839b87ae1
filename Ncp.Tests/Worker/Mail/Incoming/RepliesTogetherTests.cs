using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// Partners' replies that arrive at the same moment are all filed: the Api records each on its item however many are
/// appended to it together, and none ends in an error queue.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class RepliesTogetherTests(NcpSystem ncp)
{
    private const int Replies = 20;

    [Fact]
    public async Task Twenty_replies_to_one_request_delivered_at_once_are_all_on_its_timeline()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Subscriber data: many answers expected");
        var partner = MailGateway.Pki.Partner("de");
        var replies = Enumerable.Range(1, Replies).Select(i => OpenSslMail.SignThenEncrypt(
            $"Content-Type: text/plain; charset=utf-8\r\n\r\nPart {i} of the answer.", de.Address, "ncp@ncp.example", $"Re: part {i}",
            partner.CertPem, partner.KeyPem, MailGateway.Pki.NcpNext.CertPem,
            headers: new Dictionary<string, string> { ["In-Reply-To"] = $"<{messageId}>", ["References"] = $"<{messageId}>" })).ToArray();

        await ncp.AppendRawAsync(replies);

        var filed = await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync($"/api/items/{item.Number()}"),
            i => i.GetProperty("mail").EnumerateArray().Count(m => m.Str("status") == "received") >= Replies,
            TimeSpan.FromSeconds(90));
        Assert.Equal(Replies, filed.GetProperty("mail").EnumerateArray().Count(m => m.Str("status") == "received"));
        Assert.Equal(Replies, filed.GetProperty("mail").EnumerateArray().Where(m => m.Str("status") == "received").Select(m => m.Str("messageId")).Distinct().Count());
    }
}
