using JasperFx.Events;
using Marten.Events.Aggregation;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Api.Cases;

/// <summary>
/// One line of an item's history: what happened, who did it, when, and the particulars; <see cref="Other"/> is the other
/// item a line names (a link, a forward), so that a reader not cleared for that item's channel does not see the line.
/// <see cref="Facts"/>: the particulars by name (<see cref="TimelineFacts"/>), from which a screen writes the line in the
/// officer's language; <see cref="Text"/> is the same in English, for the Api and for lines folded before facts existed.
/// </summary>
public sealed record TimelineEntry(
    long Version, DateTimeOffset At, string What, Actor By, string Text, Guid? Other = null, IReadOnlyDictionary<string, string>? Facts = null);

/// <summary>The whole history of one item, for its detail screen; a separate document so that lists stay small.</summary>
public sealed record ItemTimeline
{
    public Guid Id { get; init; }
    public TimelineEntry[] Entries { get; init; } = [];
}

public sealed class ItemTimelineProjection : SingleStreamProjection<ItemTimeline, Guid>
{
    // Only this aggregate's events: an explicit Evolve would otherwise fold in every stream of the store.
    public ItemTimelineProjection() => this.IncludeTypes(WorkItemEvents.All);

    public override ItemTimeline Evolve(ItemTimeline? snapshot, Guid id, IEvent e)
    {
        var timeline = snapshot ?? new ItemTimeline { Id = id };
        return Describe(e.Data) is { } entry
            ? timeline with { Entries = [.. timeline.Entries, entry(e.Version) with { Facts = TimelineFacts.Of(e.Data) }] }
            : timeline;
    }

    private static Func<long, TimelineEntry>? Describe(object @event) => @event switch
    {
        ItemRegistered e => v => new(v, e.At, "registered", e.By, $"{e.Direction} {e.Kind} {e.RegisterNumber} for {e.Fields.PartnerCode} via {e.Fields.Channel}: {e.Fields.Subject}"),
        ItemDetailsChanged e => v => new(v, e.At, "details-changed", e.By, $"Details changed (partner {e.Fields.PartnerCode}, priority {e.Fields.Priority})"),
        ItemSent e => v => new(v, e.At, "sent", e.By, "Sent to the partner"),
        ItemAcknowledged e => v => new(v, e.At, "acknowledged", e.By, e.PartnerReference is null ? "Acknowledged" : $"Acknowledged, partner reference {e.PartnerReference}"),
        AnswerRecorded e => v => new(v, e.At, "answered", e.By, $"{e.Extent} answer: {e.Summary}"),
        Answering.AnswerOutcomeRecorded e => v => new(v, e.At, "outcome-recorded", e.By, $"Outcome: {OutcomeText(e.Outcome, e.Ground, e.Effect)}"),
        Answering.AnswerOutcomeCorrected e => v => new(v, e.At, "outcome-corrected", e.By,
            $"Outcome corrected{(e.Was is { } was ? $" from {Infrastructure.Http.ApiEnum<Answering.AnswerOutcome>.NameOf(was)}" : "")} to "
            + $"{OutcomeText(e.Outcome, e.Ground, e.Effect)}: {e.Reason}"),
        ItemClosed e => v => new(v, e.At, "closed", e.By, $"Closed: {e.Reason}"),
        ItemWithdrawn e => v => new(v, e.At, "withdrawn", e.By, $"Withdrawn: {e.Reason}"),
        ItemRefused e => v => new(v, e.At, "refused", e.By, $"Refused: {e.Reason}"),
        ItemReopened e => v => new(v, e.At, "reopened", e.By, $"Reopened ({e.ReturnedTo}): {e.Reason}"),
        OfficerAssigned e => v => new(v, e.At, "assigned", e.By, $"Assigned to {e.Officer.Name}"),
        NoteAdded e => v => new(v, e.At, "note", e.By, e.Text),
        ItemLinked e => v => new(v, e.At, "linked", e.By, $"Linked to {e.TargetRegisterNumber} ({e.Type}){Shared(e.SharedKeys)}",
            e.TargetId),
        ItemLinkedFrom e => v => new(v, e.At, "linked-from", e.By,
            $"Linked from {e.SourceRegisterNumber} ({e.Type}){Shared(e.SharedKeys)}", e.SourceId),
        ItemGrouped e => v => new(v, e.At, "grouped", e.By,
            $"Registered in group {e.GroupId}: the same to several partners, each its own item"
            + (e.ConsentReference is null ? "" : $", with the originator's consent ({e.ConsentReference})")),
        AttachmentAdded e => v => new(v, e.At, "attachment", e.By, $"Attached {e.FileName} ({e.Size} bytes, SHA-256 {e.Sha256})"),
        DisseminationRefused e => v => new(v, e.At, "dissemination-refused", e.By,
            $"Refused to {e.Attempt} into {e.TargetChannel} ({e.TargetPartnerCode}): handling code {e.HandlingCode}"),
        ItemForwarded e => v => new(v, e.At, "forwarded", e.By,
            $"Forwarded as {e.ToRegisterNumber} via {e.ToChannel} to {e.ToPartnerCode}"
                + (e.ConsentReference is null ? "" : $" with the originator's consent ({e.ConsentReference})"),
            e.ToItemId),
        DeadlinesSet e => v => new(v, e.At, "deadlines-set", System, $"Policy {e.Deadlines.Policy}: acknowledge by {e.Deadlines.AcknowledgeBy:u}, reply by {e.Deadlines.ReplyBy:u}"
            + (e.Deadlines.UsefulUntil is { } useful ? $", useful until {useful:u}" : "")),
        DeadlineEscalated e => v => new(v, e.At, "escalated", System, $"{e.Step} reached: tell {string.Join(", ", e.Notify)}"
            + (e.RemindPartner ? "; remind the partner" : "") + (e.Suggest == Deadlines.SuggestedAction.None ? "" : $"; consider: {e.Suggest}")),
        DeadlineExtended e => v => new(v, e.At, "deadline-extended", e.By, $"{e.Deadline} moved to {e.Until:u}: {e.Reason}"),
        DeadlinesPaused e => v => new(v, e.At, "deadlines-paused", e.By, $"Deadlines paused: {e.Reason}"),
        DeadlinesResumed e => v => new(v, e.At, "deadlines-resumed", e.By, $"Deadlines resumed after {e.PausedFor:g}; reply by {e.Deadlines.ReplyBy:u}"),
        MailDispatched e => v => new(v, e.At, "mail-sent", System, $"Mail sent to the partner ({e.Purpose}, {e.Protection}), Message-ID {e.MessageId}"),
        MailNotDelivered e => v => new(v, e.At, "mail-not-delivered", System, $"Mail NOT delivered ({e.Purpose}) after {e.Attempts} attempt(s): {e.Reason}: {e.Detail}"),
        MailReceived e => v => new(v, e.At, "mail-received", new Actor(e.PartnerCode, e.From),
            (e.SenderProven() ? "" : $"Sender not proven (nothing but the address says it is {e.PartnerCode}). ")
            + $"Mail from {e.From} ({e.Protection}, signature {e.Signature}"
            + $"{(e.ReleasedBy is null ? "" : $", released from quarantine by {e.ReleasedBy}")}): {e.Subject}"
            + string.Concat((e.Warnings ?? []).Select(w => $" — {w}"))
            + (e.Marking is { } marking ? $" — marked {marking.Label} ({marking.Found})" : "")),
        MailBounced e => v => new(v, e.At, e.Action == "failed" ? "mail-bounced" : "mail-delayed", System,
            $"Mail {e.MessageId} ({e.Purpose}) " + (e.Action == "failed" ? "returned by the mail server" : "delayed")
            + $": {e.Reason()}" + FallbackText(e.Fallback)),
        HandlingCodeRaised e => v => new(v, e.At, "handling-code-raised", e.By,
            $"Handling code raised from {e.From} to {e.To}: {e.Reason}"),
        ForeignItemQuoted e => v => new(v, e.At, "foreign-item-quoted", new Actor(e.PartnerCode, e.PartnerCode),
            $"Mail {e.MessageId} from {e.PartnerCode} quoted {string.Join(", ", e.RegisterNumbers)}, "
            + $"not an item of {e.PartnerCode} in a channel it uses: not filed there"),
        EscalationAcknowledged e => v => new(v, e.At, "escalation-acknowledged", e.By, $"{e.Step} acknowledged"),
        DeadlineRungsCancelled e => v => new(v, e.At, "rungs-cancelled", System, $"{e.Status}: {string.Join(", ", e.Steps)} will not fire"),
        ContactLogged e => v => new(v, e.At, "contact", e.By, ContactText(e)),
        PartnerReminded e => v => new(v, e.At, "partner-reminded", e.By, e.Reason is null ? "Reminder to the partner asked for" : $"Reminder to the partner asked for: {e.Reason}"),
        Chaining.PreservationConfirmed e => v => new(v, e.At, "preservation-confirmed", e.By,
            $"The partner preserves the data until {e.PreservedUntil:u}"),
        Chaining.PreservationExtensionRequested e => v => new(v, e.At, "preservation-extension-requested", e.By,
            $"Asked the partner to preserve {e.Days} more days beyond {e.PreservedUntil:u}"),
        _ => null,
    };

