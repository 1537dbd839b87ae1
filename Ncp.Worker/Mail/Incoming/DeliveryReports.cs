using MimeKit;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>What a delivery status notification (RFC 3464) says: which mail it is about, and what became of it for whom.</summary>
public sealed record DeliveryReport(
    string[] OriginalMessageIds, string? EnvelopeId, string? ReportingMta, IReadOnlyList<RecipientReport> Recipients);

/// <summary>One recipient's fields of a report.</summary>
public sealed record RecipientReport(
    string? FinalRecipient, string? OriginalRecipient, string Action, string Status, string? DiagnosticCode, string? RemoteMta);

/// <summary>What a report says about one of our dispatches: <c>failed</c> or <c>delayed</c>, for which of its addresses.</summary>
public sealed record DeliveryOutcome(string Action, string[] Recipients, string Status, string? DiagnosticCode, string? RemoteMta);

/// <summary>
/// Reads a mail server's delivery report and judges what it says of our mail. A report is signed by nobody, so it is read
/// warily: only the parts RFC 3464 names, at most <see cref="MaxRecipients"/> recipients, every field cleaned and cut short.
/// </summary>
public static class DeliveryReports
{
    public const int MaxRecipients = 100;

    // The remote server's words, shown on the item as the reason: long enough for a server's sentence, not for a letter.
    private const int MaxWords = 300;

    /// <summary>
    /// The report a <c>multipart/report; report-type=delivery-status</c> carries, or null for any other mail and for one whose
    /// status fields cannot be read (it is then judged like any mail).
    /// </summary>
    public static DeliveryReport? Read(MimeMessage message)
    {
        try
        {
            return TryRead(message);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static DeliveryReport? TryRead(MimeMessage message)
    {
        if (message.Body is not MultipartReport report
            || !string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase)
            || report.OfType<MessageDeliveryStatus>().FirstOrDefault() is not { } status
            || status.StatusGroups.Count < 2)
        {
            return null;
        }

        var perMessage = status.StatusGroups[0];
        var recipients = status.StatusGroups.Skip(1).Take(MaxRecipients)
            .Select(g => new RecipientReport(
                Address(g["Final-Recipient"]), Address(g["Original-Recipient"]), Field(g["Action"])?.ToLowerInvariant() ?? "",
                Field(g["Status"]) ?? "", Words(g["Diagnostic-Code"]), Words(g["Remote-MTA"])))
            .ToArray();
        var original = report.OfType<MessagePart>().Select(p => p.Message?.MessageId).OfType<string>()
            .Select(id => MailText.Header(id.Trim('<', '>'))!).Where(id => id.Length > 0).Take(1).ToArray();
        return new DeliveryReport(original, Field(perMessage["Original-Envelope-Id"]), Words(perMessage["Reporting-MTA"]), recipients);
    }

    /// <summary>
    /// What the report says of the dispatch, or null when it says nothing of it: only the dispatch's own addresses count,
    /// <c>failed</c> with a permanent (5.x.x) status before <c>delayed</c> with any; delivered, relayed or expanded say nothing.
    /// </summary>
    public static DeliveryOutcome? Judge(DeliveryReport report, SentDispatch dispatch)
    {
        var ours = report.Recipients
            .Where(r => dispatch.Recipients.Any(a => Same(a, r.FinalRecipient) || Same(a, r.OriginalRecipient)))
            .ToArray();
        var failed = ours.Where(r => r.Action == "failed" && r.Status.StartsWith("5.", StringComparison.Ordinal)).ToArray();
        var delayed = ours.Where(r => r.Action == "delayed").ToArray();
        var said = failed.Length > 0 ? failed : delayed;
        if (said.Length == 0)
        {
            return null;
        }

        var first = said[0];
        return new DeliveryOutcome(
            failed.Length > 0 ? "failed" : "delayed",
            [.. dispatch.Recipients.Where(a => said.Any(r => Same(a, r.FinalRecipient) || Same(a, r.OriginalRecipient)))],
            first.Status, first.DiagnosticCode, first.RemoteMta);
    }

    private static bool Same(string address, string? reported) => string.Equals(address, reported, StringComparison.OrdinalIgnoreCase);

    // "rfc822; someone@example.org" (RFC 3464 2.3.2): the type is dropped, the address kept.
    private static string? Address(string? field) =>
        Field(field) is { } value && value[(value.IndexOf(';') + 1)..].Trim().Trim('<', '>') is { Length: > 0 } address ? address : null;

    private static string? Field(string? value) => MailText.Header(value?.Trim(), 200) is { Length: > 0 } field ? field : null;

    // Folded lines unfolded to single spaces, as the server wrote its sentence.
    private static string? Words(string? value) =>
        MailText.Header(value is null ? null : string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
            MaxWords)
            is { Length: > 0 } words ? words : null;
}
