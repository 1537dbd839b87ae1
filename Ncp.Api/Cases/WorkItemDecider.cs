using Ncp.Api.Cases.Chaining;
using Ncp.Api.Cases.Contacting;
using Ncp.Api.Deadlines;

namespace Ncp.Api.Cases;

/// <summary>A command that the rules of the domain refuse; the edge answers 409 naming <see cref="Rule"/>.</summary>
public sealed class DomainRuleViolation(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}

/// <summary>
/// A refused command that must still leave a trace: the edge appends <see cref="Recorded"/> and then answers 409.
/// </summary>
public sealed class RecordedRefusal(string rule, string message, object recorded) : Exception(message)
{
    public string Rule { get; } = rule;

    public object Recorded { get; } = recorded;
}

/// <summary>The lifecycle of a work item: pure functions, time passed in.</summary>
public static class WorkItemDecider
{
    private static readonly WorkItemStatus[] AnswerableOutgoing = [WorkItemStatus.Sent, WorkItemStatus.Acknowledged, WorkItemStatus.PartlyAnswered];
    private static readonly WorkItemStatus[] AnswerableIncoming = [WorkItemStatus.Received, WorkItemStatus.Acknowledged, WorkItemStatus.PartlyAnswered];

    /// <summary>How soon after a reminder (an officer's or a rung's) the partner may be reminded again: a double click or two officers must not spam them.</summary>
    public static readonly TimeSpan ReminderInterval = TimeSpan.FromMinutes(60);

    public static object[] Decide(WorkItem state, object command, DateTimeOffset now)
    {
        if (command is RegisterItem register)
        {
            return Register(state, register, now);
        }

        if (state.Status == WorkItemStatus.None)
        {
            throw new DomainRuleViolation("item-not-registered", "There is no such item.");
        }

        return command switch
        {
            ChangeItemDetails c => ChangeDetails(state, c, now),
            SendItem c => Send(state, c, now),
            AcknowledgeItem c => Acknowledge(state, c, now),
            RecordAnswer c => Answer(state, c, now),
            CloseItem c => Close(state, c, now),
            WithdrawItem c => Withdraw(state, c, now),
            RefuseItem c => Refuse(state, c, now),
            ReopenItem c => Reopen(state, c, now),
            AssignOfficer c => [new OfficerAssigned(state.Id, c.Officer, c.By, now)],
            AddNote c => [new NoteAdded(state.Id, c.Text, c.By, now)],
            LinkItem c => Link(state, c, now),
            // A fact about another item's stream (its link to this one): recorded whatever this item's status, once.
            RecordLinkFrom c => state.LinkedFrom?.Contains((c.SourceId, c.Type)) == true
                ? []
                : [new ItemLinkedFrom(state.Id, c.SourceId, c.SourceRegisterNumber, c.Type, c.By, now, c.SharedKeys)],
            RecordSameIdentifiers c => SameIdentifiers(state, c, now),
            AddAttachment c => [new AttachmentAdded(state.Id, c.Sha256, c.FileName, c.ContentType, c.Size, c.By, now)],
            RecordForwarding c => Forward(state, c, now),
            // Facts reported by the mail gateway: they happened, whatever the item's status; only a repeat is dropped.
            RecordMailDispatched c => state.HasSeenMail(c.DispatchId) ? [] : [new MailDispatched(state.Id, c.DispatchId, c.Purpose, c.MessageId, c.Protection, c.SentAt, now)],
            RecordMailNotDelivered c => state.HasSeenMail(c.DispatchId) ? [] : [new MailNotDelivered(state.Id, c.DispatchId, c.Purpose, c.Reason, c.Detail, c.Attempts, now)],
            RecordMailReceived c => state.HasSeenMail(c.Mail.InboundId) ? []
                : [.. MailReceivedEvents(state.Id, c.Mail, c.ForeignQuoted, now), .. Raise(state, c.Mail, now)],
            RecordMailBounced c => state.HasSeenMail(c.Report.InboundId) ? [] : [c.Report with { ItemId = state.Id, At = now }],
            CheckForwarding c => CheckForward(state, c, now),
            RecordEscalation c => Escalate(state, c, now),
            ExtendDeadline c => Extend(state, c, now),
            PauseDeadlines c => Pause(state, c, now),
            ResumeDeadlines c => Resume(state, c, now),
            AcknowledgeEscalation c => AcknowledgeRung(state, c, now),
            ConfirmPreservation or RequestPreservationExtension or RecordPreservationExpiring => Preservations.Decide(state, command, now),
            LogContact c => Contact(state, c, now),
            Answering.CorrectAnswerOutcome c => Answering.Outcomes.Correct(state, c, now),
            RemindPartner c => ReminderRefusal(state.RegisterNumber, state.Direction, state.Kind, state.Status, state.PausedAt is not null, state.LastRemindedAt, now) is { } refusal
                ? throw refusal
                : [new PartnerReminded(state.Id, c.Reason, c.By, now)],
            _ => throw new InvalidOperationException($"No rule decides {command.GetType().Name}."),
        };
    }

