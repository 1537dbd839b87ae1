using System.Text.RegularExpressions;
using MimeKit;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// Where a partner's mail belongs, as far as the gateway can tell: the item of that partner it answers, the items whose mail
/// to other partners it names (never its thread), and the register numbers it quotes.
/// </summary>
public sealed record MailThread(Guid? ItemId, Guid[] ForeignItemIds, string[] RegisterNumbers);

/// <summary>
/// The one place that reads which of our items a partner's mail answers: the item whose mail to that same partner it names
/// in In-Reply-To or References (our Message-IDs, from the dispatch ledger), and the register numbers in its subject and
/// text, for the Api to file it by when no Message-ID matches. A Message-ID is no secret once mail is forwarded or leaked:
/// naming our mail to another partner threads nothing, and is passed on for the Api to record.
/// </summary>
public sealed partial class MailThreading(DispatchLedger ledger)
{
    private const int MaxReferences = 100;

    public async Task<MailThread> ThreadOfAsync(MimeMessage message, string partnerCode, string subject, string text, CancellationToken ct)
    {
        var ids = message.References.Append(message.InReplyTo).OfType<string>()
            .Select(id => MailText.Header(id.Trim('<', '>'))!).Take(MaxReferences).ToArray();
        var answered = await ledger.ItemsForMessageIdsAsync(ids, ct);
        var own = answered.Where(a => a.PartnerCode == partnerCode).Select(a => (Guid?)a.ItemId).FirstOrDefault();
        return new MailThread(
            own,
            [.. answered.Where(a => a.PartnerCode != partnerCode && a.ItemId != own).Select(a => a.ItemId).Distinct()],
            [.. RegisterNumber().Matches(subject + "\n" + text).Select(m => m.Value.ToUpperInvariant()).Distinct()]);
    }

    [GeneratedRegex(@"\b[A-Z]{2}-NCP-\d{4}-\d{6}\b", RegexOptions.IgnoreCase)]
    private static partial Regex RegisterNumber();
}
