using System.Net;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Answering;

[Collection(NcpCollection.Name)]
public sealed class AnswerOutcomeTests(NcpSystem ncp)
{
    [Fact]
    public async Task An_answer_records_its_outcome_and_a_correction_keeps_both_on_the_timeline()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        var number = item.Number();
        item = await duty.ActAsync(number, "send", ifMatch: item.Version());

        item = await duty.ActAsync(number, "answers",
            new { extent = "full", summary = "Logs", outcome = "data-provided", caseEffect = "suspect-identified" }, item.Version());
        Assert.Equal("data-provided", item.GetProperty("outcome").Str("outcome"));
        Assert.Equal("suspect-identified", item.GetProperty("outcome").Str("effect"));

        item = await duty.ActAsync(number, "outcome",
            new { outcome = "no-longer-retained", reason = "The logs sent were of another day" }, item.Version());
        Assert.Equal("no-longer-retained", item.GetProperty("outcome").Str("outcome"));
        Assert.True(item.GetProperty("outcome").GetProperty("corrected").GetBoolean());

        var timeline = (await duty.GetJsonAsync($"/api/items/{number}")).GetProperty("timeline").EnumerateArray().ToList();
        var recorded = timeline.Single(t => t.Str("what") == "outcome-recorded");
        var corrected = timeline.Single(t => t.Str("what") == "outcome-corrected");
        Assert.Equal("DataProvided", recorded.GetProperty("facts").Str("outcome"));
        Assert.Equal("NoLongerRetained", corrected.GetProperty("facts").Str("outcome"));
        Assert.Equal("DataProvided", corrected.GetProperty("facts").Str("was"));
        Assert.Equal("Duty Officer (demo)", corrected.GetProperty("by").Str("name"));
    }

    [Fact]
    public async Task A_refusal_without_its_ground_is_refused_naming_the_field_and_records_nothing()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        item = await duty.ActAsync(item.Number(), "send", ifMatch: item.Version());

        var problem = await duty.ActAsync(item.Number(), "answers",
            new { extent = "full", summary = "Refused", outcome = "refused" }, item.Version(), HttpStatusCode.BadRequest);
        var unknown = await duty.ActAsync(item.Number(), "answers",
            new { extent = "full", summary = "Logs", outcome = "data-provided", caseEffect = "solved" }, item.Version(), HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("refusalGround", out _));
        Assert.True(unknown.GetProperty("errors").TryGetProperty("caseEffect", out _));
        Assert.Equal("sent", (await duty.GetJsonAsync($"/api/items/{item.Number()}")).Str("status"));
    }

    [Fact]
    public async Task Correcting_the_outcome_of_an_unanswered_item_is_refused_naming_the_rule()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        item = await duty.ActAsync(item.Number(), "send", ifMatch: item.Version());

        var problem = await duty.ActAsync(item.Number(), "outcome",
            new { outcome = "not-held", reason = "Wrong provider" }, item.Version(), HttpStatusCode.Conflict);

        Assert.Equal("outcome-needs-an-answer", problem.Str("rule"));
    }
}