    /// <summary>A partner's mail on the item, and what it quoted of other partners' items, as one record.</summary>
    public static object[] MailReceivedEvents(Guid itemId, MailReceived mail, string[]? foreignQuoted, DateTimeOffset now) =>
        foreignQuoted is { Length: > 0 }
            ?
            [
                mail with { ItemId = itemId, At = now },
                new ForeignItemQuoted(itemId, mail.InboundId, mail.MessageId, mail.PartnerCode, foreignQuoted, now),
            ]
            : [mail with { ItemId = itemId, At = now }];

    /// <summary>
    /// A partner's marking stricter than the item's code raises it, on any item (an ended one too: what it holds is still
    /// theirs); a laxer or equal one changes nothing, so a marking never lowers a code.
    /// </summary>
    public static object[] Raise(WorkItem state, MailReceived mail, DateTimeOffset now) =>
        mail.Marking is { } marking && HandlingRules.Stricter(marking.Code, state.HandlingCode)
            ?
            [
                new HandlingCodeRaised(
                    state.Id, state.HandlingCode, marking.Code, marking.Label,
                    $"{mail.PartnerCode}'s mail {mail.MessageId} is marked {marking.Label} ({marking.Found})", mail.InboundId,
                    new Actor(mail.PartnerCode, mail.From), now),
            ]
            : [];

    public static WorkItem Evolve(WorkItem state, object @event) => @event switch
    {
        ItemRegistered e => state with
        {
            Id = e.ItemId,
            RegisterNumber = e.RegisterNumber,
            Kind = e.Kind,
            Direction = e.Direction,
            Status = e.Direction == Direction.Outgoing ? WorkItemStatus.Draft : WorkItemStatus.Received,
            PartnerCode = e.Fields.PartnerCode,
            Channel = e.Fields.Channel,
            HandlingCode = e.Fields.HandlingCode,
            Preservation = Preservations.Asked(state.Preservation, e.Direction, e.Fields),
        },
        ItemDetailsChanged e => state with
        {
            PartnerCode = e.Fields.PartnerCode, Channel = e.Fields.Channel, HandlingCode = e.Fields.HandlingCode,
            Preservation = Preservations.Asked(state.Preservation, state.Direction, e.Fields),
        },
        ItemSent => state with { Status = WorkItemStatus.Sent },
        ItemAcknowledged => state with { Status = WorkItemStatus.Acknowledged },
        AnswerRecorded e => state with
        {
            Status = e.Extent == AnswerExtent.Full ? WorkItemStatus.Answered : WorkItemStatus.PartlyAnswered,
            PartlyAnsweredAt = e.Extent == AnswerExtent.Partial ? e.At : state.PartlyAnsweredAt,
            AnsweredAt = state.AnsweredAt ?? e.At,
        },
        Answering.AnswerOutcomeRecorded or Answering.AnswerOutcomeCorrected => Answering.Outcomes.Evolve(state, @event),
        ItemClosed => Ended(state, WorkItemStatus.Closed),
        ItemWithdrawn => Ended(state, WorkItemStatus.Withdrawn),
        ItemRefused => Ended(state, WorkItemStatus.Refused),
        ItemReopened e => state with { Status = e.ReturnedTo, StatusBeforeEnd = WorkItemStatus.None },
        ItemLinked e => state with { Links = new HashSet<(Guid, LinkType)>(state.Links) { (e.TargetId, e.Type) } },
        ItemLinkedFrom e => state with
        {
            LinkedFrom = new HashSet<(Guid, LinkType)>(state.LinkedFrom ?? new HashSet<(Guid, LinkType)>()) { (e.SourceId, e.Type) },
        },
        DeadlinesSet e => state with { Deadlines = e.Deadlines, Ladder = e.Deadlines.Steps.ToDictionary(s => s.Name), Escalated = new HashSet<string>() },
        DeadlineExtended e => state with { Deadlines = e.Deadlines, Ladder = e.Deadlines.Steps.ToDictionary(s => s.Name) },
        DeadlinesPaused e => state with { PausedAt = e.At },
        DeadlinesResumed e => state with { PausedAt = null, Deadlines = e.Deadlines, Ladder = e.Deadlines.Steps.ToDictionary(s => s.Name) },
        EscalationAcknowledged e => state with { AcknowledgedEscalations = new HashSet<string>(state.AcknowledgedEscalations ?? new HashSet<string>()) { e.Step } },
        PreservationConfirmed or PreservationExtensionRequested or DeadlineEscalated { Step: Preservations.ExpiringStep }
            => Preservations.Evolve(state, @event),
        DeadlineEscalated e => state with { Escalated = new HashSet<string>(state.Escalated) { e.Step }, LastRemindedAt = e.RemindPartner ? e.At : state.LastRemindedAt },
        PartnerReminded e => state with { LastRemindedAt = e.At },
        MailDispatched e => Seen(state, e.DispatchId),
        MailNotDelivered e => Seen(state, e.DispatchId),
        MailReceived e => Seen(state, e.InboundId),
        MailBounced e => Seen(state, e.InboundId),
        HandlingCodeRaised e => state with { HandlingCode = e.To },
        _ => state,
    };

