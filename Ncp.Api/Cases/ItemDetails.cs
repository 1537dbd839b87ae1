using JasperFx.Events;
using Marten.Events.Aggregation;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Api.Cases;

/// <summary>
/// A link between this item and another; <see cref="PointsHere"/> when the other item made it (shown from both ends),
/// <see cref="SharedKeys"/> the identifier keys both items have for a <see cref="LinkType.SameIdentifiers"/> link.
/// </summary>
public sealed record ItemLink(Guid TargetId, string TargetRegisterNumber, LinkType Type, bool PointsHere = false,
    string[]? SharedKeys = null);

/// <summary>
/// One mail of the item's thread, ours or the partner's; <see cref="SenderProven"/> false for a partner's mail that no valid
/// signature of theirs proves.
/// </summary>
public sealed record ItemMail(
    string Direction, Guid Id, string Purpose, string MessageId, string Status, string Protection, string? Detail, DateTimeOffset At,
    bool SenderProven = true, string[]? Undelivered = null);

public sealed record ItemAttachment(string Sha256, string FileName, string ContentType, long Size, DateTimeOffset AddedAt);

/// <summary>A partner's mail that came while we waited for their acknowledgement: probably it, to be accepted in one click.</summary>
public sealed record AcknowledgementProposal(Guid InboundId, string From, string Subject, DateTimeOffset ReceivedAt);

/// <summary>
/// One item as lists and the item screen show it, kept by an inline projection so it is current when a command returns.
/// Its columns (see MartenSetup) serve the list filters; its timeline is a separate document, <see cref="ItemTimeline"/>.
/// </summary>
public sealed record ItemDetails
{
    public Guid Id { get; init; }
    public string RegisterNumber { get; init; } = "";
    public WorkItemKind Kind { get; init; }
    public Direction Direction { get; init; }
    public WorkItemStatus Status { get; init; }
    public string PartnerCode { get; init; } = "";
    public string Country { get; init; } = "";
    public Channel Channel { get; init; }
    public string Subject { get; init; } = "";
    public CrimeCategory CrimeCategory { get; init; }
    public Priority Priority { get; init; }
    public string? CriminalCaseNumber { get; init; }

    /// <summary>What the officer names as the legal basis (convention, agreement, national law); null: the channel's default.</summary>
    public string? LegalBasis { get; init; }

