namespace Ncp.Api.Cases;

public sealed record RegisterItem(
    Guid ItemId, string RegisterNumber, WorkItemKind Kind, Direction Direction, ItemFields Fields, Actor By,
        Deadlines.ItemDeadlines? Deadlines = null,
    ItemGroup? Group = null);

/// <summary>The group an item is registered in: its id, the other items of it, and the originator's consent if one was needed.</summary>
public sealed record ItemGroup(Guid GroupId, ItemLink[] Siblings, string? ConsentReference);

public sealed record ChangeItemDetails(ItemFields Fields, Actor By);

public sealed record SendItem(Actor By, Deadlines.ItemDeadlines? Deadlines = null);

/// <summary>The acknowledgement; of a preservation, with the partner's date (<see cref="Chaining.PreservationTerms"/>).</summary>
public sealed record AcknowledgeItem(string? PartnerReference, Actor By, Chaining.PreservationTerms? Preservation = null);

/// <summary>An answer; <see cref="Outcome"/>, what it brought (null from clients older than outcomes).</summary>
public sealed record RecordAnswer(AnswerExtent Extent, string Summary, Actor By, Answering.Outcome? Outcome = null);

public sealed record CloseItem(string Reason, Actor By);

public sealed record WithdrawItem(string Reason, Actor By);

public sealed record RefuseItem(string Reason, Actor By);

/// <summary>Reopens an ended item; <see cref="Deadlines"/>, planned at the reopening, start its clock again.</summary>
public sealed record ReopenItem(string Reason, Actor By, Deadlines.ItemDeadlines? Deadlines = null);

public sealed record AssignOfficer(Actor Officer, Actor By);

public sealed record AddNote(string Text, Actor By);

public sealed record LinkItem(Guid TargetId, string TargetRegisterNumber, Channel TargetChannel, string TargetPartnerCode, LinkType Type, Actor By);

/// <summary>Records on the target the link another item made to it; once per source and type.</summary>
public sealed record RecordLinkFrom(Guid SourceId, string SourceRegisterNumber, LinkType Type, Actor By, string[]? SharedKeys = null);

/// <summary>An open item sharing identifier keys with this one, as the store found it; its handling code decides whether it may be
/// linked.</summary>
public sealed record IdentifierMatch(Guid ItemId, string RegisterNumber, Channel Channel, string PartnerCode, HandlingCode HandlingCode,
    string[] SharedKeys);

/// <summary>Ncp found open items sharing identifiers with this one (on registration or a change of its details): link them.</summary>
public sealed record RecordSameIdentifiers(IdentifierMatch[] Matches);

public sealed record AddAttachment(string Sha256, string FileName, string ContentType, long Size, Actor By);

public sealed record RecordForwarding(Guid ToItemId, string ToRegisterNumber, Channel ToChannel, string ToPartnerCode, string? ConsentReference, Actor By);

/// <summary>Asks whether a forward may happen; decides no event, or records the refusal.</summary>
public sealed record CheckForwarding(Channel ToChannel, string ToPartnerCode, bool Consent, Actor By);

/// <summary>The Worker's clock reached a rung of the ladder; recorded once, and not at all once the item has ended.</summary>
public sealed record RecordEscalation(string Step, DateTimeOffset DueAt);

public sealed record ExtendDeadline(Deadlines.Anchor Deadline, DateTimeOffset Until, string Reason, Deadlines.ItemDeadlines Deadlines, Actor By);

public sealed record PauseDeadlines(string Reason, Actor By);

public sealed record ResumeDeadlines(Deadlines.ItemDeadlines Deadlines, Actor By);

public sealed record AcknowledgeEscalation(string Step, Actor By);

public sealed record RemindPartner(string? Reason, Actor By);

/// <summary>Logs a contact with the partner outside Ncp's mail; it may count as the acknowledgement or an answer.</summary>
public sealed record LogContact(
    Guid ContactId, Contacting.ContactMeans Means, Direction Direction, DateTimeOffset HappenedAt, string With, string Summary,
    Contacting.ContactFile[] Files, Contacting.ContactCountsAs? CountsAs, string? PartnerReference, Actor By);

/// <summary>The gateway reports our mail sent; recorded once per dispatch.</summary>
public sealed record RecordMailDispatched(Guid DispatchId, string Purpose, string MessageId, string Protection, DateTimeOffset SentAt);

/// <summary>The gateway reports our mail not delivered; recorded once per dispatch.</summary>
public sealed record RecordMailNotDelivered(Guid DispatchId, string Purpose, string Reason, string Detail, int Attempts);

/// <summary>
/// The gateway hands over a partner's mail about the item; recorded once per inbound mail, with the register numbers of
/// other partners' items it quoted (<see cref="ForeignItemQuoted"/>), if any.
/// </summary>
public sealed record RecordMailReceived(MailReceived Mail, string[]? ForeignQuoted = null);

/// <summary>A mail server reports our mail failed or delayed; recorded once per report (the inbound mail's id).</summary>
public sealed record RecordMailBounced(MailBounced Report);