    private static WorkItem Seen(WorkItem state, Guid mail) => state with { MailSeen = new HashSet<Guid>(state.MailSeen ?? new HashSet<Guid>()) { mail } };

    private static WorkItem Ended(WorkItem state, WorkItemStatus status) => state with { Status = status, StatusBeforeEnd = state.Status };

    private static object[] Register(WorkItem state, RegisterItem c, DateTimeOffset now)
    {
        if (state.Status != WorkItemStatus.None)
        {
            throw new DomainRuleViolation("item-already-registered", $"Item {state.RegisterNumber} is already registered.");
        }

        EnsureChannelCarries(c.Fields.Channel, c.Kind);
        object[] registered =
            [new ItemRegistered(c.ItemId, c.RegisterNumber, c.Kind, c.Direction, c.Fields, c.By, now), .. Grouped(c, now)];
        // An incoming item's clock starts when it arrives; an outgoing one's when it is sent.
        return c.Direction == Direction.Incoming && c.Deadlines is { } deadlines
            ? [.. registered, new DeadlinesSet(c.ItemId, deadlines, now)]
            : registered;
    }

    // Each item of a group links to every other one itself: the group shows from any of them without a second write.
    private static IEnumerable<object> Grouped(RegisterItem c, DateTimeOffset now) =>
        c.Group is not { } group
            ? []
            : [
                new ItemGrouped(c.ItemId, group.GroupId, group.ConsentReference, c.By, now),
                .. group.Siblings.Where(s => s.TargetId != c.ItemId)
                    .Select(s => new ItemLinked(c.ItemId, s.TargetId, s.TargetRegisterNumber, LinkType.SameGroup, c.By, now)),
            ];

    private static object[] ChangeDetails(WorkItem state, ChangeItemDetails c, DateTimeOffset now)
    {
        EnsureNotEnded(state, "change its details");
        var leftDraft = state.Direction == Direction.Outgoing && state.Status != WorkItemStatus.Draft;
        if (leftDraft && (c.Fields.PartnerCode != state.PartnerCode || c.Fields.Channel != state.Channel))
        {
            throw new DomainRuleViolation(
                "sent-item-keeps-partner-and-channel",
                "A sent item keeps its partner and channel; to use another channel, forward it as a new item.");
        }

        EnsureChannelCarries(c.Fields.Channel, state.Kind);
        return [new ItemDetailsChanged(state.Id, c.Fields, c.By, now)];
    }

