using System.Net;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Worker.Observability;

/// <summary>
/// Both hosts' <c>/metrics</c> in Prometheus's text format, and the Worker's counters moving as mail is judged and sent.
/// Counters are the process's, shared by every host the suite starts: the tests look for an increase, never a value.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class MetricsTests(NcpSystem ncp)
{
    [Theory]
    [InlineData("api", "dotnet_gc_collections_total")]
    [InlineData("worker", "ncp_timers_overdue")]
    public async Task Metrics_answer_in_prometheus_text_format_without_signing_in(string process, string sample)
    {
        var client = process == "api" ? ncp.Api.CreateClient() : ncp.Worker.CreateClient();

        using var metrics = await client.GetAsync("/metrics");
        var page = await metrics.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\n{sample}", page, StringComparison.Ordinal);
        Assert.Contains("# TYPE ", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mail_sent_to_a_partner_and_its_reply_judged_are_counted()
    {
        var worker = ncp.Worker.CreateClient();
        var fr = await ncp.PartnerAsync("fr");
        var sentBefore = await Scrape.ValueAsync(worker, "ncp_mail_sent_total");
        var receivedBefore = await Scrape.ValueAsync(worker, "ncp_mail_received_total");

        var (item, _) = await ncp.SendRequestAsync(fr, "Counted on its way out");
        await NcpSystem.EventuallyAsync(() => Scrape.ValueAsync(worker, "ncp_mail_sent_total"), sent => sent > sentBefore);
        await ncp.SendRawAsync(MailGateway.Pki.Gpg.EncryptedMail(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nCounted on its way in.", fr.Address, "ncp@ncp.example",
            $"Re: [{item.Number()}]"));
        await ncp.ReceivedAsync(item.Number());

        await NcpSystem.EventuallyAsync(
            () => Scrape.ValueAsync(worker, "ncp_mail_received_total"), received => received > receivedBefore);
    }

    [Fact]
    public async Task A_mail_held_in_quarantine_is_counted_with_its_reason()
    {
        var worker = ncp.Worker.CreateClient();
        const string reason = "reason=\"unknown-sender\"";
        var before = await Scrape.ValueAsync(worker, "ncp_mail_quarantined_total", reason);
        var messageId = $"{Guid.NewGuid():N}@elsewhere.example";

        await ncp.SendRawAsync(System.Text.Encoding.ASCII.GetBytes(
            $"From: stranger@elsewhere.example\r\nTo: {ncp.GatewayAddress()}\r\nSubject: Hello\r\nMessage-ID: <{messageId}>\r\n"
            + "\r\nWho reads this?\r\n"));

        Assert.Equal("quarantined", (await ncp.OutcomeAsync(messageId)).Status);
        await NcpSystem.EventuallyAsync(
            () => Scrape.ValueAsync(worker, "ncp_mail_quarantined_total", reason), held => held > before);
    }
}
