using Ncp.Api.Cases;
using Ncp.Api.Cases.Contacting;
using Ncp.Api.Deadlines;

namespace Ncp.Tests.Cases;

/// <summary>
/// The clock follows events: for each status an item can be in, what each kind of rung does when its wake-up comes, and
/// which rungs an acknowledgement or answer cancels. Tables like <see cref="WorkItemDeciderTests"/>; no I/O.
/// </summary>
public sealed class RungDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly Actor Officer = new("officer-1", "Officer One");
    private static readonly Guid Id = Guid.Parse("01930000-0000-7000-8000-000000000002");

    // One rung of each kind, each reminding the partner where the default ladders do: acknowledge-by, reply-by (80%), useful-until.
    private static readonly ScheduledStep[] Ladder =
    [
        new("acknowledge-by:100%", Now.AddHours(2), [Recipient.DutyOfficer], true, SuggestedAction.None, RungKind.Acknowledgement),
        new("reply-by:80%", Now.AddHours(30), [Recipient.AssignedOfficer], true, SuggestedAction.None, RungKind.Reply),
        new("useful-until:-7d", Now.AddHours(40), [Recipient.HeadOfUnit], false, SuggestedAction.UseAnotherChannel,
            Rungs.KindOf(Anchor.UsefulUntil)),
    ];

    private static readonly ItemDeadlines Deadlines = new("test", Now, Now.AddHours(2), Now.AddHours(36), Now.AddHours(47), Ladder);

    private static readonly Dictionary<string, Func<object>> Commands = new()
    {
        ["ack"] = () => new AcknowledgeItem("DE-2026-1", Officer),
        ["partial"] = () => new RecordAnswer(AnswerExtent.Partial, "Part of the logs", Officer),
        ["full"] = () => new RecordAnswer(AnswerExtent.Full, "All the logs", Officer),
        ["close"] = () => new CloseItem("Done", Officer),
        ["withdraw"] = () => new WithdrawItem("No longer needed", Officer),
        ["refuse"] = () => new RefuseItem("Outside jurisdiction", Officer),
        ["pause"] = () => new PauseDeadlines("Waiting on the prosecutor", Officer),
        ["call:ack"] = () => Call(ContactCountsAs.Acknowledgement),
        ["call:partial"] = () => Call(ContactCountsAs.PartialAnswer),
        ["call:full"] = () => Call(ContactCountsAs.FullAnswer),
        ["call"] = () => Call(null),
    };

    // History after the clock started at Now: "command@hours" (at Now + hours; 1 h when not said).
    private static readonly Dictionary<string, string[]> Histories = new()
    {
        ["Sent"] = [],
        ["Received"] = [],
        ["Acknowledged"] = ["ack"],
        ["Acknowledged by a call"] = ["call:ack"],
        ["PartlyAnswered a day before"] = ["partial"],
        ["PartlyAnswered within the day"] = ["ack", "partial@20"],
        ["PartlyAnswered by a call within the day"] = ["call:partial@20"],
        ["Answered"] = ["ack", "full"],
        ["Answered by a call"] = ["call:full"],
        ["Closed"] = ["ack", "full", "close"],
        ["Withdrawn"] = ["withdraw"],
        ["Acknowledged then withdrawn"] = ["ack", "withdraw"],
        ["Refused"] = ["refuse"],
        ["Paused"] = ["pause"],
        ["Called, counting as nothing"] = ["call"],
    };

    // Columns: the three rungs. "remind": escalated and the partner reminded; "tell": escalated, our people only; "-": nothing.
    private static readonly string[] Columns = ["acknowledge-by:100%", "reply-by:80%", "useful-until:-7d"];

    public static TheoryData<string, string, string, string> OutgoingRequest => Table(Direction.Outgoing, WorkItemKind.Request, new()
    {
        ["Sent"] = ["remind", "remind", "tell"],
        ["Acknowledged"] = ["-", "remind", "tell"],
        ["Acknowledged by a call"] = ["-", "remind", "tell"],
        ["PartlyAnswered a day before"] = ["-", "remind", "tell"],
        ["PartlyAnswered within the day"] = ["-", "tell", "tell"],
        ["PartlyAnswered by a call within the day"] = ["-", "tell", "tell"],
        ["Answered"] = ["-", "-", "-"],
        ["Answered by a call"] = ["-", "-", "-"],
        ["Closed"] = ["-", "-", "-"],
        ["Withdrawn"] = ["-", "-", "-"],
        ["Refused"] = ["-", "-", "-"],
        ["Paused"] = ["-", "-", "-"],
        ["Called, counting as nothing"] = ["remind", "remind", "tell"],
    });

    // Incoming: the rungs wait for our acknowledgement and our answer (the reminder flag is the ladder's; no mail reminds a
    // partner of our own work).
    public static TheoryData<string, string, string, string> IncomingRequest => Table(Direction.Incoming, WorkItemKind.Request, new()
    {
        ["Received"] = ["remind", "remind", "tell"],
        ["Acknowledged"] = ["-", "remind", "tell"],
        ["Acknowledged by a call"] = ["-", "remind", "tell"],
        ["PartlyAnswered within the day"] = ["-", "tell", "tell"],
        ["Answered"] = ["-", "-", "-"],
        ["Answered by a call"] = ["-", "-", "-"],
        ["Closed"] = ["-", "-", "-"],
        ["Withdrawn"] = ["-", "-", "-"],
        ["Refused"] = ["-", "-", "-"],
    });

    // An initiative message is never answered: its acknowledgement is all its rungs wait for.
    public static TheoryData<string, string, string, string> OutgoingInitiative => Table(
        Direction.Outgoing, WorkItemKind.InitiativeMessage, new()
    {
        ["Sent"] = ["remind", "remind", "tell"],
        ["Acknowledged"] = ["-", "-", "-"],
        ["Acknowledged by a call"] = ["-", "-", "-"],
        ["Withdrawn"] = ["-", "-", "-"],
    });

    private static TheoryData<string, string, string, string> Table(
        Direction direction, WorkItemKind kind, Dictionary<string, string[]> rows) =>
        DeciderTable.Of(Columns, direction, kind, rows);

    [Theory]
    [MemberData(nameof(OutgoingRequest))]
    [MemberData(nameof(IncomingRequest))]
    [MemberData(nameof(OutgoingInitiative))]
    public void Every_rung_fires_or_not_according_to_the_status_the_item_is_in(string item, string history, string rung, string expected)
    {
        var state = Given(item, history);
        var step = Ladder.Single(s => s.Name == rung);

        var events = WorkItemDecider.Decide(state, new RecordEscalation(step.Name, step.DueAt), step.DueAt);

        var got = events.Length == 0 ? "-" : Assert.IsType<DeadlineEscalated>(Assert.Single(events)).RemindPartner ? "remind" : "tell";
        Assert.Equal(expected, got);
    }

    // From a status, a command: the rungs it cancels (in due order), "" for none.
    [Theory]
    [InlineData("Outgoing:Request", "Sent", "ack", "acknowledge-by:100%")]
    [InlineData("Outgoing:Request", "Sent", "partial", "acknowledge-by:100%")]
    [InlineData("Outgoing:Request", "Sent", "full", "acknowledge-by:100% reply-by:80% useful-until:-7d")]
    [InlineData("Outgoing:Request", "Sent", "call:ack", "acknowledge-by:100%")]
    [InlineData("Outgoing:Request", "Sent", "call:full", "acknowledge-by:100% reply-by:80% useful-until:-7d")]
    [InlineData("Outgoing:Request", "Sent", "call", "")]
    [InlineData("Outgoing:Request", "Acknowledged", "partial", "")]
    [InlineData("Outgoing:Request", "Acknowledged", "full", "reply-by:80% useful-until:-7d")]
    [InlineData("Outgoing:Request", "PartlyAnswered a day before", "partial", "")]
    [InlineData("Outgoing:Request", "PartlyAnswered a day before", "full", "reply-by:80% useful-until:-7d")]
    [InlineData("Incoming:Request", "Received", "ack", "acknowledge-by:100%")]
    [InlineData("Incoming:Request", "Acknowledged", "call:full", "reply-by:80% useful-until:-7d")]
    [InlineData("Outgoing:InitiativeMessage", "Sent", "ack", "acknowledge-by:100% reply-by:80% useful-until:-7d")]
    public void An_acknowledgement_or_answer_cancels_the_rungs_that_waited_for_it(
        string item, string history, string command, string cancelled)
    {
        var state = Given(item, history);

        var events = WorkItemDecider.Decide(state, Commands[command](), Now.AddHours(1));

        var cancel = events.OfType<DeadlineRungsCancelled>().SingleOrDefault();
        Assert.Equal(cancelled, string.Join(' ', cancel?.Steps ?? []));
        if (cancel is not null)
        {
            Assert.Equal(events.Aggregate(state, WorkItemDecider.Evolve).Status, cancel.Status);
        }
    }

    [Fact]
    public void A_rung_that_already_fired_is_not_cancelled_again()
    {
        var state = Given("Outgoing:Request", "Sent");
        var ack = Ladder[0];
        state = Apply(state, new RecordEscalation(ack.Name, ack.DueAt), ack.DueAt);

        Assert.Empty(WorkItemDecider.Decide(state, Commands["ack"](), ack.DueAt.AddHours(1)).OfType<DeadlineRungsCancelled>());
    }

    [Fact]
    public void A_rung_recorded_before_rungs_had_a_kind_is_known_by_its_name()
    {
        Assert.Equal(RungKind.Acknowledgement, Rungs.KindOf(Ladder[0] with { Kind = null }));
        Assert.Equal(RungKind.Reply, Rungs.KindOf(Ladder[1] with { Kind = null }));
        Assert.Equal(RungKind.Reply, Rungs.KindOf(Ladder[2] with { Kind = null }));
        // A ladder placed now says it outright: acknowledge-by, reply-by 80% and 100%, useful-until.
        Assert.Equal([RungKind.Acknowledgement, RungKind.Reply, RungKind.Reply, RungKind.Reply],
            DeadlineCalculator.Place(
                    DefaultPolicies.All.Single(p => p.Name == "preservation"), Now, Now.AddHours(8), Now.AddDays(2), Now.AddDays(90))
                .Steps.Select(s => s.Kind!.Value));
    }

    [Theory]
    [InlineData("Closed", "Answered", "")]
    [InlineData("Withdrawn", "Sent", "acknowledge-by:100% reply-by:80% useful-until:-7d")]
    [InlineData("Acknowledged then withdrawn", "Acknowledged", "reply-by:80% useful-until:-7d")]
    public void Reopening_plans_the_clock_again_with_the_rungs_the_status_still_waits_for(string ended, string returnsTo, string scheduled)
    {
        var state = Given("Outgoing:Request", ended);
        var reopenedAt = Now.AddDays(10);
        var fresh = Deadlines with { Start = reopenedAt, Steps = [.. Ladder.Select(s => s with { DueAt = s.DueAt.AddDays(10) })] };

        var events = WorkItemDecider.Decide(state, new ReopenItem("New facts", Officer, fresh), reopenedAt);

        Assert.Equal(Enum.Parse<WorkItemStatus>(returnsTo), Assert.IsType<ItemReopened>(events[0]).ReturnedTo);
        var steps = events.OfType<DeadlinesSet>().SingleOrDefault()?.Deadlines.Steps ?? [];
        Assert.Equal(scheduled, string.Join(' ', steps.Select(s => s.Name)));
        var after = events.Aggregate(state, WorkItemDecider.Evolve);
        foreach (var step in steps)
        {
            // The rungs fired before the end fire again on the new clock.
            var fired = WorkItemDecider.Decide(after, new RecordEscalation(step.Name, step.DueAt), step.DueAt);
            Assert.IsType<DeadlineEscalated>(Assert.Single(fired));
        }
    }

    [Fact]
    public void A_contact_counted_as_acknowledgement_obeys_the_acknowledgement_rules_and_marks_its_events()
    {
        var acknowledged = Given("Outgoing:Request", "Acknowledged");
        Assert.Equal("only-sent-items-are-acknowledged",
            Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(acknowledged, Commands["call:ack"](), Now.AddHours(1))).Rule);
        Assert.Equal("initiative-messages-are-not-answered",
            Assert.Throws<DomainRuleViolation>(() =>
                WorkItemDecider.Decide(Given("Outgoing:InitiativeMessage", "Sent"), Commands["call:full"](), Now)).Rule);

        var call = (LogContact)Commands["call:ack"]();
        var events = WorkItemDecider.Decide(Given("Outgoing:Request", "Sent"), call, Now.AddHours(1));

        Assert.Equal([typeof(ContactLogged), typeof(ItemAcknowledged), typeof(DeadlineRungsCancelled)], events.Select(e => e.GetType()));
        Assert.Equal(call.ContactId, Assert.IsType<ContactLogged>(events[0]).ContactId);
        var acknowledgement = Assert.IsType<ItemAcknowledged>(events[1]);
        Assert.Equal((call.ContactId, "BKA-7", Officer), (acknowledgement.ContactId, acknowledgement.PartnerReference, acknowledgement.By));
    }

    private static LogContact Call(ContactCountsAs? countsAs) =>
        new(Guid.CreateVersion7(), ContactMeans.Phone, Direction.Incoming, Now, "Sgt. Weber, BKA", "Confirmed receipt by phone", [],
            countsAs, "BKA-7", Officer);

    private static WorkItem Given(string item, string history)
    {
        var direction = item.StartsWith("Incoming", StringComparison.Ordinal) ? Direction.Incoming : Direction.Outgoing;
        var kind = Enum.Parse<WorkItemKind>(item.Split(':')[1]);
        var fields = new ItemFields(
            "DE-CYBER247", "DE", Channel.TwentyFourSeven, "IP logs", CrimeCategory.ComputerCrime, Priority.Urgent, null, null,
            [RequestedData.TrafficData], null, "en", HandlingCode.Open, null, null);
        var registered = new ItemRegistered(Id, "KZ-NCP-2026-000002", kind, direction, fields, Officer, Now);
        var state = WorkItemDecider.Evolve(WorkItem.Initial, registered);
        state = Apply(state, direction == Direction.Outgoing ? new SendItem(Officer, Deadlines) : null, Now);
        if (direction == Direction.Incoming)
        {
            state = WorkItemDecider.Evolve(state, new DeadlinesSet(Id, Deadlines, Now));
        }

        foreach (var entry in Histories[history])
        {
            var parts = entry.Split('@');
            var hours = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
            state = Apply(state, Commands[parts[0]](), Now.AddHours(hours));
        }

        return state;
    }

    private static WorkItem Apply(WorkItem state, object? command, DateTimeOffset at) =>
        command is null ? state : WorkItemDecider.Decide(state, command, at).Aggregate(state, WorkItemDecider.Evolve);
}