    private static object[] Send(WorkItem state, SendItem c, DateTimeOffset now)
    {
        if (state.Direction == Direction.Incoming)
        {
            throw new DomainRuleViolation("incoming-item-is-not-sent", "An incoming item is answered, not sent.");
        }

        Require(state, "send", "only-drafts-are-sent", WorkItemStatus.Draft);
        return c.Deadlines is { } deadlines
            ? [new ItemSent(state.Id, c.By, now), new DeadlinesSet(state.Id, deadlines, now)]
            : [new ItemSent(state.Id, c.By, now)];
    }

    private static object[] Acknowledge(WorkItem state, AcknowledgeItem c, DateTimeOffset now)
    {
        var from = state.Direction == Direction.Outgoing ? WorkItemStatus.Sent : WorkItemStatus.Received;
        Require(state, "acknowledge", state.Direction == Direction.Outgoing ? "only-sent-items-are-acknowledged" : "only-received-items-are-acknowledged", from);
        return ClockFollows(
            state, [new ItemAcknowledged(state.Id, c.PartnerReference, c.By, now), .. Preservations.OnAcknowledged(state, c.Preservation, c.By, now)], now);
    }

    private static object[] Answer(WorkItem state, RecordAnswer c, DateTimeOffset now)
    {
        if (state.Kind == WorkItemKind.InitiativeMessage)
        {
            throw new DomainRuleViolation("initiative-messages-are-not-answered", "An initiative message needs only an acknowledgement; close it instead.");
        }

        Require(state, "record an answer for", "answer-needs-an-open-request",
            state.Direction == Direction.Outgoing ? AnswerableOutgoing : AnswerableIncoming);
        return ClockFollows(
            state, [new AnswerRecorded(state.Id, c.Extent, c.Summary, c.By, now), .. Answering.Outcomes.OnAnswered(state, c.Outcome, c.By, now)], now);
    }

    private static object[] Close(WorkItem state, CloseItem c, DateTimeOffset now)
    {
        if (state.Status == WorkItemStatus.Draft)
        {
            throw new DomainRuleViolation("draft-cannot-be-closed", "A draft was never sent, so it cannot be closed as answered; withdraw it instead.");
        }

        WorkItemStatus[] closable = state.Kind == WorkItemKind.InitiativeMessage
            ? [WorkItemStatus.Sent, WorkItemStatus.Received, WorkItemStatus.Acknowledged]
            : [WorkItemStatus.PartlyAnswered, WorkItemStatus.Answered];
        Require(state, "close", state.Kind == WorkItemKind.InitiativeMessage ? "close-needs-an-open-item" : "close-needs-an-answer", closable);
        return [new ItemClosed(state.Id, c.Reason, c.By, now)];
    }

    private static object[] Withdraw(WorkItem state, WithdrawItem c, DateTimeOffset now)
    {
        WorkItemStatus[] from = state.Direction == Direction.Outgoing
            ? [WorkItemStatus.Draft, .. AnswerableOutgoing]
            : AnswerableIncoming;
        Require(state, "withdraw", "only-open-items-are-withdrawn", from);
        return [new ItemWithdrawn(state.Id, c.Reason, c.By, now)];
    }

    private static object[] Refuse(WorkItem state, RefuseItem c, DateTimeOffset now)
    {
        WorkItemStatus[] from = state.Direction == Direction.Outgoing
            ? [WorkItemStatus.Sent, WorkItemStatus.Acknowledged]
            : [WorkItemStatus.Received, WorkItemStatus.Acknowledged];
        Require(state, "record a refusal of", "only-unanswered-items-are-refused", from);
        return [new ItemRefused(state.Id, c.Reason, c.By, now)];
    }

    private static object[] Reopen(WorkItem state, ReopenItem c, DateTimeOffset now)
    {
        Require(state, "reopen", "only-ended-items-are-reopened", WorkItemStatus.Closed, WorkItemStatus.Withdrawn, WorkItemStatus.Refused);
        var reopened = new ItemReopened(state.Id, c.Reason, state.StatusBeforeEnd, c.By, now);
        // Ending cancelled every wake-up; the clock starts again from now, with only the rungs the status still waits for (an
        // answered item waits for nothing). A clock paused before the end stays paused: resuming moves its own ladder.
        Deadlines.ScheduledStep[] waiting = [.. (c.Deadlines?.Steps ?? []).Where(s => Rungs.Waits(s, state.Kind, state.StatusBeforeEnd))];
        return waiting.Length == 0 || state.PausedAt is not null
            ? [reopened]
            : [reopened, new DeadlinesSet(state.Id, c.Deadlines! with { Steps = waiting }, now)];
    }

