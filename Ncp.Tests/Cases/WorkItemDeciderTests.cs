using Ncp.Api.Cases;

namespace Ncp.Tests.Cases;

/// <summary>Given a history, when a command, then the new status or the rule that refuses it. No I/O.</summary>
public sealed class WorkItemDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly Actor Officer = new("officer-1", "Officer One");
    private static readonly Guid Id = Guid.Parse("01930000-0000-7000-8000-000000000001");

    private static ItemFields Fields(Channel channel = Channel.TwentyFourSeven, HandlingCode code = HandlingCode.Open) => new(
        "DE-CYBER247", "DE", channel, "IP logs", CrimeCategory.ComputerCrime, Priority.Urgent, null, null, [RequestedData.TrafficData], null, "en", code, null, null);

    private static readonly Dictionary<string, Func<object>> Commands = new()
    {
        ["send"] = () => new SendItem(Officer),
        ["ack"] = () => new AcknowledgeItem("DE-2026-1", Officer),
        ["partial"] = () => new RecordAnswer(AnswerExtent.Partial, "Part of the logs", Officer),
        ["full"] = () => new RecordAnswer(AnswerExtent.Full, "All the logs", Officer),
        ["close"] = () => new CloseItem("Done", Officer),
        ["withdraw"] = () => new WithdrawItem("No longer needed", Officer),
        ["refuse"] = () => new RefuseItem("Outside jurisdiction", Officer),
        ["reopen"] = () => new ReopenItem("New facts", Officer),
    };

    // History to reach a status: commands applied after registration.
    private static readonly Dictionary<string, string[]> Histories = new()
    {
        ["Draft"] = [],
        ["Received"] = [],
        ["Sent"] = ["send"],
        ["Acknowledged"] = ["send", "ack"],
        ["PartlyAnswered"] = ["send", "partial"],
        ["Answered"] = ["send", "ack", "full"],
        ["Closed"] = ["send", "ack", "full", "close"],
        ["Withdrawn"] = ["withdraw"],
        ["Refused"] = ["send", "refuse"],
    };

    // Columns: send, ack, partial, full, close, withdraw, refuse, reopen. "!" marks the rule that refuses the command.
    private static readonly string[] Columns = ["send", "ack", "partial", "full", "close", "withdraw", "refuse", "reopen"];

    public static TheoryData<string, string, string, string> OutgoingRequest => Table(Direction.Outgoing, WorkItemKind.Request, new()
    {
        ["Draft"] = ["Sent", "!only-sent-items-are-acknowledged", "!answer-needs-an-open-request", "!answer-needs-an-open-request", "!draft-cannot-be-closed", "Withdrawn", "!only-unanswered-items-are-refused", "!only-ended-items-are-reopened"],
        ["Sent"] = ["!only-drafts-are-sent", "Acknowledged", "PartlyAnswered", "Answered", "!close-needs-an-answer", "Withdrawn", "Refused", "!only-ended-items-are-reopened"],
        ["Acknowledged"] = ["!only-drafts-are-sent", "!only-sent-items-are-acknowledged", "PartlyAnswered", "Answered", "!close-needs-an-answer", "Withdrawn", "Refused", "!only-ended-items-are-reopened"],
        ["PartlyAnswered"] = ["!only-drafts-are-sent", "!only-sent-items-are-acknowledged", "PartlyAnswered", "Answered", "Closed", "Withdrawn", "!only-unanswered-items-are-refused", "!only-ended-items-are-reopened"],
        ["Answered"] = ["!only-drafts-are-sent", "!only-sent-items-are-acknowledged", "!answer-needs-an-open-request", "!answer-needs-an-open-request", "Closed", "!only-open-items-are-withdrawn", "!only-unanswered-items-are-refused", "!only-ended-items-are-reopened"],
        ["Closed"] = ["!only-drafts-are-sent", "!only-sent-items-are-acknowledged", "!answer-needs-an-open-request", "!answer-needs-an-open-request", "!close-needs-an-answer", "!only-open-items-are-withdrawn", "!only-unanswered-items-are-refused", "Answered"],
        ["Withdrawn"] = ["!only-drafts-are-sent", "!only-sent-items-are-acknowledged", "!answer-needs-an-open-request", "!answer-needs-an-open-request", "!close-needs-an-answer", "!only-open-items-are-withdrawn", "!only-unanswered-items-are-refused", "Draft"],
        ["Refused"] = ["!only-drafts-are-sent", "!only-sent-items-are-acknowledged", "!answer-needs-an-open-request", "!answer-needs-an-open-request", "!close-needs-an-answer", "!only-open-items-are-withdrawn", "!only-unanswered-items-are-refused", "Sent"],
    });

    public static TheoryData<string, string, string, string> IncomingRequest => Table(Direction.Incoming, WorkItemKind.Request, new()
    {
        ["Received"] = ["!incoming-item-is-not-sent", "Acknowledged", "PartlyAnswered", "Answered", "!close-needs-an-answer", "Withdrawn", "Refused", "!only-ended-items-are-reopened"],
    });

    public static TheoryData<string, string, string, string> OutgoingInitiative => Table(Direction.Outgoing, WorkItemKind.InitiativeMessage, new()
    {
        ["Draft"] = ["Sent", "!only-sent-items-are-acknowledged", "!initiative-messages-are-not-answered", "!initiative-messages-are-not-answered", "!draft-cannot-be-closed", "Withdrawn", "!only-unanswered-items-are-refused", "!only-ended-items-are-reopened"],
        ["Sent"] = ["!only-drafts-are-sent", "Acknowledged", "!initiative-messages-are-not-answered", "!initiative-messages-are-not-answered", "Closed", "Withdrawn", "Refused", "!only-ended-items-are-reopened"],
    });

    private static TheoryData<string, string, string, string> Table(
        Direction direction, WorkItemKind kind, Dictionary<string, string[]> rows) =>
        DeciderTable.Of(Columns, direction, kind, rows);

    [Theory]
    [MemberData(nameof(OutgoingRequest))]
    [MemberData(nameof(IncomingRequest))]
    [MemberData(nameof(OutgoingInitiative))]
    public void Every_transition_is_allowed_or_refused_by_a_named_rule(string item, string status, string command, string expected)
    {
        var state = Given(item, status);
        Assert.Equal(Enum.Parse<WorkItemStatus>(status), state.Status);

        if (expected.StartsWith('!'))
        {
            var refused = Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(state, Commands[command](), Now));
            Assert.Equal(expected[1..], refused.Rule);
        }
        else
        {
            var after = WorkItemDecider.Decide(state, Commands[command](), Now).Aggregate(state, WorkItemDecider.Evolve);
            Assert.Equal(Enum.Parse<WorkItemStatus>(expected), after.Status);
        }
    }

    [Fact]
    public void Every_event_records_who_and_when()
    {
        var state = Given("Outgoing:Request", "Draft");
        foreach (var (name, command) in Commands.Where(c => c.Key is "send" or "withdraw"))
        {
            var e = WorkItemDecider.Decide(state, command(), Now).Single();
            Assert.Equal(Officer, e.GetType().GetProperty("By")!.GetValue(e));
            Assert.Equal(Now, e.GetType().GetProperty("At")!.GetValue(e));
            _ = name;
        }
    }

    [Fact]
    public void Registering_an_item_twice_is_refused()
    {
        var state = Given("Outgoing:Request", "Draft");
        var refused = Assert.Throws<DomainRuleViolation>(() =>
            WorkItemDecider.Decide(state, new RegisterItem(Id, "KZ-NCP-2026-000001", WorkItemKind.Request, Direction.Outgoing, Fields(), Officer), Now));
        Assert.Equal("item-already-registered", refused.Rule);
    }

    [Fact]
    public void A_legal_assistance_task_cannot_go_through_the_24_7_network()
    {
        var refused = Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(
            WorkItem.Initial, new RegisterItem(Id, "KZ-NCP-2026-000001", WorkItemKind.LegalAssistanceTask, Direction.Outgoing, Fields(), Officer), Now));
        Assert.Equal("channel-does-not-carry-kind", refused.Rule);
    }

    [Fact]
    public void A_sent_item_keeps_its_channel()
    {
        var state = Given("Outgoing:Request", "Sent");
        var refused = Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(state, new ChangeItemDetails(Fields(Channel.Interpol), Officer), Now));
        Assert.Equal("sent-item-keeps-partner-and-channel", refused.Rule);
    }

    [Theory]
    [InlineData(HandlingCode.Open, Channel.Interpol, "INTERPOL-NCB-ASTANA", false, true)]
    [InlineData(HandlingCode.NoOtherChannels, Channel.Interpol, "INTERPOL-NCB-ASTANA", false, false)]
    [InlineData(HandlingCode.NoOtherChannels, Channel.Interpol, "INTERPOL-NCB-ASTANA", true, true)]
    [InlineData(HandlingCode.NoOtherChannels, Channel.TwentyFourSeven, "FR-CYBER247", false, true)]
    [InlineData(HandlingCode.NoThirdParties, Channel.TwentyFourSeven, "FR-CYBER247", false, false)]
    [InlineData(HandlingCode.NoThirdParties, Channel.TwentyFourSeven, "FR-CYBER247", true, true)]
    public void Forwarding_obeys_the_handling_code_and_a_refusal_is_recorded(HandlingCode code, Channel to, string partner, bool consent, bool allowed)
    {
        var state = Fold(new ItemRegistered(Id, "KZ-NCP-2026-000001", WorkItemKind.Request, Direction.Incoming, Fields(code: code), Officer, Now));
        var command = new CheckForwarding(to, partner, consent, Officer);

        if (allowed)
        {
            Assert.Empty(WorkItemDecider.Decide(state, command, Now));
        }
        else
        {
            var refusal = Assert.Throws<RecordedRefusal>(() => WorkItemDecider.Decide(state, command, Now));
            Assert.Equal("handling-code-forbids", refusal.Rule);
            Assert.Equal(new DisseminationRefused(Id, code, to, partner, "forward", Officer, Now), refusal.Recorded);
        }
    }

    [Fact]
    public void Linking_into_another_channel_is_refused_for_a_no_other_channels_item_and_linking_twice_adds_nothing()
    {
        var state = Fold(new ItemRegistered(Id, "KZ-NCP-2026-000001", WorkItemKind.Request, Direction.Incoming, Fields(code: HandlingCode.NoOtherChannels), Officer, Now));
        var target = Guid.CreateVersion7();

        Assert.Throws<RecordedRefusal>(() => WorkItemDecider.Decide(
            state, new LinkItem(target, "KZ-NCP-2026-000002", Channel.Interpol, "INTERPOL-NCB-ASTANA", LinkType.SameCriminalCase, Officer), Now));

        var sameChannel = new LinkItem(target, "KZ-NCP-2026-000002", Channel.TwentyFourSeven, "FR-CYBER247", LinkType.SameCriminalCase, Officer);
        var linked = WorkItemDecider.Decide(state, sameChannel, Now).Aggregate(state, WorkItemDecider.Evolve);
        Assert.Empty(WorkItemDecider.Decide(linked, sameChannel, Now));
    }

    [Theory]
    [InlineData(new string[0], "mail-received")]
    [InlineData(new[] { "KZ-NCP-2026-000007" }, "mail-received foreign-item-quoted")]
    public void A_partners_mail_is_recorded_once_with_what_it_quoted_of_other_partners_items(string[] foreign, string recorded)
    {
        var state = Fold(new ItemRegistered(Id, "KZ-NCP-2026-000001", WorkItemKind.Request, Direction.Incoming, Fields(), Officer, Now));
        var mail = new MailReceived(
            Guid.Empty, Guid.CreateVersion7(), "m1@partner.example", "FR-CYBER247", "cyber@partner.example", "Re", "Text", null, "plaintext",
            "missing-signature: not signed", null, [], null, Now, default);

        var events = WorkItemDecider.Decide(state, new RecordMailReceived(mail, foreign), Now);

        var names = events.Select(e => e switch { MailReceived => "mail-received", ForeignItemQuoted => "foreign-item-quoted", _ => "?" });
        Assert.Equal(recorded, string.Join(' ', names));
        Assert.False(Assert.IsType<MailReceived>(events[0]).SenderProven());
        Assert.All(events.OfType<ForeignItemQuoted>(), q => Assert.Equal(foreign, q.RegisterNumbers));
        Assert.Empty(WorkItemDecider.Decide(events.Aggregate(state, WorkItemDecider.Evolve), new RecordMailReceived(mail, foreign), Now));
    }

    private static WorkItem Given(string item, string status)
    {
        var direction = item.StartsWith("Incoming", StringComparison.Ordinal) ? Direction.Incoming : Direction.Outgoing;
        var kind = Enum.Parse<WorkItemKind>(item.Split(':')[1]);
        var state = Fold(new ItemRegistered(Id, "KZ-NCP-2026-000001", kind, direction, Fields(), Officer, Now));
        foreach (var step in Histories[status])
        {
            var command = step == "send" && direction == Direction.Incoming ? null : Commands[step]();
            if (command is not null)
            {
                state = WorkItemDecider.Decide(state, command, Now).Aggregate(state, WorkItemDecider.Evolve);
            }
        }

        return state;
    }

    private static WorkItem Fold(params object[] events) => events.Aggregate(WorkItem.Initial, WorkItemDecider.Evolve);
}

