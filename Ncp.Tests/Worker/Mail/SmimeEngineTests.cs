using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail;

/// <summary>
/// The gateway with MimeKit's BouncyCastle doing our S/MIME private-key work instead of .NET's native CMS (the default,
/// which every other mail test uses): kept as the comparison the benchmark reports, so it must stay correct too.
/// </summary>
public sealed class BouncyCastleSmimeNcp : NcpSystem
{
    protected override void WorkerOverrides(IDictionary<string, string?> settings) => settings["Mail:SmimeEngine"] = "BouncyCastle";
}

[CollectionDefinition(Name)]
public sealed class BouncyCastleSmimeCollection : ICollectionFixture<BouncyCastleSmimeNcp>
{
    public const string Name = "smime-bouncycastle";
}

[Collection(BouncyCastleSmimeCollection.Name)]
public sealed class SmimeEngineTests(BouncyCastleSmimeNcp ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task With_bouncycastle_signing_openssl_still_reads_what_we_send_and_we_read_its_reply()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Signed by BouncyCastle");
        var partner = Pki.Partner("de");

        var reading = OpenSslMail.DecryptAndVerify(await ncp.FetchAsync("de@partner.example", messageId), partner.CertPem, partner.KeyPem, Pki.Ca.CertPem);
        Assert.True(reading.Verified, reading.Diagnostics);
        Assert.Contains(item.Number(), MailGatewayTests.TextOf(reading.Content), StringComparison.Ordinal);

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nDecrypted by BouncyCastle.", de.Address, "ncp@ncp.example", $"Re: [{item.Number()}]",
            partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem));
        var mail = await ncp.ReceivedAsync(item.Number());
        var view = await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{item.Number()}/mail/{mail.Str("id")}");
        Assert.Contains("Decrypted by BouncyCastle", view.Str("text"), StringComparison.Ordinal);
        Assert.Equal("valid", view.Str("signature"));
    }
}