    /// <summary>
    /// A contact outside mail, recorded; counted as an acknowledgement or answer, it takes the same events and obeys the same
    /// rules as one recorded by hand, marked as given in the contact (no mail repeats it).
    /// </summary>
    private static object[] Contact(WorkItem state, LogContact c, DateTimeOffset now)
    {
        object[] counted = c.CountsAs switch
        {
            ContactCountsAs.Acknowledgement => Acknowledge(state, new AcknowledgeItem(c.PartnerReference, c.By), now),
            ContactCountsAs.PartialAnswer => Answer(state, new RecordAnswer(AnswerExtent.Partial, c.Summary, c.By), now),
            ContactCountsAs.FullAnswer => Answer(state, new RecordAnswer(AnswerExtent.Full, c.Summary, c.By), now),
            _ => [],
        };
        var logged = new ContactLogged(
            state.Id, c.ContactId, c.Means, c.Direction, c.HappenedAt, c.With, c.Summary, c.Files, c.CountsAs, c.By, now);
        return
        [
            logged,
            .. counted.Select(e => e switch
            {
                ItemAcknowledged a => a with { ContactId = c.ContactId },
                AnswerRecorded a => a with { ContactId = c.ContactId },
                _ => e,
            }),
        ];
    }

    /// <summary>
    /// The rungs that waited for what these events bring (receipt confirmed, the answer in) and no longer wait, named so that
    /// the Worker drops their wake-ups. Ending the item cancels all of them another way.
    /// </summary>
    private static object[] ClockFollows(WorkItem state, object[] events, DateTimeOffset now)
    {
        var after = events.Aggregate(state, Evolve);
        string[] stopped =
        [
            .. state.Ladder.Values
                .Where(s => !state.Escalated.Contains(s.Name)
                    && Rungs.Waits(s, state.Kind, state.Status) && !Rungs.Waits(s, after.Kind, after.Status))
                .OrderBy(s => s.DueAt)
                .Select(s => s.Name),
        ];
        return stopped.Length == 0 ? events : [.. events, new DeadlineRungsCancelled(state.Id, stopped, after.Status, now)];
    }

    private static object[] Link(WorkItem state, LinkItem c, DateTimeOffset now)
    {
        if (c.TargetId == state.Id)
        {
            throw new DomainRuleViolation("item-cannot-link-to-itself", "An item cannot be linked to itself.");
        }

        if (state.IsLinked(c.TargetId, c.Type))
        {
            return [];
        }

        // A link makes this item's information part of the target's channel; the partner does not learn of it.
        if (!HandlingRules.MayPass(state.HandlingCode, state.Channel, state.PartnerCode, c.TargetChannel, state.PartnerCode, consent: false))
        {
            throw Refusal(state, c.TargetChannel, c.TargetPartnerCode, "link", c.By, now);
        }

        return [new ItemLinked(state.Id, c.TargetId, c.TargetRegisterNumber, c.Type, c.By, now)];
    }

    /// <summary>Who records what Ncp itself finds (items sharing identifiers).</summary>
    public static readonly Actor Ncp = new("system", "Ncp");

    // A link each way the handling codes allow (this item's into the other's channel, the other's into this one's); a
    // pair they keep apart is left unlinked rather than refused: nobody asked for it. Siblings of a group share all, and
    // so does a forwarded copy with its source: their own link says so already.
    private static object[] SameIdentifiers(WorkItem state, RecordSameIdentifiers c, DateTimeOffset now) =>
    [
        .. c.Matches
            .Where(m => m.ItemId != state.Id
                && !state.IsLinked(m.ItemId, LinkType.SameIdentifiers) && !state.IsLinked(m.ItemId, LinkType.SameGroup)
                && !state.IsLinked(m.ItemId, LinkType.SameRequestOtherChannel))
            .Where(m => MayMeet(state, m))
            .Select(m => new ItemLinked(state.Id, m.ItemId, m.RegisterNumber, LinkType.SameIdentifiers, Ncp, now, m.SharedKeys)),
    ];

