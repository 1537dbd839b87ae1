using System.Net;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Linking;

[Collection(NcpCollection.Name)]
public sealed class LinkingTests(NcpSystem ncp)
{
    [Fact]
    public async Task Forwarding_an_item_whose_code_forbids_other_channels_is_refused_and_recorded_until_consent_is_named()
    {
        var duty = ncp.ClientFor("duty");
        var body = ItemsApi.OutgoingRequest("NL-CYBER247", "Restricted incoming");
        body["direction"] = "incoming";
        body["handlingCode"] = "no-other-channels";
        var item = await duty.RegisterAsync(body);

        var refused = await PostAsync(duty, item.Number(), "forward", new { partnerCode = "INTERPOL-NCB-ASTANA" }, HttpStatusCode.Conflict);
        Assert.Equal("handling-code-forbids", refused.Str("rule"));
        var timeline = (await duty.GetJsonAsync($"/api/items/{item.Number()}")).GetProperty("timeline").EnumerateArray().Select(t => t.Str("what"));
        Assert.Contains("dissemination-refused", timeline);

        var forwarded = await PostAsync(duty, item.Number(), "forward",
            new { partnerCode = "INTERPOL-NCB-ASTANA", consentReference = "NHTCU mail of 2026-11-27" }, HttpStatusCode.Created);
        Assert.Equal("interpol", forwarded.Str("channel"));
        Assert.Equal("draft", forwarded.Str("status"));

        var source = await duty.GetJsonAsync($"/api/items/{item.Number()}");
        var link = Assert.Single(source.GetProperty("links").EnumerateArray());
        Assert.Equal(forwarded.Number(), link.Str("targetRegisterNumber"));
        Assert.Equal("same-request-other-channel", link.Str("type"));
    }

    [Fact]
    public async Task A_forwarded_draft_carries_the_sources_identifiers_facts_and_offence_but_not_its_files()
    {
        var duty = ncp.ClientFor("duty");
        var body = ItemsApi.OutgoingRequest("DE-CYBER247", "Forwarded with its substance");
        var ip = $"2001:db8::{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";
        body["content"] = new System.Text.Json.Nodes.JsonObject
        {
            ["form"] = "preservation",
            ["identifiers"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject
                {
                    ["type"] = "ip-address", ["value"] = ip, ["qualifier"] = "443", ["at"] = "2026-10-05T14:03:12+05:00",
                    ["timeZone"] = "Asia/Almaty", ["data"] = new System.Text.Json.Nodes.JsonArray("subscriber-data"),
                },
                new System.Text.Json.Nodes.JsonObject { ["type"] = "phone", ["value"] = "8 701 234 56 78" }),
            ["facts"] = "The victim paid a fake shop on 2026-10-05.",
            ["offence"] = "Fraud, art. 190(2) of the Criminal Code",
            ["urgencyReason"] = "The provider keeps logs for 30 days.",
        };
        var item = await duty.RegisterAsync(body);

        var forwarded = await PostAsync(duty, item.Number(), "forward", new { partnerCode = "FR-CYBER247" }, HttpStatusCode.Created);

        var content = forwarded.GetProperty("content");
        Assert.Equal(item.GetProperty("content").GetProperty("identifiers").GetRawText(), content.GetProperty("identifiers").GetRawText());
        Assert.Equal(("preservation", "The victim paid a fake shop on 2026-10-05.", "Fraud, art. 190(2) of the Criminal Code",
            "The provider keeps logs for 30 days."),
            (content.Str("form"), content.Str("facts"), content.Str("offence"), content.Str("urgencyReason")));
        Assert.Empty(content.GetProperty("attachmentsToSend").EnumerateArray());
        Assert.Contains($"ip-address:{ip}", forwarded.GetProperty("identifierKeys").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact]
    public async Task Items_of_the_same_channel_can_be_linked_once()
    {
        var duty = ncp.ClientFor("duty");
        var first = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        var second = await duty.RegisterAsync(ItemsApi.OutgoingRequest("FR-CYBER247"));

        await PostAsync(duty, first.Number(), "links", new { targetNumber = second.Number(), type = "same-criminal-case" }, HttpStatusCode.OK);
        var again = await PostAsync(duty, first.Number(), "links", new { targetNumber = second.Number(), type = "same-criminal-case" }, HttpStatusCode.OK);

        Assert.Single(again.GetProperty("links").EnumerateArray());
    }

    private static Task<System.Text.Json.JsonElement> PostAsync(HttpClient client, string number, string action, object body, HttpStatusCode expected) =>
        client.ActAsync(number, action, body, expected: expected);
}