    public RequestedData[] RequestedData { get; init; } = [];
    public DataPeriod? DataPeriod { get; init; }
    public string Language { get; init; } = "";
    public HandlingCode HandlingCode { get; init; }
    public string? PartnerReference { get; init; }
    public DateTimeOffset? DueBy { get; init; }
    public Actor? AssignedTo { get; init; }
    public string? AssignedToId { get; init; }
    public Actor RegisteredBy { get; init; } = new("", "");
    public DateTimeOffset RegisteredAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public DateTimeOffset? FirstAnswerAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }
    public bool IsOpen { get; init; }
    public ItemLink[] Links { get; init; } = [];

    /// <summary>The group the item was registered in (one message to several partners); its siblings are among the links.</summary>
    public Guid? GroupId { get; init; }
    public ItemAttachment[] Attachments { get; init; } = [];
    public int NoteCount { get; init; }
    public Deadlines.ItemDeadlines? Deadlines { get; init; }
    public string[] Escalations { get; init; } = [];
    public string[] AcknowledgedEscalations { get; init; } = [];
    public DateTimeOffset? DeadlinesPausedAt { get; init; }

    /// <summary>When the partner was last reminded (by an officer or a rung); the next reminder waits its interval.</summary>
    public DateTimeOffset? LastRemindedAt { get; init; }

    /// <summary>Open with an escalation rung nobody acknowledged yet: the dashboard's column, kept rather than computed per query.</summary>
    public bool AwaitsAcknowledgement { get; init; }

    /// <summary>When the partner's latest mail was filed with the item.</summary>
    public DateTimeOffset? LastMailInAt { get; init; }

    /// <summary>The mail thread with the partner, oldest first.</summary>
    public ItemMail[] Mail { get; init; } = [];

    /// <summary>
    /// Set while a sent item awaits the partner's acknowledgement and a mail of theirs came: the officer may accept it as such.
    /// </summary>
    public AcknowledgementProposal? AcknowledgementProposed { get; init; }

    /// <summary><c>not-delivered</c> while the last mail we asked for could not be delivered; otherwise null.</summary>
    public string? Delivery { get; init; }

    /// <summary>A mail server's word that our latest mail is late, or failed for some of its addresses only; null otherwise.</summary>
    public string? DeliveryWarning { get; init; }

    /// <summary>Where else to reach the partner, once a mail server returned our mail; null otherwise.</summary>
    public MailFallback? DeliveryFallback { get; init; }

    /// <summary>The strictest handling marking the partner's mail carried (the latest of equals); null when none did.</summary>
    public PartnerMarking? PartnerMarking { get; init; }
    /// <summary>
    /// The request itself never reached the partner (the gateway gave up, or the partner's server bounced it), until a later
    /// dispatch of the request succeeds: lists show it as "not delivered", not "sent". A reminder that fails does not set it.
    /// </summary>
    public bool NotDelivered { get; init; }

    /// <summary>Message-IDs of the thread, oldest first: what our next mail answers (In-Reply-To, References).</summary>
    public string[] ThreadMessageIds() => [.. Mail.Where(m => m.Status != "not-delivered").Select(m => m.MessageId)];

    /// <summary>Subject, numbers and partner reference, lower-cased and transliterated to Latin, for the search box.</summary>
    public string SearchText { get; init; } = "";

    public long Version { get; set; }

    /// <summary>What a request asks for (form, identifiers, facts, files to send); null on items older than the content.</summary>
    public RequestContent? Content { get; init; }

    /// <summary>Each identifier's stable key (<c>Registering.Identifiers.KeyOf</c>): the list's <c>identifier=</c>, duplicates.</summary>
    public string[] IdentifierKeys { get; init; } = [];

    /// <summary>What the answer brought, as last recorded or corrected; null before an answer or on answers older than outcomes.</summary>
    public Answering.OutcomeOnRecord? Outcome { get; init; }

    public ItemFields Fields() => new(
        PartnerCode, Country, Channel, Subject, CrimeCategory, Priority, CriminalCaseNumber, LegalBasis, RequestedData, DataPeriod,
        Language, HandlingCode, PartnerReference, DueBy, Content);
}

public sealed class ItemDetailsProjection : SingleStreamProjection<ItemDetails, Guid>
{
    // Only this aggregate's events: an explicit Evolve would otherwise fold in every stream of the store.
    public ItemDetailsProjection() => this.IncludeTypes(WorkItemEvents.All);

    public override ItemDetails Evolve(ItemDetails? snapshot, Guid id, IEvent e)
    {
        var item = Fold(snapshot ?? new ItemDetails(), e.Data);
        var open = item.Status is not (WorkItemStatus.Closed or WorkItemStatus.Withdrawn or WorkItemStatus.Refused);
        return item with
        {
            LastChangedAt = e.Timestamp,
            IsOpen = open,
            AwaitsAcknowledgement = open && item.Escalations.Except(item.AcknowledgedEscalations).Any(),
            // Proposed only while the item still waits for the acknowledgement; accepted or overtaken, it goes.
            AcknowledgementProposed = item.Status == WorkItemStatus.Sent ? item.AcknowledgementProposed : null,
            SearchText = SearchTextOf(item),
            Version = e.Version,
        };
    }

    /// <summary>The purpose of the dispatch that carries the request itself (PartnerMailRequests).</summary>
    public const string RequestPurpose = "request";

