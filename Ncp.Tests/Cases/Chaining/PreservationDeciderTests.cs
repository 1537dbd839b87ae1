using Ncp.Api.Cases;
using Ncp.Api.Cases.Chaining;
using Ncp.Api.Deadlines;

namespace Ncp.Tests.Cases.Chaining;

/// <summary>A preservation's term: confirmed, extended, warned of. Given a history, when a command. No I/O.</summary>
public sealed class PreservationDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly Actor Officer = new("officer-1", "Officer One");
    private static readonly Guid Id = Guid.Parse("01930000-0000-7000-8000-000000000001");
    private static readonly TimeSpan Lead = TimeSpan.FromDays(14);

    private static ItemFields Fields(params RequestedData[] data) => new(
        "DE-CYBER247", "DE", Channel.TwentyFourSeven, "Preserve the logs", CrimeCategory.ComputerCrime, Priority.Urgent, null, null, data,
        null, "en", HandlingCode.Open, null, null);

    private static readonly Dictionary<string, Func<object>> Commands = new()
    {
        ["send"] = () => new SendItem(Officer),
        ["ack"] = () => new AcknowledgeItem(null, Officer, PreservationTerms.Default with { Until = Now.AddDays(30) }),
        ["partial"] = () => new RecordAnswer(AnswerExtent.Partial, "Part preserved", Officer),
        ["full"] = () => new RecordAnswer(AnswerExtent.Full, "Preserved", Officer),
        ["close"] = () => new CloseItem("Done", Officer),
        ["withdraw"] = () => new WithdrawItem("No longer needed", Officer),
        ["refuse"] = () => new RefuseItem("No such account", Officer),
        ["ack-dated"] = () => new AcknowledgeItem("DE-1", Officer, PreservationTerms.Default with { Until = Now.AddDays(60) }),
        ["ack-undated"] = () => new AcknowledgeItem("DE-1", Officer, PreservationTerms.Default),
        ["confirm"] = () => new ConfirmPreservation(Now.AddDays(120), Lead, Officer),
        ["confirm-past"] = () => new ConfirmPreservation(Now.AddDays(-1), Lead, Officer),
        ["extend"] = () => new RequestPreservationExtension(90, Officer),
    };

    private static readonly Dictionary<string, string[]> Histories = new()
    {
        ["Draft"] = [],
        ["Received"] = [],
        ["Sent"] = ["send"],
        ["Acknowledged"] = ["send", "ack"],
        ["PartlyAnswered"] = ["send", "ack", "partial"],
        ["Answered"] = ["send", "ack", "full"],
        ["Closed"] = ["send", "ack", "full", "close"],
        ["Withdrawn"] = ["send", "ack", "withdraw"],
        ["Refused"] = ["send", "refuse"],
    };

    private static readonly string[] Columns = ["ack-dated", "ack-undated", "confirm", "extend", "confirm-past"];

    // Each cell: the events decided (ack, confirmed:<days from now>, extension:<days asked>) or "!" and the rule that refuses.
    public static TheoryData<string, string, string, string> OutgoingPreservation => Table("preservation", new()
    {
        ["Draft"] = ["!only-sent-items-are-acknowledged", "!only-sent-items-are-acknowledged", "!preservation-not-acknowledged", "!preservation-not-confirmed", "!preservation-not-acknowledged"],
        ["Sent"] = ["ack confirmed:60", "ack confirmed:90", "!preservation-not-acknowledged", "!preservation-not-confirmed", "!preservation-not-acknowledged"],
        ["Acknowledged"] = ["!only-sent-items-are-acknowledged", "!only-sent-items-are-acknowledged", "confirmed:120", "extension:90", "!preserved-until-must-be-later"],
        ["PartlyAnswered"] = ["!only-sent-items-are-acknowledged", "!only-sent-items-are-acknowledged", "confirmed:120", "extension:90", "!preserved-until-must-be-later"],
        ["Answered"] = ["!only-sent-items-are-acknowledged", "!only-sent-items-are-acknowledged", "confirmed:120", "extension:90", "!preserved-until-must-be-later"],
        ["Closed"] = ["!only-sent-items-are-acknowledged", "!only-sent-items-are-acknowledged", "!item-has-ended", "!item-has-ended", "!item-has-ended"],
        ["Withdrawn"] = ["!only-sent-items-are-acknowledged", "!only-sent-items-are-acknowledged", "!item-has-ended", "!item-has-ended", "!item-has-ended"],
        ["Refused"] = ["!only-sent-items-are-acknowledged", "!only-sent-items-are-acknowledged", "!item-has-ended", "!item-has-ended", "!item-has-ended"],
    });

    // An item that asks for no preservation, and a partner's preservation request to us, have no term of ours to keep.
    public static IEnumerable<object[]> OtherItems => Table("traffic-data", new()
    {
        ["Sent"] = ["!not-a-preservation", "ack", "!not-a-preservation", "!not-a-preservation", "!not-a-preservation"],
    }).Concat(Table("incoming-preservation", new()
    {
        ["Received"] = ["!not-a-preservation", "ack", "!not-a-preservation", "!not-a-preservation", "!not-a-preservation"],
    }));

    private static TheoryData<string, string, string, string> Table(string item, Dictionary<string, string[]> rows)
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (status, expectations) in rows)
        {
            for (var i = 0; i < Columns.Length; i++)
            {
                data.Add(item, status, Columns[i], expectations[i]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OutgoingPreservation))]
    [MemberData(nameof(OtherItems))]
    public void Every_preservation_command_is_decided_or_refused_by_a_named_rule(
        string item, string status, string command, string expected)
    {
        var state = Given(item, status);

        Assert.Equal(Enum.Parse<WorkItemStatus>(status), state.Status);
        Assert.Equal(expected, Outcome(state, Commands[command]()));
    }

    // The events decided, or "!" and the rule that refused the command.
    private static string Outcome(WorkItem state, object command, DateTimeOffset? at = null)
    {
        try
        {
            return Describe(WorkItemDecider.Decide(state, command, at ?? Now));
        }
        catch (DomainRuleViolation refused)
        {
            return "!" + refused.Rule;
        }
    }

    [Theory]
    [InlineData(60, 46)]
    [InlineData(14, 0)]
    [InlineData(3, 0)]
    public void The_expiry_rung_is_due_the_lead_before_the_expiry_or_at_once_when_less_is_left(int preservedDays, int warnAfterDays)
    {
        var state = Given("preservation", "Sent");
        var terms = PreservationTerms.Default with { Until = Now.AddDays(preservedDays) };
        var events = WorkItemDecider.Decide(state, new AcknowledgeItem(null, Officer, terms), Now);

        var confirmed = Assert.IsType<PreservationConfirmed>(events[1]);
        Assert.Equal(Now.AddDays(warnAfterDays), confirmed.WarnAt);
        Assert.Equal(Officer, confirmed.By);
        Assert.Equal(Now, confirmed.At);
    }

    [Fact]
    public void An_extension_is_asked_for_once_an_hour_and_its_confirmation_moves_the_expiry_and_its_rung()
    {
        var state = Given("preservation", "Acknowledged");
        var asked = WorkItemDecider.Decide(state, new RequestPreservationExtension(90, Officer), Now);
        Assert.Equal(new PreservationExtensionRequested(Id, 90, Now.AddDays(30), Officer, Now), Assert.Single(asked));
        state = asked.Aggregate(state, WorkItemDecider.Evolve);

        Assert.Equal("!extension-requested-recently", Outcome(state, new RequestPreservationExtension(90, Officer), Now.AddMinutes(5)));
        Assert.Single(WorkItemDecider.Decide(state, new RequestPreservationExtension(90, Officer), Now.AddHours(1)));

        var confirmed = WorkItemDecider.Decide(state, new ConfirmPreservation(Now.AddDays(120), Lead, Officer), Now.AddDays(1));
        state = confirmed.Aggregate(state, WorkItemDecider.Evolve);
        Assert.Equal(new PreservationState(Now.AddDays(120), Now.AddDays(106)), state.Preservation);
        Assert.Empty(WorkItemDecider.Decide(state, new ConfirmPreservation(Now.AddDays(120), Lead, Officer), Now.AddDays(1)));
    }

    [Fact]
    public void A_lapsed_preservation_is_not_extended()
    {
        var state = Given("preservation", "Acknowledged");
        Assert.Equal("!preservation-expired", Outcome(state, new RequestPreservationExtension(90, Officer), Now.AddDays(31)));
    }

    // The rung confirmed with the history "send, ack" is due at Now + 16 days (30 days' term, 14 days' lead).
    [Theory]
    [InlineData("Acknowledged", 16, "KZ-NCP-2026-000002", false, "escalated")]
    [InlineData("Acknowledged", 16, null, false, "nothing")]
    [InlineData("Acknowledged", 15, "KZ-NCP-2026-000002", false, "nothing")]
    [InlineData("Acknowledged", 16, "KZ-NCP-2026-000002", true, "nothing")]
    [InlineData("Answered", 16, "KZ-NCP-2026-000002", false, "escalated")]
    [InlineData("Closed", 16, "KZ-NCP-2026-000002", false, "nothing")]
    [InlineData("Sent", 16, "KZ-NCP-2026-000002", false, "nothing")]
    public void The_expiry_rung_tells_the_people_concerned_once_and_only_when_a_follow_up_outlasts_the_preservation(
        string status, int dueInDays, string? outlastedBy, bool alreadyTold, string expected)
    {
        var state = Given("preservation", status);
        var wakeUp = new RecordPreservationExpiring(Now.AddDays(dueInDays), outlastedBy);
        if (alreadyTold)
        {
            state = WorkItemDecider.Decide(state, wakeUp, Now.AddDays(dueInDays)).Aggregate(state, WorkItemDecider.Evolve);
        }

        var events = WorkItemDecider.Decide(state, wakeUp, Now.AddDays(dueInDays));

        Assert.Equal(expected, events.Length == 0 ? "nothing" : "escalated");
        Assert.All(events.Cast<DeadlineEscalated>(), e =>
        {
            Assert.Equal(Preservations.ExpiringStep, e.Step);
            Assert.Equal([Recipient.AssignedOfficer, Recipient.DutyOfficer], e.Notify);
            Assert.Equal(SuggestedAction.ExtendPreservation, e.Suggest);
            Assert.False(e.RemindPartner);
        });
    }

    [Fact]
    public void After_a_confirmed_extension_the_old_rung_is_stale_and_the_new_one_may_tell_again()
    {
        var state = Given("preservation", "Acknowledged");
        state = WorkItemDecider.Decide(state, new RecordPreservationExpiring(Now.AddDays(16), "KZ-NCP-2026-000002"), Now.AddDays(16))
            .Aggregate(state, WorkItemDecider.Evolve);
        state = WorkItemDecider.Decide(state, new ConfirmPreservation(Now.AddDays(120), Lead, Officer), Now.AddDays(17))
            .Aggregate(state, WorkItemDecider.Evolve);

        Assert.Equal("", Outcome(state, new RecordPreservationExpiring(Now.AddDays(16), "KZ-NCP-2026-000002"), Now.AddDays(17)));
        Assert.Equal("escalated", Outcome(state, new RecordPreservationExpiring(Now.AddDays(106), "KZ-NCP-2026-000002"), Now.AddDays(106)));
    }

    private static string Describe(object[] events) => string.Join(' ', events.Select(e => e switch
    {
        ItemAcknowledged => "ack",
        PreservationConfirmed c => $"confirmed:{(c.PreservedUntil - Now).TotalDays}",
        PreservationExtensionRequested x => $"extension:{x.Days}",
        DeadlineEscalated => "escalated",
        _ => e.GetType().Name,
    }));

    private static WorkItem Given(string item, string status)
    {
        var (direction, data) = item switch
        {
            "preservation" => (Direction.Outgoing, new[] { RequestedData.Preservation }),
            "incoming-preservation" => (Direction.Incoming, new[] { RequestedData.Preservation }),
            _ => (Direction.Outgoing, new[] { RequestedData.TrafficData }),
        };
        var registered = new ItemRegistered(Id, "KZ-NCP-2026-000001", WorkItemKind.Request, direction, Fields(data), Officer, Now);
        var state = WorkItemDecider.Evolve(WorkItem.Initial, registered);
        foreach (var step in Histories[status])
        {
            var command = Commands[step]();
            // A history of another item takes the default term: only a preservation has one to give.
            if (command is AcknowledgeItem ack && state.Preservation is null)
            {
                command = ack with { Preservation = null };
            }

            state = WorkItemDecider.Decide(state, command, Now).Aggregate(state, WorkItemDecider.Evolve);
        }

        return state;
    }
}
