using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail;

/// <summary>The gateway's mailbox read by polling, as with a server that offers no IDLE (or whose IDLE is switched off).</summary>
public sealed class PollingImapNcp : NcpSystem
{
    protected override void WorkerOverrides(IDictionary<string, string?> settings)
    {
        settings["Imap:Idle"] = "false";
        settings["Imap:PollEvery"] = "00:00:01";
    }
}

[CollectionDefinition(Name)]
public sealed class PollingImapCollection : ICollectionFixture<PollingImapNcp>
{
    public const string Name = "imap-polling";
}

[Collection(PollingImapCollection.Name)]
public sealed class ImapPollingTests(PollingImapNcp ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task Without_idle_the_gateway_polls_and_two_replies_arriving_apart_both_reach_their_item()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Read by polling");
        var partner = Pki.Partner("de");
        byte[] Reply(string text) => OpenSslMail.SignThenEncrypt(
            $"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}", de.Address, "ncp@ncp.example", "Re: subscriber data",
            partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem,
            headers: new Dictionary<string, string> { ["In-Reply-To"] = $"<{messageId}>", ["Message-ID"] = $"<{Guid.NewGuid():N}@partner.example>" });

        await ncp.SendRawAsync(Reply("First part of the answer."));
        await ncp.ReceivedAsync(item.Number());
        await ncp.SendRawAsync(Reply("Second part of the answer."));

        var both = await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync($"/api/items/{item.Number()}"),
            i => i.GetProperty("mail").EnumerateArray().Count(m => m.Str("status") == "received") == 2,
            TimeSpan.FromSeconds(60));
        Assert.Equal(2, both.GetProperty("mail").EnumerateArray().Count(m => m.Str("status") == "received"));
    }
}