public sealed class EscalationDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly Actor Officer = new("officer-1", "Officer One");
    private static readonly Guid Id = Guid.CreateVersion7();

    private static readonly Ncp.Api.Deadlines.ItemDeadlines Deadlines = new(
        "urgent-request", Now, Now.AddHours(2), Now.AddHours(8), null,
        [new("reply-by:50%", Now.AddHours(4), [Ncp.Api.Deadlines.Recipient.AssignedOfficer], false, Ncp.Api.Deadlines.SuggestedAction.None)]);

    private static WorkItem Registered(Direction direction = Direction.Outgoing)
    {
        var fields = new ItemFields("DE-CYBER247", "DE", Channel.TwentyFourSeven, "x", CrimeCategory.ComputerCrime, Priority.Urgent, null, null, [RequestedData.TrafficData], null, "en", HandlingCode.Open, null, null);
        return WorkItemDecider.Evolve(WorkItem.Initial, new ItemRegistered(Id, "KZ-NCP-2026-000001", WorkItemKind.Request, direction, fields, Officer, Now));
    }

    private static WorkItem Sent(Ncp.Api.Deadlines.ItemDeadlines? deadlines = null)
    {
        var state = Registered();
        var sent = WorkItemDecider.Decide(state, new SendItem(Officer, deadlines ?? Deadlines), Now);
        Assert.Equal([typeof(ItemSent), typeof(DeadlinesSet)], sent.Select(e => e.GetType()));
        return sent.Aggregate(state, WorkItemDecider.Evolve);
    }

    [Fact]
    public void A_rung_is_recorded_once_however_often_the_wake_up_comes()
    {
        var state = Sent();
        var first = WorkItemDecider.Decide(state, new RecordEscalation("reply-by:50%", Now.AddHours(4)), Now.AddHours(4));
        Assert.IsType<DeadlineEscalated>(Assert.Single(first));

        state = first.Aggregate(state, WorkItemDecider.Evolve);
        Assert.Empty(WorkItemDecider.Decide(state, new RecordEscalation("reply-by:50%", Now.AddHours(4)), Now.AddHours(4)));
    }

    [Fact]
    public void An_extension_moves_the_rungs_not_yet_reached_and_must_be_later()
    {
        var state = Sent();
        var later = Deadlines with { ReplyBy = Now.AddHours(20), Steps = [Deadlines.Steps[0] with { DueAt = Now.AddHours(10) }] };

        var refused = Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(
            state, new ExtendDeadline(Ncp.Api.Deadlines.Anchor.ReplyBy, Now.AddHours(8), "No", later, Officer), Now));
        Assert.Equal("extension-must-be-later", refused.Rule);

        var extended = Assert.IsType<DeadlineExtended>(Assert.Single(WorkItemDecider.Decide(
            state, new ExtendDeadline(Ncp.Api.Deadlines.Anchor.ReplyBy, Now.AddHours(20), "Partner asked for time", later, Officer), Now)));
        Assert.Equal(Now.AddHours(10), Assert.Single(extended.Rescheduled).DueAt);

        state = WorkItemDecider.Evolve(state, extended);
        Assert.Empty(WorkItemDecider.Decide(state, new RecordEscalation("reply-by:50%", Now.AddHours(4)), Now.AddHours(4)));
        Assert.Single(WorkItemDecider.Decide(state, new RecordEscalation("reply-by:50%", Now.AddHours(10)), Now.AddHours(10)));
    }

    [Fact]
    public void A_paused_clock_records_no_escalation_and_cannot_be_extended_until_it_resumes()
    {
        var state = WorkItemDecider.Decide(Sent(), new PauseDeadlines("Waiting on the Prosecutor General's Office", Officer), Now)
            .Aggregate(Sent(), WorkItemDecider.Evolve);

        Assert.Empty(WorkItemDecider.Decide(state, new RecordEscalation("reply-by:50%", Now.AddHours(4)), Now.AddHours(4)));
        Assert.Equal("deadlines-paused", Assert.Throws<DomainRuleViolation>(() =>
            WorkItemDecider.Decide(state, new ExtendDeadline(Ncp.Api.Deadlines.Anchor.ReplyBy, Now.AddDays(9), "x", Deadlines, Officer), Now)).Rule);

        var resumed = Assert.IsType<DeadlinesResumed>(Assert.Single(WorkItemDecider.Decide(state, new ResumeDeadlines(Deadlines, Officer), Now.AddHours(3))));
        Assert.Equal(TimeSpan.FromHours(3), resumed.PausedFor);
    }

    [Fact]
    public void An_escalation_is_acknowledged_once_and_only_once_raised()
    {
        var state = Sent();
        Assert.Equal("escalation-not-raised", Assert.Throws<DomainRuleViolation>(() =>
            WorkItemDecider.Decide(state, new AcknowledgeEscalation("reply-by:50%", Officer), Now)).Rule);

        state = WorkItemDecider.Decide(state, new RecordEscalation("reply-by:50%", Now.AddHours(4)), Now.AddHours(4)).Aggregate(state, WorkItemDecider.Evolve);
        var acknowledged = WorkItemDecider.Decide(state, new AcknowledgeEscalation("reply-by:50%", Officer), Now.AddHours(5));
        Assert.IsType<EscalationAcknowledged>(Assert.Single(acknowledged));
        state = acknowledged.Aggregate(state, WorkItemDecider.Evolve);
        Assert.Empty(WorkItemDecider.Decide(state, new AcknowledgeEscalation("reply-by:50%", Officer), Now.AddHours(6)));
    }

    [Fact]
    public void A_wake_up_for_a_moved_rung_an_unknown_rung_or_an_ended_item_records_nothing()
    {
        var state = Sent();
        Assert.Empty(WorkItemDecider.Decide(state, new RecordEscalation("reply-by:50%", Now.AddHours(3)), Now.AddHours(4)));
        Assert.Empty(WorkItemDecider.Decide(state, new RecordEscalation("reply-by:99%", Now.AddHours(4)), Now.AddHours(4)));

        var withdrawn = WorkItemDecider.Decide(state, new WithdrawItem("No longer needed", Officer), Now).Aggregate(state, WorkItemDecider.Evolve);
        Assert.Empty(WorkItemDecider.Decide(withdrawn, new RecordEscalation("reply-by:50%", Now.AddHours(4)), Now.AddHours(4)));
    }

    private static WorkItem After(WorkItem state, object command, DateTimeOffset? at = null) =>
        WorkItemDecider.Decide(state, command, at ?? Now).Aggregate(state, WorkItemDecider.Evolve);

    private static string RemindRefused(WorkItem state, DateTimeOffset at) =>
        Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(state, new RemindPartner(null, Officer), at)).Rule;

    [Fact]
    public void An_officer_reminds_the_partner_while_a_sent_item_awaits_its_reply()
    {
        foreach (var state in new[] { Sent(), After(Sent(), new AcknowledgeItem(null, Officer)), After(Sent(), new RecordAnswer(AnswerExtent.Partial, "Part", Officer)) })
        {
            var reminded = Assert.IsType<PartnerReminded>(Assert.Single(WorkItemDecider.Decide(state, new RemindPartner("Partner called, lost the mail", Officer), Now)));
            Assert.Equal(new PartnerReminded(Id, "Partner called, lost the mail", Officer, Now), reminded);
        }
    }

    [Fact]
    public void A_reminder_is_refused_for_a_draft_an_incoming_an_answered_an_ended_or_a_paused_item()
    {
        Assert.Equal("reminder-needs-an-awaited-reply", RemindRefused(Registered(), Now));
        Assert.Equal("only-outgoing-items-are-reminded", RemindRefused(Registered(Direction.Incoming), Now));
        Assert.Equal("reminder-needs-an-awaited-reply", RemindRefused(After(Sent(), new RecordAnswer(AnswerExtent.Full, "All", Officer)), Now));
        Assert.Equal("reminder-needs-an-awaited-reply", RemindRefused(After(Sent(), new WithdrawItem("No longer needed", Officer)), Now));
        Assert.Equal("deadlines-paused", RemindRefused(After(Sent(), new PauseDeadlines("Waiting on the prosecutor", Officer)), Now));
    }

    [Fact]
    public void A_second_reminder_within_the_interval_is_refused_saying_when_the_next_is_possible()
    {
        var reminded = After(Sent(), new RemindPartner(null, Officer));
        var next = Now + WorkItemDecider.ReminderInterval;

        var refused = Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(reminded, new RemindPartner(null, Officer), next.AddMinutes(-1)));
        Assert.Equal("reminder-too-soon", refused.Rule);
        Assert.Contains($"{next:u}", refused.Message, StringComparison.Ordinal);
        Assert.IsType<PartnerReminded>(Assert.Single(WorkItemDecider.Decide(reminded, new RemindPartner(null, Officer), next)));
    }

    [Fact]
    public void A_rung_that_reminded_the_partner_counts_as_the_last_reminder()
    {
        var rung = new Ncp.Api.Deadlines.ScheduledStep("reply-by:75%", Now.AddHours(6), [], true, Ncp.Api.Deadlines.SuggestedAction.None);
        var state = Sent(Deadlines with { Steps = [rung] });
        state = After(state, new RecordEscalation(rung.Name, rung.DueAt), rung.DueAt);

        Assert.Equal("reminder-too-soon", RemindRefused(state, rung.DueAt.AddMinutes(10)));
        Assert.Single(WorkItemDecider.Decide(state, new RemindPartner(null, Officer), rung.DueAt + WorkItemDecider.ReminderInterval));
    }
}
