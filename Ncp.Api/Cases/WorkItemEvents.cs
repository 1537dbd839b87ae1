namespace Ncp.Api.Cases;

// Events of a work item stream as stored in the event log: past tense, with who and when. They stay inside the Api;
// the Worker sees only the integration events of Ncp.Contracts, mapped in Infrastructure/Messaging.

public sealed record ItemRegistered(Guid ItemId, string RegisterNumber, WorkItemKind Kind, Direction Direction, ItemFields Fields, Actor By, DateTimeOffset At);

public sealed record ItemDetailsChanged(Guid ItemId, ItemFields Fields, Actor By, DateTimeOffset At);

public sealed record ItemSent(Guid ItemId, Actor By, DateTimeOffset At);

/// <summary>
/// Outgoing: the partner confirmed receipt. Incoming: we confirmed receipt to the partner. <see cref="ContactId"/>: it was
/// done in that logged contact (a call, a fax), so no mail says it again.
/// </summary>
public sealed record ItemAcknowledged(Guid ItemId, string? PartnerReference, Actor By, DateTimeOffset At, Guid? ContactId = null);

/// <summary>Outgoing: the partner's answer arrived. Incoming: we answered. <see cref="ContactId"/>: given in that logged contact.</summary>
public sealed record AnswerRecorded(Guid ItemId, AnswerExtent Extent, string Summary, Actor By, DateTimeOffset At, Guid? ContactId = null);

public sealed record ItemClosed(Guid ItemId, string Reason, Actor By, DateTimeOffset At);

/// <summary>Outgoing: we withdrew it. Incoming: the partner withdrew it.</summary>
public sealed record ItemWithdrawn(Guid ItemId, string Reason, Actor By, DateTimeOffset At);

/// <summary>Outgoing: the partner refused it. Incoming: we refused it.</summary>
public sealed record ItemRefused(Guid ItemId, string Reason, Actor By, DateTimeOffset At);

public sealed record ItemReopened(Guid ItemId, string Reason, WorkItemStatus ReturnedTo, Actor By, DateTimeOffset At);

public sealed record OfficerAssigned(Guid ItemId, Actor Officer, Actor By, DateTimeOffset At);

public sealed record NoteAdded(Guid ItemId, string Text, Actor By, DateTimeOffset At);

/// <summary>The item was linked to another; <see cref="SharedKeys"/> are the identifier keys of a <see cref="LinkType.SameIdentifiers"/>
/// link.</summary>
public sealed record ItemLinked(
    Guid ItemId, Guid TargetId, string TargetRegisterNumber, LinkType Type, Actor By, DateTimeOffset At, string[]? SharedKeys = null);

/// <summary>
/// Another item linked itself to this one (its own stream has the <see cref="ItemLinked"/>): recorded here too so that each
/// item shows its links from both ends; <see cref="SharedKeys"/> are the identifier keys of a <see cref="LinkType.SameIdentifiers"/> link.
/// </summary>
public sealed record ItemLinkedFrom(
    Guid ItemId, Guid SourceId, string SourceRegisterNumber, LinkType Type, Actor By, DateTimeOffset At, string[]? SharedKeys = null);

/// <summary>
/// The item was registered as one of a group: the same message or request to several partners, each its own item and mail,
/// linked <see cref="LinkType.SameGroup"/>; <see cref="ConsentReference"/> names the originator's consent where the handling
/// code needed it.
/// </summary>
public sealed record ItemGrouped(Guid ItemId, Guid GroupId, string? ConsentReference, Actor By, DateTimeOffset At);

public sealed record AttachmentAdded(Guid ItemId, string Sha256, string FileName, string ContentType, long Size, Actor By, DateTimeOffset At);

/// <summary>Forwarding this item's information, or linking it, into a channel its handling code forbids was refused.</summary>
public sealed record DisseminationRefused(Guid ItemId, HandlingCode HandlingCode, Channel TargetChannel, string TargetPartnerCode, string Attempt, Actor By, DateTimeOffset At);

/// <summary>The item's information was passed to another channel or partner, with the originator's consent where its code asks for it.</summary>
public sealed record ItemForwarded(Guid ItemId, Guid ToItemId, string ToRegisterNumber, Channel ToChannel, string ToPartnerCode, string? ConsentReference, Actor By, DateTimeOffset At);