    private static bool MayMeet(WorkItem state, IdentifierMatch m) =>
        HandlingRules.MayPass(state.HandlingCode, state.Channel, state.PartnerCode, m.Channel, state.PartnerCode, consent: false)
        && HandlingRules.MayPass(m.HandlingCode, m.Channel, m.PartnerCode, state.Channel, m.PartnerCode, consent: false);

    private static object[] Forward(WorkItem state, RecordForwarding c, DateTimeOffset now)
    {
        if (!HandlingRules.MayPass(state.HandlingCode, state.Channel, state.PartnerCode, c.ToChannel, c.ToPartnerCode, c.ConsentReference is not null))
        {
            throw Refusal(state, c.ToChannel, c.ToPartnerCode, "forward", c.By, now);
        }

        return
        [
            new ItemForwarded(state.Id, c.ToItemId, c.ToRegisterNumber, c.ToChannel, c.ToPartnerCode, c.ConsentReference, c.By, now),
            new ItemLinked(state.Id, c.ToItemId, c.ToRegisterNumber, LinkType.SameRequestOtherChannel, c.By, now),
        ];
    }

    /// <summary>The check a forward must pass before a new item is registered for it.</summary>
    private static object[] CheckForward(WorkItem state, CheckForwarding c, DateTimeOffset now) =>
        HandlingRules.MayPass(state.HandlingCode, state.Channel, state.PartnerCode, c.ToChannel, c.ToPartnerCode, c.Consent)
            ? []
            : throw Refusal(state, c.ToChannel, c.ToPartnerCode, "forward", c.By, now);

    private static object[] Escalate(WorkItem state, RecordEscalation c, DateTimeOffset now)
    {
        // A wake-up may come twice, late, or for a rung since moved; only the current rung, once, on a live item counts,
        // and only while the item still waits for what the rung waits for.
        if (state.IsEnded || state.PausedAt is not null || state.Escalated.Contains(c.Step)
            || !state.Ladder.TryGetValue(c.Step, out var step) || step.DueAt != c.DueAt || !Rungs.Waits(step, state.Kind, state.Status))
        {
            return [];
        }

        // A partner who answered in part is at work on the rest: our people hear of the rung, the partner is left alone a day.
        var quiet = state.Status == WorkItemStatus.PartlyAnswered
            && state.PartlyAnsweredAt is { } partly && now < partly + Rungs.PartnerQuietAfterPartialAnswer;
        return [new DeadlineEscalated(state.Id, step.Name, step.DueAt, step.Notify, step.RemindPartner && !quiet, step.Suggest, now)];
    }

    private static object[] Extend(WorkItem state, ExtendDeadline c, DateTimeOffset now)
    {
        var current = RunningClock(state, "extend a deadline of");
        var was = c.Deadline == Deadlines.Anchor.AcknowledgeBy ? current.AcknowledgeBy : current.ReplyBy;
        if (c.Deadline == Deadlines.Anchor.UsefulUntil)
        {
            throw new DomainRuleViolation("useful-until-is-not-extended", "Useful-until follows the data's retention; it cannot be extended by us.");
        }

        if (c.Until <= was)
        {
            throw new DomainRuleViolation("extension-must-be-later", $"The deadline is {was:u}; an extension must move it later.");
        }

        return [new DeadlineExtended(state.Id, c.Deadline, c.Until, c.Reason, c.Deadlines, NotYetReached(state, c.Deadlines), c.By, now)];
    }

    private static object[] Pause(WorkItem state, PauseDeadlines c, DateTimeOffset now)
    {
        RunningClock(state, "pause");
        return [new DeadlinesPaused(state.Id, c.Reason, c.By, now)];
    }

    private static object[] Resume(WorkItem state, ResumeDeadlines c, DateTimeOffset now)
    {
        if (state.PausedAt is not { } pausedAt)
        {
            throw new DomainRuleViolation("deadlines-not-paused", $"The deadlines of {state.RegisterNumber} are running; there is nothing to resume.");
        }

        return [new DeadlinesResumed(state.Id, now - pausedAt, c.Deadlines, NotYetReached(state, c.Deadlines), c.By, now)];
    }

