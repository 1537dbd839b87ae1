using System.Net;
using System.Net.Http.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Progressing;

[Collection(NcpCollection.Name)]
public sealed class LifecycleTests(NcpSystem ncp)
{
    [Fact]
    public async Task An_outgoing_request_goes_from_draft_to_closed_and_back_and_its_timeline_says_who_and_when()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        var number = item.Number();

        item = await duty.ActAsync(number, "send", ifMatch: item.Version());
        item = await duty.ActAsync(number, "acknowledge", new { partnerReference = "BKA-SO4-2026-777" }, item.Version());
        item = await duty.ActAsync(number, "answers", new { extent = "partial", summary = "Subscriber data; IP logs to follow" }, item.Version());
        item = await duty.ActAsync(number, "answers", new { extent = "full", summary = "IP logs" }, item.Version());
        item = await duty.ActAsync(number, "close", new { reason = "Both answers received" }, item.Version());
        Assert.Equal("closed", item.Str("status"));

        await duty.ActAsync(number, "reopen", new { reason = "New IP found" }, expected: HttpStatusCode.Forbidden);
        item = await ncp.ClientFor("supervisor").ActAsync(number, "reopen", new { reason = "New IP found" });
        Assert.Equal("answered", item.Str("status"));

        var read = await duty.GetJsonAsync($"/api/items/{number}");
        Assert.Equal("BKA-SO4-2026-777", read.Str("partnerReference"));
        var timeline = read.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(
            ["registered", "sent", "deadlines-set", "acknowledged", "answered", "answered", "rungs-cancelled", "closed", "reopened"],
            timeline.Select(t => t.Str("what")).Where(w => w != "escalated"));
        Assert.Equal("Supervisor (demo)", timeline[^1].GetProperty("by").Str("name"));
        Assert.All(timeline, t => Assert.True(t.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5)));
    }

    [Fact]
    public async Task Closing_a_draft_is_refused_naming_the_rule()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());

        var problem = await duty.ActAsync(item.Number(), "close", new { reason = "Answered" }, expected: HttpStatusCode.Conflict);

        Assert.Equal("draft-cannot-be-closed", problem.Str("rule"));
    }

    [Fact]
    public async Task A_command_on_a_stale_version_is_refused_with_409_and_changes_nothing()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        var seen = item.Version();
        await duty.ActAsync(item.Number(), "notes", new { text = "A colleague's note" }, seen);

        var problem = await duty.ActAsync(item.Number(), "send", ifMatch: seen, expected: HttpStatusCode.Conflict);

        Assert.Equal("stale-version", problem.Str("rule"));
        Assert.Equal("draft", (await duty.GetJsonAsync($"/api/items/{item.Number()}")).Str("status"));
    }

    [Fact]
    public async Task Reminding_the_partner_is_recorded_once_an_item_awaits_its_reply_and_not_again_within_the_interval()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        var number = item.Number();
        var draft = await duty.ActAsync(number, "remind", ifMatch: item.Version(), expected: HttpStatusCode.Conflict);
        Assert.Equal("reminder-needs-an-awaited-reply", draft.Str("rule"));

        item = await duty.ActAsync(number, "send", ifMatch: item.Version());
        await ncp.ClientFor("auditor").ActAsync(number, "remind", expected: HttpStatusCode.Forbidden);
        item = await duty.ActAsync(number, "remind", new { reason = "The partner's desk lost the first mail" }, item.Version());
        var remindedAt = item.GetProperty("lastRemindedAt").GetDateTimeOffset();

        // A colleague a moment later, or a double click: the partner is not mailed twice.
        var again = await ncp.ClientFor("supervisor").ActAsync(number, "remind", expected: HttpStatusCode.Conflict);
        Assert.Equal("reminder-too-soon", again.Str("rule"));
        Assert.Contains($"next reminder is possible from {remindedAt + Ncp.Api.Cases.WorkItemDecider.ReminderInterval:u}", again.Str("detail"), StringComparison.Ordinal);

        var timeline = (await duty.GetJsonAsync($"/api/items/{number}")).GetProperty("timeline").EnumerateArray().ToList();
        var reminded = Assert.Single(timeline, t => t.Str("what") == "partner-reminded");
        Assert.Equal("Duty Officer (demo)", reminded.GetProperty("by").Str("name"));
        Assert.Contains("lost the first mail", reminded.Str("text"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("answers", """{"extent":"most","summary":"x"}""", "extent")]
    [InlineData("answers", """{"extent":"full"}""", "summary")]
    [InlineData("close", "{}", "reason")]
    [InlineData("notes", """{"text":""}""", "text")]
    [InlineData("assignee", "{}", "officerId")]
    [InlineData("links", """{"targetNumber":"KZ-NCP-1999-000001","type":"cousin"}""", "type")]
    public async Task Command_bodies_are_validated_field_by_field(string action, string body, string field)
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());

        using var response = await duty.PostAsync($"/api/items/{item.Number()}/{action}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_malformed_if_match_is_a_400_naming_the_header()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{item.Number()}/send") { Content = JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("If-Match", "yesterday");

        using var response = await duty.SendAsync(request);
        var problem = await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("If-Match", out _));
    }

    [Fact]
    public async Task An_incoming_request_with_the_partners_deadline_is_received_answered_and_closed()
    {
        var duty = ncp.ClientFor("duty");
        var body = ItemsApi.OutgoingRequest("NL-CYBER247", "Preservation of a mailbox");
        body["direction"] = "incoming";
        body["partnerReference"] = "NHTCU-2026-42";
        body["dueBy"] = DateTimeOffset.UtcNow.AddDays(2).ToString("O");
        var item = await duty.RegisterAsync(body);
        Assert.Equal("received", item.Str("status"));

        await duty.ActAsync(item.Number(), "send", expected: HttpStatusCode.Conflict);
        item = await duty.ActAsync(item.Number(), "acknowledge");
        item = await duty.ActAsync(item.Number(), "answers", new { extent = "full", summary = "Preserved for 90 days" });
        item = await duty.ActAsync(item.Number(), "close", new { reason = "Answered" });
        Assert.Equal("closed", item.Str("status"));
    }
}
