using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Quarantine;

/// <summary>A mail sent through Postfix and held by the Worker, as the test that sent it knows it.</summary>
public sealed record HeldMail(Guid Id, string Subject, string PartnerCode, string PartnerAddress, string From, byte[] Attachment);

/// <summary>Hostile mail written by hand (not by the gateway's own MIME library), sent through the real SMTP server.</summary>
public static class HeldMails
{
    public const string AttachmentName = "logs-203.0.113.7.pdf";
    public const string TextLine = "Please preserve the logs of 203.0.113.7 for 90 days.";

    /// <summary>
    /// Plaintext, unsigned, from an address no partner has, in the domain of a partner of this test's own: held as
    /// <c>unknown-sender</c>. Its HTML carries a script, an event handler, a tracking image and a link; it has a PDF attached.
    /// </summary>
    public static async Task<HeldMail> FromStrangerAsync(this NcpSystem ncp)
    {
        // Not under the run's "<run>-" prefix, which the mail gateway's fixture counts as its own partners.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var domain = $"{ncp.RunId}-{tag}-police.example";
        var partner = new MailPartner($"Q-{ncp.RunId.ToUpperInvariant()}-{tag.ToUpperInvariant()}", $"desk@{domain}", "smime");
        await MailGateway.RegisterAsync(ncp.ClientFor("admin"), partner, "en");

        var from = $"night.shift@{domain}";
        var messageId = $"stranger-{Guid.NewGuid():N}@{domain}";
        var subject = $"Urgent preservation {tag}";
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n% held-mail test " + tag + "\n" + new string('x', 4096) + "\n%%EOF\n");
        var raw = $"""
            From: Night Shift <{from}>
            To: {ncp.GatewayAddress()}
            Subject: {subject}
            Message-ID: <{messageId}>
            Date: {DateTimeOffset.UtcNow:R}
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="mix"

            --mix
            Content-Type: multipart/alternative; boundary="alt"

            --alt
            Content-Type: text/plain; charset=utf-8

            {TextLine}
            --alt
            Content-Type: text/html; charset=utf-8

            <p>Please preserve the logs of <b>203.0.113.7</b>.</p><script>document.title='owned'</script>
            <img src="https://tracker.example/p.png" onerror="alert(1)"><a href="https://evil.example/login">log in</a>
            --alt--
            --mix
            Content-Type: application/pdf; name="{AttachmentName}"
            Content-Disposition: attachment; filename="{AttachmentName}"
            Content-Transfer-Encoding: base64

            {Convert.ToBase64String(pdf, Base64FormattingOptions.InsertLineBreaks)}
            --mix--

            """;
        await ncp.SendRawAsync(RawMime.ToCrlf(raw));
        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "unknown-sender" }, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
        await NcpSystem.EventuallyAsync(
            async () => (await ncp.ClientFor("duty").GetAsync($"/api/quarantine/{outcome.Id}")).StatusCode, s => s == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60));
        return new HeldMail(outcome.Id, subject, partner.Code, partner.Address, from, pdf);
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