/// <summary>The item's clock started: its three deadlines and the ladder of escalations computed from its policy.</summary>
public sealed record DeadlinesSet(Guid ItemId, Deadlines.ItemDeadlines Deadlines, DateTimeOffset At);

/// <summary>A rung of the ladder was reached: who must be told, whether to remind the partner, and what to consider doing.</summary>
public sealed record DeadlineEscalated(
    Guid ItemId, string Step, DateTimeOffset DueAt, Deadlines.Recipient[] Notify, bool RemindPartner, Deadlines.SuggestedAction Suggest, DateTimeOffset At);

/// <summary>An officer moved a deadline later; the rungs not yet reached move with it.</summary>
public sealed record DeadlineExtended(
    Guid ItemId, Deadlines.Anchor Deadline, DateTimeOffset Until, string Reason, Deadlines.ItemDeadlines Deadlines, Deadlines.ScheduledStep[] Rescheduled,
    Actor By, DateTimeOffset At);

/// <summary>The clock stops (e.g. waiting on a national authority); no rung fires until it resumes.</summary>
public sealed record DeadlinesPaused(Guid ItemId, string Reason, Actor By, DateTimeOffset At);

/// <summary>The clock runs again; deadlines and rungs not yet reached move by the time it stood still (useful-until does not: data keeps expiring).</summary>
public sealed record DeadlinesResumed(Guid ItemId, TimeSpan PausedFor, Deadlines.ItemDeadlines Deadlines, Deadlines.ScheduledStep[] Rescheduled, Actor By, DateTimeOffset At);

/// <summary>Someone told by an escalation says they have it in hand.</summary>
public sealed record EscalationAcknowledged(Guid ItemId, string Step, Actor By, DateTimeOffset At);

/// <summary>An officer had the partner reminded now, between the rungs of the ladder; the reason stays with us, not in the mail.</summary>
public sealed record PartnerReminded(Guid ItemId, string? Reason, Actor By, DateTimeOffset At);

/// <summary>The mail gateway handed our mail about the item to the mail server (a request, reminder, acknowledgement or reply).</summary>
public sealed record MailDispatched(Guid ItemId, Guid DispatchId, string Purpose, string MessageId, string Protection, DateTimeOffset SentAt, DateTimeOffset At);

/// <summary>The mail gateway gave up on our mail about the item; an officer must act (another channel, a new key, a call).</summary>
public sealed record MailNotDelivered(Guid ItemId, Guid DispatchId, string Purpose, string Reason, string Detail, int Attempts, DateTimeOffset At);

/// <summary>A file that came with a partner's mail, stored once by SHA-256 like any attachment.</summary>
public sealed record MailAttachmentRef(string Sha256, string FileName, string ContentType, long Size);

/// <summary>
/// A partner's mail about the item arrived, was decrypted and its signature checked (or an officer released it). Subject,
/// From and Message-ID are the protected ones where the partner protected its headers; <see cref="Warnings"/> names what
/// the officer should know though the mail was not held (outer headers that differ, an old signing time).
/// </summary>
public sealed record MailReceived(
    Guid ItemId, Guid InboundId, string MessageId, string PartnerCode, string From, string Subject, string Text, string? Html, string Protection,
    string Signature, string? SignedBy, MailAttachmentRef[] Attachments, string? ReleasedBy, DateTimeOffset ReceivedAt, DateTimeOffset At,
    string[]? Warnings = null, PartnerMarking? Marking = null, Corresponding.GatewayWarning[]? CodedWarnings = null)
{
    /// <summary>
    /// Whether a valid signature by a key of the partner shows the mail is theirs; unsigned mail from a partner allowed
    /// plaintext, or mail an officer released despite a fault, is only as good as its From line.
    /// </summary>
    public bool SenderProven() => Signature == "valid";
}

/// <summary>
/// A partner's mail filed with (or opening) this item also quoted items of ours that are not this partner's in a channel it
/// uses, by their register number or by the Message-ID of our mail to someone else; it was not filed with those.
/// </summary>
public sealed record ForeignItemQuoted(
    Guid ItemId, Guid InboundId, string MessageId, string PartnerCode, string[] RegisterNumbers, DateTimeOffset At);