    private static readonly Actor System = new("system", "Ncp");

    private static string FallbackText(MailFallback? fallback) =>
        fallback is null ? ""
            : "; try " + string.Join(" or ", fallback.OtherAddresses.Select(a => $"the address {a}")
                .Concat(fallback.FallbackChannel is { } channel ? [$"the fallback channel {channel}"] : [])
                .Concat(fallback.OtherChannels.Select(c => $"the {c} channel"))
                .DefaultIfEmpty("the phone or another channel: the directory names no other address or channel"));
    private static string OutcomeText(Answering.AnswerOutcome outcome, string? ground, Answering.CaseEffect? effect) =>
        Infrastructure.Http.ApiEnum<Answering.AnswerOutcome>.NameOf(outcome) + (ground is null ? "" : $" ({ground})")
        + (effect is { } e ? $", for the case: {Infrastructure.Http.ApiEnum<Answering.CaseEffect>.NameOf(e)}" : "");
    private static string Shared(string[]? keys) => keys is { Length: > 0 } ? $": shares {string.Join(", ", keys)}" : "";
    private static string ContactText(ContactLogged e) =>
        $"{Infrastructure.Http.ApiEnum<Contacting.ContactMeans>.NameOf(e.Means)} {(e.Direction == Direction.Incoming ? "from" : "to")} "
        + $"{e.With}, {e.HappenedAt:u}: {e.Summary}"
        + (e.Files.Length == 0 ? "" : $" (files: {string.Join(", ", e.Files.Select(f => $"{f.FileName} SHA-256 {f.Sha256}"))})")
        + (e.CountsAs is { } counts ? $"; counts as {Infrastructure.Http.ApiEnum<Contacting.ContactCountsAs>.NameOf(counts)}" : "");
}
