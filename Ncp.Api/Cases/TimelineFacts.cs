using System.Globalization;
using Ncp.Api.Cases.Chaining;

namespace Ncp.Api.Cases;

/// <summary>
/// The particulars of a timeline line as named values, so that a screen writes the sentence in the officer's language
/// (the line's <see cref="TimelineEntry.Text"/> stays English, for the Api and old clients). Values are codes, not words:
/// enum members by name, instants in round-trip form under keys ending in At, By or Until, lists one value a line,
/// flags present only when true. <c>variant</c> picks another sentence for the same kind (a contact to or from the partner).
/// </summary>
public static class TimelineFacts
{
    /// <summary>The separator of a list's values.</summary>
    public const char ListSeparator = '\n';

    public static IReadOnlyDictionary<string, string>? Of(object @event) => @event switch
    {
        ItemRegistered e => Facts(("number", e.RegisterNumber), ("kind", e.Kind), ("direction", e.Direction),
            ("partner", e.Fields.PartnerCode), ("channel", e.Fields.Channel), ("subject", e.Fields.Subject)),
        ItemDetailsChanged e => Facts(("partner", e.Fields.PartnerCode), ("priority", e.Fields.Priority)),
        ItemSent => Facts(),
        ItemAcknowledged e => Facts(("reference", e.PartnerReference)),
        AnswerRecorded e => Facts(("extent", e.Extent), ("summary", e.Summary)),
        Answering.AnswerOutcomeRecorded e => Facts(("outcome", e.Outcome), ("ground", e.Ground), ("effect", e.Effect)),
        Answering.AnswerOutcomeCorrected e => Facts(("outcome", e.Outcome), ("ground", e.Ground), ("effect", e.Effect), ("was", e.Was),
            ("reason", e.Reason)),
        ItemClosed e => Facts(("reason", e.Reason)),
        ItemWithdrawn e => Facts(("reason", e.Reason)),
        ItemRefused e => Facts(("reason", e.Reason)),
        ItemReopened e => Facts(("status", e.ReturnedTo), ("reason", e.Reason)),
        OfficerAssigned e => Facts(("officer", e.Officer.Name)),
        NoteAdded e => Facts(("text", e.Text)),
        ItemLinked e => Facts(("number", e.TargetRegisterNumber), ("linkType", e.Type), ("shared", e.SharedKeys)),
        ItemLinkedFrom e => Facts(("number", e.SourceRegisterNumber), ("linkType", e.Type), ("shared", e.SharedKeys)),
        ItemGrouped e => Facts(("consent", e.ConsentReference)),
        AttachmentAdded e => Facts(("file", e.FileName), ("size", e.Size), ("sha256", e.Sha256)),
        DisseminationRefused e => Facts(("attempt", e.Attempt), ("channel", e.TargetChannel), ("partner", e.TargetPartnerCode),
            ("handlingCode", e.HandlingCode)),
        ItemForwarded e => Facts(("number", e.ToRegisterNumber), ("channel", e.ToChannel), ("partner", e.ToPartnerCode),
            ("consent", e.ConsentReference)),
        DeadlinesSet e => Facts(("policy", e.Deadlines.Policy), ("acknowledgeBy", e.Deadlines.AcknowledgeBy),
            ("replyBy", e.Deadlines.ReplyBy), ("usefulUntil", e.Deadlines.UsefulUntil)),
        DeadlineEscalated e => Facts(("step", e.Step), ("notify", e.Notify), ("remindPartner", e.RemindPartner),
            ("suggest", e.Suggest == Deadlines.SuggestedAction.None ? null : e.Suggest)),
        DeadlineExtended e => Facts(("deadline", e.Deadline), ("until", e.Until), ("reason", e.Reason)),
        DeadlinesPaused e => Facts(("reason", e.Reason)),
        DeadlinesResumed e => Facts(("pausedFor", e.PausedFor), ("replyBy", e.Deadlines.ReplyBy)),
        MailDispatched e => Facts(("purpose", e.Purpose), ("protection", e.Protection)),
        // The reason is a code; the gateway's detail (a library's words) stays in the line's text for administrators.
        MailNotDelivered e => Facts(("purpose", e.Purpose), ("attempts", e.Attempts), ("failure", e.Reason)),
        MailReceived e => Facts(("from", e.From), ("protection", e.Protection), ("signature", e.Signature), ("subject", e.Subject),
            ("unproven", !e.SenderProven() ? e.PartnerCode : null), ("releasedBy", e.ReleasedBy),
            ("warnings", e.Warnings is { Length: > 0 } w ? w.Length : null), ("marking", e.Marking?.Label),
            ("handlingCode", e.Marking?.Code)),
        MailBounced e => Facts(("purpose", e.Purpose), ("recipients", e.Recipients), ("otherAddresses", e.Fallback?.OtherAddresses),
            ("fallbackChannel", e.Fallback?.FallbackChannel), ("otherChannels", e.Fallback?.OtherChannels),
            ("noFallback", e.Fallback is { OtherAddresses: [], FallbackChannel: null, OtherChannels: [] })),
        HandlingCodeRaised e => Facts(("fromCode", e.From), ("toCode", e.To), ("reason", e.Reason)),
        ForeignItemQuoted e => Facts(("partner", e.PartnerCode), ("numbers", e.RegisterNumbers)),
        EscalationAcknowledged e => Facts(("step", e.Step)),
        DeadlineRungsCancelled e => Facts(("status", e.Status), ("steps", e.Steps)),
        ContactLogged e => Facts(("variant", e.Direction == Direction.Incoming ? "in" : "out"), ("means", e.Means), ("with", e.With),
            ("happenedAt", e.HappenedAt), ("summary", e.Summary), ("files", e.Files.Select(f => f.FileName).ToArray()),
            ("countsAs", e.CountsAs)),
        PartnerReminded e => Facts(("reason", e.Reason)),
        PreservationConfirmed e => Facts(("preservedUntil", e.PreservedUntil)),
        PreservationExtensionRequested e => Facts(("days", e.Days), ("preservedUntil", e.PreservedUntil)),
        _ => null,
    };

    private static Dictionary<string, string> Facts(params (string Key, object? Value)[] facts)
    {
        var named = new Dictionary<string, string>();
        foreach (var (key, value) in facts)
        {
            if (Code(value) is { } code)
            {
                named[key] = code;
            }
        }

        return named;
    }

    private static string? Code(object? value) => value switch
    {
        null or false => null,
        true => "yes",
        DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        string text => text,
        System.Collections.IEnumerable list => list.Cast<object>().Select(Code).OfType<string>().ToArray() is { Length: > 0 } items
            ? string.Join(ListSeparator, items)
            : null,
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
