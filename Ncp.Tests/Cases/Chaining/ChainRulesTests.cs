using Ncp.Api.Cases;
using Ncp.Api.Cases.Chaining;
using Ncp.Api.Deadlines;

namespace Ncp.Tests.Cases.Chaining;

/// <summary>The steps of a preservation → legal assistance → disclosure chain: order, who waits on whom, warnings. No I/O.</summary>
public sealed class ChainRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PreservedUntil = Now.AddDays(90);

    private static ChainFacts Step(
        string number, WorkItemKind kind, WorkItemStatus status, RequestForm? form = null, bool preserving = false,
        DateTimeOffset? until = null, DateTimeOffset? replyBy = null, DateTimeOffset? dueBy = null, bool extensionAsked = false,
        Direction direction = Direction.Outgoing) =>
        new(
            new ItemDetails
            {
                Id = Guid.CreateVersion7(), RegisterNumber = number, Kind = kind, Status = status, Direction = direction,
                PartnerCode = "DE-CYBER247",
                RegisteredAt = Now, SentAt = status == WorkItemStatus.Draft ? null : Now, DueBy = dueBy,
                Deadlines = replyBy is { } r ? new ItemDeadlines("p", Now, Now.AddDays(1), r, null, []) : null,
            },
            new ChainMember
            {
                Form = form, Preserving = preserving, PreservedUntil = until, ExtensionRequestedAt = extensionAsked ? Now : null,
                Direction = direction,
            });

    private static ChainFacts Preservation(
        WorkItemStatus status = WorkItemStatus.Acknowledged, bool confirmed = true, bool extensionAsked = false) =>
        Step("P", WorkItemKind.Request, status, RequestForm.Preservation, preserving: true, until: confirmed ? PreservedUntil : null,
            extensionAsked: extensionAsked);

    // Rows: the preservation's state, the follow-up's kind, form, status and expected answer (days from now); whether the chain warns.
    [Theory]
    [InlineData("confirmed", "legal-assistance", "Sent", 120, true)]
    [InlineData("confirmed", "legal-assistance", "Sent", 60, false)]
    [InlineData("confirmed", "legal-assistance", "Acknowledged", 120, true)]
    [InlineData("confirmed", "legal-assistance", "PartlyAnswered", 120, true)]
    [InlineData("confirmed", "legal-assistance", "Answered", 120, false)]
    [InlineData("confirmed", "legal-assistance", "Closed", 120, false)]
    [InlineData("confirmed", "legal-assistance", "Withdrawn", 120, false)]
    [InlineData("confirmed", "legal-assistance-draft-due", "Draft", 120, true)]
    [InlineData("confirmed", "disclosure", "Sent", 120, true)]
    [InlineData("confirmed", "other-request", "Sent", 120, false)]
    [InlineData("unconfirmed", "legal-assistance", "Sent", 120, false)]
    [InlineData("closed", "legal-assistance", "Sent", 120, false)]
    [InlineData("withdrawn", "legal-assistance", "Sent", 120, false)]
    public void The_chain_warns_when_a_follow_up_awaiting_its_answer_expects_it_after_the_preservation_lapses(
        string preservation, string followUp, string status, int expectedInDays, bool warns)
    {
        var p = preservation switch
        {
            "unconfirmed" => Preservation(WorkItemStatus.Sent, confirmed: false),
            "closed" => Preservation(WorkItemStatus.Closed),
            "withdrawn" => Preservation(WorkItemStatus.Withdrawn),
            _ => Preservation(),
        };
        var s = Enum.Parse<WorkItemStatus>(status);
        var expected = Now.AddDays(expectedInDays);
        var f = followUp switch
        {
            "legal-assistance" => Step("M", WorkItemKind.LegalAssistanceTask, s, replyBy: expected),
            "legal-assistance-draft-due" => Step("M", WorkItemKind.LegalAssistanceTask, s, dueBy: expected),
            "disclosure" => Step("M", WorkItemKind.Request, s, RequestForm.Disclosure, replyBy: expected),
            _ => Step("M", WorkItemKind.Request, s, RequestForm.StoredData, replyBy: expected),
        };

        var warnings = ChainRules.Warnings(ChainRules.Order([f, p]));

        Assert.Equal(warns, warnings.Count == 1);
        Assert.All(warnings, w => Assert.Equal(
            new ChainWarning(ChainRules.ExpiresBeforeAnswer, "P", "M", PreservedUntil, expected, false), w));
    }

    // Rows: the step and its status; who waits on whom and for what.
    [Theory]
    [InlineData("preservation", "Draft", "ncp ncp sending")]
    [InlineData("preservation", "Sent", "ncp DE-CYBER247 acknowledgement")]
    [InlineData("preservation-unconfirmed", "Acknowledged", "ncp DE-CYBER247 confirmation")]
    [InlineData("preservation", "Acknowledged", "DE-CYBER247 ncp legal-assistance-request")]
    [InlineData("preservation-with-sent-mla", "Acknowledged", "ncp DE-CYBER247 preserving")]
    [InlineData("preservation-extension-asked", "Acknowledged", "ncp DE-CYBER247 extension-confirmation")]
    [InlineData("preservation", "Closed", "  nothing")]
    [InlineData("legal-assistance", "Draft", "ncp ncp sending")]
    [InlineData("legal-assistance", "Acknowledged", "ncp DE-CYBER247 answer")]
    [InlineData("legal-assistance", "Answered", "  nothing")]
    [InlineData("incoming", "Received", "DE-CYBER247 ncp our-answer")]
    public void Each_step_says_who_waits_on_whom(string step, string status, string expected)
    {
        var s = Enum.Parse<WorkItemStatus>(status);
        var mla = Step("M", WorkItemKind.LegalAssistanceTask, WorkItemStatus.Sent, replyBy: Now.AddDays(60));
        var (facts, chain) = step switch
        {
            "preservation-unconfirmed" => (Preservation(s, confirmed: false), new List<ChainFacts>()),
            "preservation-with-sent-mla" => (Preservation(s), [mla]),
            "preservation-extension-asked" => (Preservation(s, extensionAsked: true), []),
            "preservation" => (Preservation(s, confirmed: s != WorkItemStatus.Draft && s != WorkItemStatus.Sent), []),
            "legal-assistance" => (Step("M", WorkItemKind.LegalAssistanceTask, s, replyBy: Now.AddDays(60)), []),
            _ => (Step("I", WorkItemKind.Request, s, direction: Direction.Incoming, dueBy: Now.AddDays(2)), []),
        };
        chain.Add(facts);

        var wait = ChainRules.Wait(facts, ChainRules.Order(chain));

        Assert.Equal(expected, $"{wait.Who} {wait.OnWhom} {wait.For}");
    }

    [Fact]
    public void Preservations_come_first_then_legal_assistance_then_disclosure()
    {
        var chain = ChainRules.Order(
        [
            Step("D", WorkItemKind.Request, WorkItemStatus.Draft, RequestForm.Disclosure),
            Step("M", WorkItemKind.LegalAssistanceTask, WorkItemStatus.Sent),
            Preservation(),
        ]);

        Assert.Equal(["P", "M", "D"], chain.Select(s => s.Item.RegisterNumber));
        Assert.Equal([ChainRole.Preservation, ChainRole.LegalAssistance, ChainRole.Disclosure], chain.Select(s => s.Role));
    }
}