    public static ItemDetails Fold(ItemDetails item, object @event) => @event switch
    {
        ItemRegistered e => WithFields(item, e.Fields) with
        {
            Id = e.ItemId,
            RegisterNumber = e.RegisterNumber,
            Kind = e.Kind,
            Direction = e.Direction,
            Status = e.Direction == Direction.Outgoing ? WorkItemStatus.Draft : WorkItemStatus.Received,
            RegisteredBy = e.By,
            RegisteredAt = e.At,
        },
        ItemDetailsChanged e => WithFields(item, e.Fields),
        ItemSent e => item with { Status = WorkItemStatus.Sent, SentAt = e.At },
        ItemAcknowledged e => item with
        {
            Status = WorkItemStatus.Acknowledged,
            AcknowledgedAt = e.At,
            PartnerReference = e.PartnerReference ?? item.PartnerReference,
        },
        AnswerRecorded e => item with
        {
            Status = e.Extent == AnswerExtent.Full ? WorkItemStatus.Answered : WorkItemStatus.PartlyAnswered,
            FirstAnswerAt = item.FirstAnswerAt ?? e.At,
        },
        ItemClosed e => item with { Status = WorkItemStatus.Closed, EndedAt = e.At },
        ItemWithdrawn e => item with { Status = WorkItemStatus.Withdrawn, EndedAt = e.At },
        ItemRefused e => item with { Status = WorkItemStatus.Refused, EndedAt = e.At },
        ItemReopened e => item with { Status = e.ReturnedTo, EndedAt = null },
        OfficerAssigned e => item with { AssignedTo = e.Officer, AssignedToId = e.Officer.Id },
        NoteAdded => item with { NoteCount = item.NoteCount + 1 },
        ItemLinked e => item with { Links = [.. item.Links, new ItemLink(e.TargetId, e.TargetRegisterNumber, e.Type,
            SharedKeys: e.SharedKeys)] },
        ItemLinkedFrom e => item with { Links = [.. item.Links, new ItemLink(e.SourceId, e.SourceRegisterNumber, e.Type, PointsHere: true,
            e.SharedKeys)] },
        ItemGrouped e => item with { GroupId = e.GroupId },
        DeadlinesSet e => item with { Deadlines = e.Deadlines, DueBy = e.Deadlines.ReplyBy, Escalations = [] },
        DeadlineEscalated e => item with { Escalations = [.. item.Escalations, e.Step], LastRemindedAt = e.RemindPartner ? e.At : item.LastRemindedAt },
        PartnerReminded e => item with { LastRemindedAt = e.At },
        DeadlineExtended e => item with { Deadlines = e.Deadlines, DueBy = e.Deadlines.ReplyBy },
        DeadlinesPaused e => item with { DeadlinesPausedAt = e.At },
        DeadlinesResumed e => item with { DeadlinesPausedAt = null, Deadlines = e.Deadlines, DueBy = e.Deadlines.ReplyBy },
        EscalationAcknowledged e => item with { AcknowledgedEscalations = [.. item.AcknowledgedEscalations, e.Step] },
        MailDispatched e => item with
        {
            // A server's report can come before the gateway's word that the mail left: the row it made stays.
            Mail = item.Mail.Any(m => m.Direction == "out" && m.Id == e.DispatchId) ? item.Mail
                : [.. item.Mail, new ItemMail("out", e.DispatchId, e.Purpose, e.MessageId, "sent", e.Protection, null, e.SentAt)],
            Delivery = null,
            DeliveryWarning = null,
            DeliveryFallback = null,
            NotDelivered = item.NotDelivered && e.Purpose != RequestPurpose,
        },
        MailBounced e => Bounced(item, e),
        HandlingCodeRaised e => item with { HandlingCode = e.To },
        MailNotDelivered e => item with
        {
            Mail = [.. item.Mail, new ItemMail("out", e.DispatchId, e.Purpose, "", "not-delivered", "", $"{e.Reason}: {e.Detail}", e.At)],
            Delivery = "not-delivered",
            NotDelivered = item.NotDelivered || e.Purpose == RequestPurpose,
        },
        MailReceived e => item with
        {
            Mail = [.. item.Mail, new ItemMail(
                "in", e.InboundId, "partner-mail", e.MessageId, "received", e.Protection, MailDetail(e),
                e.ReceivedAt, e.SenderProven())],
            LastMailInAt = e.At,
            PartnerMarking = e.Marking is { } marking
                && !HandlingRules.Stricter(item.PartnerMarking?.Code ?? HandlingCode.Open, marking.Code)
                ? marking
                : item.PartnerMarking,
            AcknowledgementProposed = item.AcknowledgementProposed
                ?? (item.Direction == Direction.Outgoing
                    ? new AcknowledgementProposal(e.InboundId, e.From, e.Subject, e.ReceivedAt)
                    : null),
            Attachments = [.. item.Attachments, .. e.Attachments.Select(a => new ItemAttachment(a.Sha256, a.FileName, a.ContentType, a.Size, e.At))],
        },
        Answering.AnswerOutcomeRecorded e => item with { Outcome = new(e.Outcome, e.Ground, e.Effect, e.By, e.At) },
        Answering.AnswerOutcomeCorrected e => item with { Outcome = new(e.Outcome, e.Ground, e.Effect, e.By, e.At, Corrected: true) },
        AttachmentAdded e => item with { Attachments = [.. item.Attachments, new ItemAttachment(e.Sha256, e.FileName, e.ContentType, e.Size, e.At)] },
        _ => item,
    };

