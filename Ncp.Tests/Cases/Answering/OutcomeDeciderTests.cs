using Ncp.Api.Cases;
using Ncp.Api.Cases.Answering;

namespace Ncp.Tests.Cases.Answering;

/// <summary>Given a history, when an answer with its outcome or a correction, then the outcome on record or the rule that refuses it.</summary>
public sealed class OutcomeDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly Actor Officer = new("officer-1", "Officer One");
    private static readonly Guid Id = Guid.Parse("01930000-0000-7000-8000-000000000002");

    private static readonly Outcome Provided = new(AnswerOutcome.DataProvided, null, CaseEffect.SuspectIdentified);

    private static readonly Dictionary<string, Func<object>> Commands = new()
    {
        ["send"] = () => new SendItem(Officer),
        ["partial"] = () => new RecordAnswer(AnswerExtent.Partial, "Subscriber data", Officer, new(AnswerOutcome.PartlyProvided, null, null)),
        ["full"] = () => new RecordAnswer(AnswerExtent.Full, "All the logs", Officer, Provided),
        ["full-untold"] = () => new RecordAnswer(AnswerExtent.Full, "All the logs", Officer),
        ["refused-no-ground"] = () => new RecordAnswer(AnswerExtent.Full, "Refused", Officer, new(AnswerOutcome.Refused, " ", null)),
        ["correct"] = () => new CorrectAnswerOutcome(new(AnswerOutcome.NoLongerRetained, null, CaseEffect.NoneYet), "The logs were overwritten", Officer),
        ["correct-to-provided"] = () => new CorrectAnswerOutcome(Provided, "Read the answer again", Officer),
        ["close"] = () => new CloseItem("Done", Officer),
        ["withdraw"] = () => new WithdrawItem("No longer needed", Officer),
    };

    private static readonly Dictionary<string, string[]> Histories = new()
    {
        ["Sent"] = ["send"],
        ["PartlyAnswered"] = ["send", "partial"],
        ["Answered"] = ["send", "full"],
        ["AnsweredBeforeOutcomes"] = ["send", "full-untold"],
        ["Closed"] = ["send", "full", "close"],
        ["Withdrawn"] = ["send", "withdraw"],
    };

    // Cells: the outcome on record afterwards, "-" for none, or "!" and the rule that refuses the command.
    private static readonly string[] Columns = ["full", "refused-no-ground", "correct", "correct-to-provided"];

    public static TheoryData<string, string, string, string> OutgoingRequest => DeciderTable.Of(Columns, Direction.Outgoing, WorkItemKind.Request, new()
    {
        ["Sent"] = ["DataProvided", "!refusal-needs-a-ground", "!outcome-needs-an-answer", "!outcome-needs-an-answer"],
        ["PartlyAnswered"] = ["DataProvided", "!refusal-needs-a-ground", "NoLongerRetained", "DataProvided"],
        ["Answered"] = ["!answer-needs-an-open-request", "!answer-needs-an-open-request", "NoLongerRetained", "!outcome-unchanged"],
        ["AnsweredBeforeOutcomes"] = ["!answer-needs-an-open-request", "!answer-needs-an-open-request", "NoLongerRetained", "DataProvided"],
        ["Closed"] = ["!answer-needs-an-open-request", "!answer-needs-an-open-request", "NoLongerRetained", "!outcome-unchanged"],
        ["Withdrawn"] = ["!answer-needs-an-open-request", "!answer-needs-an-open-request", "!outcome-needs-an-answer", "!outcome-needs-an-answer"],
    });

    [Theory]
    [MemberData(nameof(OutgoingRequest))]
    public void An_outcome_is_recorded_with_the_answer_and_corrected_only_after_one(string item, string history, string command, string expected)
    {
        var state = Given(item, history);

        if (expected.StartsWith('!'))
        {
            var refused = Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(state, Commands[command](), Now));
            Assert.Equal(expected[1..], refused.Rule);
        }
        else
        {
            var after = WorkItemDecider.Decide(state, Commands[command](), Now).Aggregate(state, WorkItemDecider.Evolve);
            Assert.Equal(expected, after.Outcome?.What.ToString() ?? "-");
        }
    }

    [Fact]
    public void A_correction_names_the_outcome_it_replaces_its_reason_who_and_when()
    {
        var state = Given("Outgoing:Request", "Answered");

        var corrected = Assert.IsType<AnswerOutcomeCorrected>(Assert.Single(WorkItemDecider.Decide(state, Commands["correct"](), Now)));

        Assert.Equal(
            new AnswerOutcomeCorrected(Id, AnswerOutcome.NoLongerRetained, null, CaseEffect.NoneYet, AnswerOutcome.DataProvided,
                "The logs were overwritten", Officer, Now),
            corrected);
    }

    [Fact]
    public void A_refusal_keeps_its_ground_and_the_answer_and_its_outcome_are_one_append()
    {
        var state = Given("Outgoing:Request", "Sent");

        var events = WorkItemDecider.Decide(
            state, new RecordAnswer(AnswerExtent.Full, "Refused", Officer, new(AnswerOutcome.Refused, "  Dual criminality ", null)), Now);

        Assert.IsType<AnswerRecorded>(events[0]);
        Assert.Equal(new AnswerOutcomeRecorded(Id, AnswerOutcome.Refused, "Dual criminality", null, Officer, Now), events[1]);
    }

    private static WorkItem Given(string item, string history)
    {
        var parts = item.Split(':');
        var fields = new ItemFields(
            "DE-CYBER247", "DE", Channel.TwentyFourSeven, "IP logs", CrimeCategory.ComputerCrime, Priority.Urgent, null, null,
            [RequestedData.TrafficData], null, "en", HandlingCode.Open, null, null);
        var register = new RegisterItem(
            Id, "KZ-NCP-2026-000001", Enum.Parse<WorkItemKind>(parts[1]), Enum.Parse<Direction>(parts[0]), fields, Officer);
        return Histories[history].Select(c => Commands[c]()).Prepend(register)
            .Aggregate(WorkItem.Initial, (state, command) => WorkItemDecider.Decide(state, command, Now).Aggregate(state, WorkItemDecider.Evolve));
    }
}