/// <summary>A partner's handling marking found in its mail, and the code it asks for.</summary>
/// <param name="Label">
/// The marking, e.g. <c>TLP:AMBER+STRICT</c> or <c>not-for-dissemination</c> (names: <c>Ncp.Conventions.MailMarkings</c>).
/// </param>
/// <param name="Found">Where and as what the gateway found it, e.g. <c>subject: "TLP:AMBER"</c>.</param>
public sealed record PartnerMarking(string Label, HandlingCode Code, string Found);

/// <summary>
/// A partner's mail filed with the item carried a marking stricter than the item's handling code, which was raised to it;
/// a marking never lowers a code (only an officer changes it back, by changing the item's details).
/// </summary>
public sealed record HandlingCodeRaised(
    Guid ItemId, HandlingCode From, HandlingCode To, string Marking, string Reason, Guid InboundId, Actor By, DateTimeOffset At);

/// <summary>Where else the partner can be reached when our mail to it bounced: from its directory profile.</summary>
public sealed record MailFallback(string[] OtherAddresses, Channel? FallbackChannel, Channel[] OtherChannels);

/// <summary>
/// A mail server reported (RFC 3464) that our mail about the item failed (<c>failed</c>: it will not arrive) or is late
/// (<c>delayed</c>) for some of its addresses. Such a report is signed by nobody: it marks only the delivery of that dispatch,
/// with the server's status and words; <see cref="Fallback"/> is what the directory offers instead.
/// </summary>
public sealed record MailBounced(
    Guid ItemId, Guid InboundId, Guid DispatchId, string Purpose, string MessageId, string Action, string[] Recipients,
    string[] AllRecipients,
    string Status, string? DiagnosticCode, string? RemoteMta, MailFallback? Fallback, DateTimeOffset ReceivedAt, DateTimeOffset At)
{
    /// <summary>The server's reason in one line, as shown on the mail.</summary>
    public string Reason() =>
        $"{Status} {DiagnosticCode ?? "(no words from the server)"}" + (RemoteMta is null ? "" : $" ({RemoteMta})")
        + $" for {string.Join(", ", Recipients)}";
}
/// <summary>
/// Rungs of the ladder that waited for what just happened (receipt confirmed, the answer in) will not fire: the item's
/// <see cref="Status"/> no longer needs them.
/// </summary>
public sealed record DeadlineRungsCancelled(Guid ItemId, string[] Steps, WorkItemStatus Status, DateTimeOffset At);

/// <summary>
/// An officer logged a contact with the partner outside Ncp's mail (a call, a fax, an I-24/7 message, a meeting): which way,
/// when it happened, with whom, what was said, the item's files that went with it, and what it counts as for the status
/// (the acknowledgement or answer events follow it).
/// </summary>
public sealed record ContactLogged(
    Guid ItemId, Guid ContactId, Contacting.ContactMeans Means, Direction Direction, DateTimeOffset HappenedAt, string With, string Summary,
    Contacting.ContactFile[] Files, Contacting.ContactCountsAs? CountsAs, Actor By, DateTimeOffset At);

public static class WorkItemEvents
{
    /// <summary>Every event of a work item stream; projections of items subscribe to exactly these.</summary>
    public static readonly Type[] All =
    [
        typeof(ItemRegistered), typeof(ItemDetailsChanged), typeof(ItemSent), typeof(ItemAcknowledged), typeof(AnswerRecorded),
        typeof(ItemClosed), typeof(ItemWithdrawn), typeof(ItemRefused), typeof(ItemReopened), typeof(OfficerAssigned), typeof(NoteAdded),
        typeof(ItemLinked), typeof(AttachmentAdded), typeof(DisseminationRefused), typeof(ItemForwarded), typeof(DeadlinesSet), typeof(DeadlineEscalated),
        typeof(DeadlineExtended), typeof(DeadlinesPaused), typeof(DeadlinesResumed), typeof(EscalationAcknowledged), typeof(MailDispatched),
        typeof(MailNotDelivered), typeof(MailReceived), typeof(PartnerReminded), typeof(ForeignItemQuoted),
        typeof(MailBounced), typeof(HandlingCodeRaised),
        typeof(ItemLinkedFrom), typeof(ItemGrouped),
        typeof(Chaining.PreservationConfirmed), typeof(Chaining.PreservationExtensionRequested),
        typeof(DeadlineRungsCancelled), typeof(ContactLogged),
        typeof(Answering.AnswerOutcomeRecorded), typeof(Answering.AnswerOutcomeCorrected),
    ];
}