    // A failure for every address of the mail makes it not delivered; for some of them, or a delay, only a warning: the
    // mail may still have reached the partner. Reports of one mail add up (one per address, or a delay and then a failure).
    private static ItemDetails Bounced(ItemDetails item, MailBounced e)
    {
        var row = item.Mail.FirstOrDefault(m => m.Direction == "out" && m.Id == e.DispatchId)
            ?? new ItemMail("out", e.DispatchId, e.Purpose, e.MessageId, "sent", "", null, e.ReceivedAt);
        var failed = e.Action == "failed";
        string[] undelivered = failed
            ? [.. (row.Undelivered ?? []).Union(e.Recipients, StringComparer.OrdinalIgnoreCase)]
            : row.Undelivered ?? [];
        var lost = failed && e.AllRecipients.All(a => undelivered.Contains(a, StringComparer.OrdinalIgnoreCase));
        var said = failed ? $"returned by the mail server: {e.Reason()}" : $"delayed, the mail server still tries: {e.Reason()}";
        var changed = row.Status == "not-delivered" ? row with { Undelivered = undelivered }
            : row with { Status = lost ? "not-delivered" : row.Status, Detail = said, Undelivered = undelivered };
        var mail = item.Mail.Any(m => m == row) ? item.Mail.Select(m => m == row ? changed : m).ToArray() : [.. item.Mail, changed];
        return item with
        {
            Mail = mail,
            Delivery = lost ? "not-delivered" : item.Delivery,
            DeliveryWarning = lost ? null : row.Status == "not-delivered" ? item.DeliveryWarning : said,
            DeliveryFallback = failed ? e.Fallback : item.DeliveryFallback,
            // A bounce of the request itself, reported after it was sent, means the partner never had it.
            NotDelivered = item.NotDelivered || (lost && e.Purpose == RequestPurpose),
        };
    }

    // What is wrong with a received mail, if anything: its signature, then what the gateway noticed though it let it through.
    private static string? MailDetail(MailReceived e) =>
        (e.Signature == "valid" ? [] : new[] { e.Signature }).Concat(e.Warnings ?? []).ToArray() is { Length: > 0 } said ? string.Join(" ", said) : null;

    private static ItemDetails WithFields(ItemDetails item, ItemFields f) =>
        item with
        {
            PartnerCode = f.PartnerCode,
            Country = f.Country,
            Channel = f.Channel,
            Subject = f.Subject,
            CrimeCategory = f.CrimeCategory,
            Priority = f.Priority,
            CriminalCaseNumber = f.CriminalCaseNumber,
            LegalBasis = f.LegalBasis,
            RequestedData = f.RequestedData,
            DataPeriod = f.DataPeriod,
            Language = f.Language,
            HandlingCode = f.HandlingCode,
            PartnerReference = f.PartnerReference,
            DueBy = f.DueBy,
            Content = f.Content,
            IdentifierKeys = [.. (f.Content?.Identifiers ?? []).Select(Registering.Identifiers.KeyOf).Distinct()],
        };

    // Identifiers too: an officer with an IP address or a phone number in hand looks for the item by it.
    private static string SearchTextOf(ItemDetails item) =>
        Transliteration.ForSearch(string.Join(' ', new[] { item.RegisterNumber, item.Subject, item.PartnerReference, item.CriminalCaseNumber, item.PartnerCode }
            .Concat((item.Content?.Identifiers ?? []).Select(i => i.Value))
            .Where(s => !string.IsNullOrEmpty(s))));
}
