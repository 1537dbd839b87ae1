using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ncp.Tests.Fixtures;

/// <summary>A preservation, the legal-assistance request that follows it, and their chain, driven through the items API.</summary>
public static class ChainApi
{
    /// <summary>An art. 29 preservation of an account's traffic, normal priority so that no rung rings while a test runs.</summary>
    public static JsonObject Preservation(string partner, string subject)
    {
        var body = ItemsApi.OutgoingRequest(partner, subject);
        body["priority"] = "normal";
        body["requestedData"] = new JsonArray("preservation");
        return body;
    }

    /// <summary>The formal request for the preserved data, through the central authorities (bilateral).</summary>
    public static JsonObject LegalAssistance(string partner, string subject)
    {
        var body = ItemsApi.OutgoingRequest(partner, subject);
        body["kind"] = "legal-assistance-task";
        body["channel"] = "bilateral";
        body["priority"] = "normal";
        return body;
    }

    /// <summary>A preservation sent and acknowledged by the partner, who preserves until <paramref name="until"/>.</summary>
    public static async Task<JsonElement> PreservedAsync(this HttpClient officer, JsonObject preservation, DateTimeOffset until)
    {
        var item = await officer.RegisterAsync(preservation);
        await officer.ActAsync(item.Number(), "send");
        return await officer.ActAsync(item.Number(), "acknowledge", new { partnerReference = "PRES-1", preservedUntil = until });
    }

    /// <summary>The legal-assistance request registered, linked as the follow-up of <paramref name="preservation"/> and sent.</summary>
    public static async Task<JsonElement> FollowedUpAsync(this HttpClient officer, JsonElement preservation, JsonObject legalAssistance)
    {
        var item = await officer.RegisterAsync(legalAssistance);
        await officer.ActAsync(item.Number(), "links", new { targetNumber = preservation.Number(), type = "follow-up" });
        return await officer.ActAsync(item.Number(), "send");
    }

    public static Task<JsonElement> ChainAsync(
        this HttpClient officer, string number, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK) =>
        officer.GetJsonAsync($"/api/items/{number}/chain", expected);

    public static DateTimeOffset ReplyBy(this JsonElement item) =>
        item.GetProperty("deadlines").GetProperty("replyBy").GetDateTimeOffset();

    /// <summary>A moment in whole seconds, as deadlines are kept.</summary>
    public static DateTimeOffset Whole(DateTimeOffset at) => DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds());
}
