using System.Text;
using MimeKit;
using Ncp.Worker.Mail.Incoming;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// How the gateway reads a delivery status notification (RFC 3464) in the shape Postfix writes it, and what it takes it
/// to say of one of our dispatches, as a table. No I/O; the same reports come from the real Postfix in DeliveryReportTests.
/// </summary>
public sealed class DeliveryReportReadingTests
{
    private static readonly SentDispatch Ours = new(
        Guid.CreateVersion7(), Guid.CreateVersion7(), "request", "d1@ncp.example", "FR-CYBER247",
        ["a@partner.example", "b@partner.example"]);

    // One recipient group per "action status address"; the outcome as "action status addresses", or "-" for none.
    [Theory]
    [InlineData("failed 5.1.1 a@partner.example", "failed 5.1.1 a@partner.example")]
    [InlineData("failed 5.1.1 A@Partner.Example", "failed 5.1.1 a@partner.example")]
    [InlineData("delayed 4.4.1 b@partner.example", "delayed 4.4.1 b@partner.example")]
    [InlineData("failed 4.4.7 a@partner.example", "-")]
    [InlineData("delivered 2.0.0 a@partner.example", "-")]
    [InlineData("relayed 2.0.0 a@partner.example", "-")]
    [InlineData("failed 5.1.1 someone@elsewhere.example", "-")]
    [InlineData("delayed 4.4.1 a@partner.example|failed 5.7.1 b@partner.example", "failed 5.7.1 b@partner.example")]
    [InlineData("failed 5.1.1 a@partner.example|failed 5.2.2 b@partner.example", "failed 5.1.1 a@partner.example,b@partner.example")]
    public void A_report_says_failed_or_delayed_only_for_the_dispatchs_own_addresses(string groups, string expected)
    {
        var report = DeliveryReports.Read(Dsn(groups.Split('|'), "<d1@ncp.example>", "d1@ncp.example"));

        var outcome = DeliveryReports.Judge(report!, Ours);

        Assert.Equal(expected, outcome is null ? "-" : $"{outcome.Action} {outcome.Status} {string.Join(",", outcome.Recipients)}");
    }

    [Fact]
    public void A_report_names_our_mail_by_the_returned_headers_and_the_envelope_id_and_keeps_the_servers_words_short()
    {
        var words = "smtp; 550 5.1.1 <a@partner.example> User unknown " + new string('x', 5_000);

        var report = DeliveryReports.Read(Dsn(["failed 5.1.1 a@partner.example"], "<d1@ncp.example>", "env-1@ncp.example", words))!;

        Assert.Equal(["d1@ncp.example"], report.OriginalMessageIds);
        Assert.Equal("env-1@ncp.example", report.EnvelopeId);
        Assert.Equal("dns; mail.partner.example", report.ReportingMta);
        var recipient = Assert.Single(report.Recipients);
        Assert.Equal("dns; mx.partner.example", recipient.RemoteMta);
        Assert.StartsWith("smtp; 550 5.1.1 <a@partner.example> User unknown xxx", recipient.DiagnosticCode, StringComparison.Ordinal);
        Assert.Equal(300, recipient.DiagnosticCode!.Length);
    }

    [Theory]
    [InlineData("multipart/mixed", "message/delivery-status")]
    [InlineData("multipart/report; report-type=disposition-notification", "message/disposition-notification")]
    [InlineData("multipart/report; report-type=delivery-status", "text/plain")]
    public void Mail_that_is_not_a_delivery_report_is_not_read_as_one(string outer, string statusPart)
    {
        var raw = Encoding.ASCII.GetBytes($"""
            From: MAILER-DAEMON@mail.partner.example
            To: ncp@ncp.example
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: {outer}; boundary="b"

            --b
            Content-Type: {statusPart}

            Reporting-MTA: dns; mail.partner.example

            Final-Recipient: rfc822; a@partner.example
            Action: failed
            Status: 5.1.1

            --b--

            """.ReplaceLineEndings("\r\n"));

        Assert.Null(DeliveryReports.Read(MimeMessage.Load(new MemoryStream(raw))));
    }

    /// <summary>A report as Postfix writes one: the notice, the status fields, the returned headers.</summary>
    internal static MimeMessage Dsn(
        IEnumerable<string> groups, string originalMessageId, string? envelopeId, string words = "smtp; 550 5.1.1 User unknown")
    {
        var recipients = string.Concat(groups.Select(g => g.Split(' ')).Select(g => $"""

            Final-Recipient: rfc822; {g[2]}
            Original-Recipient: rfc822;{g[2]}
            Action: {g[0]}
            Status: {g[1]}
            Remote-MTA: dns; mx.partner.example
            Diagnostic-Code: {words}

            """));
        var raw = Encoding.UTF8.GetBytes($"""
            From: Mail Delivery System <MAILER-DAEMON@mail.partner.example>
            To: ncp@ncp.example
            Subject: Undelivered Mail Returned to Sender
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"
            Message-Id: <{Guid.NewGuid():N}@mail.partner.example>

            --b
            Content-Description: Notification
            Content-Type: text/plain; charset=utf-8

            I'm sorry to have to inform you that your message could not be delivered.

            --b
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mail.partner.example{(envelopeId is null ? "" : $"\nOriginal-Envelope-Id: {envelopeId}")}
            Arrival-Date: Sat,  5 Dec 2026 03:36:54 +0000 (UTC)
            {recipients}
            --b
            Content-Description: Undelivered Message Headers
            Content-Type: text/rfc822-headers

            From: NCP <ncp@ncp.example>
            To: a@partner.example
            Subject: [KZ-NCP-2026-000016] Request
            Message-ID: {originalMessageId}

            --b--

            """.ReplaceLineEndings("\r\n"));
        return MimeMessage.Load(new MemoryStream(raw));
    }
}
