using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Deadlines;

namespace Ncp.Tests.Fixtures;

/// <summary>Small helpers for driving the items API the way a client does.</summary>
public static class ItemsApi
{
    public static JsonObject OutgoingRequest(string partner = "DE-CYBER247", string subject = "Subscriber data for 203.0.113.7") => new()
    {
        ["kind"] = "request",
        ["partnerCode"] = partner,
        ["subject"] = subject,
        ["crimeCategory"] = "internet-fraud",
        ["priority"] = "urgent",
        ["criminalCaseNumber"] = "261500031000123",
        // Subscriber data is kept a year: no rung is already due when the item is sent, so no escalation races the test.
        ["requestedData"] = new JsonArray("subscriber-data"),
        ["dataPeriod"] = new JsonObject { ["from"] = "2026-10-01", ["to"] = "2026-10-31" },
    };

    /// <summary>A partner's request registered by hand, with the deadline the partner set.</summary>
    public static JsonObject IncomingRequest(string partner, string subject, DateTimeOffset dueBy)
    {
        var body = OutgoingRequest(partner, subject);
        body["direction"] = "incoming";
        body["dueBy"] = dueBy.ToString("O");
        return body;
    }

    public static async Task<JsonElement> RegisterAsync(this HttpClient client, JsonObject body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await client.PostAsJsonAsync("/api/items", body);
        return await ExpectAsync(response, expected);
    }

    // Creating actions (forward) answer 201; the caller says which it expects.
    public static Task<JsonElement> ActAsync(
        this HttpClient client, string number, string action, object? body = null, long? ifMatch = null, HttpStatusCode expected = HttpStatusCode.OK) =>
        client.SendJsonAsync(HttpMethod.Post, $"/api/items/{number}/{action}", body ?? new { }, ifMatch, expected);

    /// <summary>Replaces an item's details (PUT) on the version the caller saw.</summary>
    public static Task<JsonElement> ChangeDetailsAsync(this HttpClient client, string number, JsonObject body, long ifMatch, HttpStatusCode expected = HttpStatusCode.OK) =>
        client.SendJsonAsync(HttpMethod.Put, $"/api/items/{number}", body, ifMatch, expected);

    private static async Task<JsonElement> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object body, long? ifMatch, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        if (ifMatch is { } version)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        }

        using var response = await client.SendAsync(request);
        return await ExpectAsync(response, expected);
    }

    /// <summary>Attaches a file to the item (multipart, field <c>file</c>, as the compose screen does); returns the item as it now is.</summary>
    public static async Task<JsonElement> AttachAsync(
        this HttpClient client, string number, byte[] content, string fileName, string contentType = "application/octet-stream",
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        using var response = await client.PostAsync($"/api/items/{number}/attachments", form);
        return await ExpectAsync(response, expected);
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(url);
        return await ExpectAsync(response, expected);
    }

    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The register numbers on every page of <c>/api/items?{query}</c>, following <c>next</c>; a page too many fails.</summary>
    public static async Task<List<string>> ListAllAsync(this HttpClient client, string query, int limit = Ncp.Api.Cases.Listing.ItemListing.MaxPage, int maxPages = 100)
    {
        var numbers = new List<string>();
        string? after = null;
        for (var pages = 1; ; pages++)
        {
            var page = await client.GetJsonAsync($"/api/items?{query}&limit={limit}{(after is null ? "" : $"&after={after}")}");
            numbers.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.Number()));
            after = page.GetProperty("next").GetString();
            if (after is null)
            {
                return numbers;
            }

            Assert.True(pages < maxPages, $"More than {maxPages} pages of {query}: the pages do not end");
        }
    }

    /// <summary>The Worker's clock rings the sent item's first rung; returns the rung's name once the item awaits acknowledgement.</summary>
    public static async Task<string> EscalateAsync(this NcpSystem ncp, JsonElement sentItem)
    {
        var step = sentItem.GetProperty("deadlines").GetProperty("steps")[0];
        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(
            new WakeUpDue(sentItem.GetProperty("id").GetGuid(), step.Str("name"), step.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow));
        await NcpSystem.EventuallyAsync(() => ncp.AwaitsAcknowledgementAsync(sentItem.Number()), awaits => awaits);
        return step.Str("name");
    }

    public static Task<bool> AwaitsAcknowledgementAsync(this NcpSystem ncp, string number) =>
        ncp.QueryAsync<bool>($"select awaits_acknowledgement from {ncp.ApiSchema}.mt_doc_itemdetails where register_number = @n", ("n", number));

    public static string Number(this JsonElement item) => item.GetProperty("registerNumber").GetString()!;

    public static long Version(this JsonElement item) => item.GetProperty("version").GetInt64();

    public static string Str(this JsonElement item, string property) => item.GetProperty(property).GetString()!;
}