    private static object[] AcknowledgeRung(WorkItem state, AcknowledgeEscalation c, DateTimeOffset now)
    {
        if (!state.Escalated.Contains(c.Step))
        {
            throw new DomainRuleViolation("escalation-not-raised", $"Item {state.RegisterNumber} has no escalation '{c.Step}' to acknowledge.");
        }

        return state.AcknowledgedEscalations?.Contains(c.Step) == true ? [] : [new EscalationAcknowledged(state.Id, c.Step, c.By, now)];
    }

    /// <summary>
    /// Why the partner may not be reminded of an item now, or null when they may: only an outgoing item that was sent
    /// and still awaits the partner's reply (an initiative message, its acknowledgement), its clock running, and not
    /// again within <see cref="ReminderInterval"/>. The item page asks the same question before it offers the action.
    /// </summary>
    public static DomainRuleViolation? ReminderRefusal(
        string registerNumber, Direction direction, WorkItemKind kind, WorkItemStatus status, bool paused, DateTimeOffset? lastRemindedAt, DateTimeOffset now)
    {
        WorkItemStatus[] awaiting = kind == WorkItemKind.InitiativeMessage ? [WorkItemStatus.Sent] : AnswerableOutgoing;
        if (direction == Direction.Incoming)
        {
            return new("only-outgoing-items-are-reminded", $"Item {registerNumber} is incoming: the partner awaits our reply, not we theirs.");
        }

        if (!awaiting.Contains(status))
        {
            return new("reminder-needs-an-awaited-reply",
                $"Cannot remind the partner of item {registerNumber} while it is {status}: only a sent item still awaiting the partner's reply is reminded.");
        }

        if (paused)
        {
            return new("deadlines-paused", $"The deadlines of {registerNumber} are paused; resume them before reminding the partner.");
        }

        return lastRemindedAt is { } last && last + ReminderInterval > now
            ? new("reminder-too-soon", $"The partner was reminded of {registerNumber} at {last:u}; the next reminder is possible from {last + ReminderInterval:u}.")
            : null;
    }

    private static Deadlines.ItemDeadlines RunningClock(WorkItem state, string action)
    {
        EnsureNotEnded(state, action + " it");
        if (state.Deadlines is not { } deadlines)
        {
            throw new DomainRuleViolation("no-deadlines", $"Item {state.RegisterNumber} has no deadlines yet (an outgoing item gets them when it is sent).");
        }

        if (state.PausedAt is not null)
        {
            throw new DomainRuleViolation("deadlines-paused", $"The deadlines of {state.RegisterNumber} are paused; resume them first.");
        }

        return deadlines;
    }

    /// <summary>The rungs to (re)schedule: those of the new ladder that have not fired and still wait for something.</summary>
    private static Deadlines.ScheduledStep[] NotYetReached(WorkItem state, Deadlines.ItemDeadlines deadlines) =>
        [.. deadlines.Steps.Where(s => !state.Escalated.Contains(s.Name) && Rungs.Waits(s, state.Kind, state.Status))];

    private static RecordedRefusal Refusal(WorkItem state, Channel to, string toPartner, string attempt, Actor by, DateTimeOffset now) =>
        new(
            "handling-code-forbids",
            $"Item {state.RegisterNumber} carries handling code '{state.HandlingCode}': its information may not go to {to} ({toPartner}) " +
            "without the originator's consent. The attempt was recorded.",
            new DisseminationRefused(state.Id, state.HandlingCode, to, toPartner, attempt, by, now));

    private static void EnsureChannelCarries(Channel channel, WorkItemKind kind)
    {
        if (!ChannelRules.Carries(channel, kind))
        {
            throw new DomainRuleViolation("channel-does-not-carry-kind", $"The {channel} channel does not carry {kind} items.");
        }
    }

    private static void EnsureNotEnded(WorkItem state, string action)
    {
        if (state.IsEnded)
        {
            throw new DomainRuleViolation("item-has-ended", $"Item {state.RegisterNumber} is {state.Status}; reopen it to {action}.");
        }
    }

    private static void Require(WorkItem state, string action, string rule, params WorkItemStatus[] allowed)
    {
        if (!allowed.Contains(state.Status))
        {
            throw new DomainRuleViolation(rule, $"Cannot {action} item {state.RegisterNumber} while it is {state.Status}.");
        }
    }
}
