using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Registering;

[Collection(NcpCollection.Name)]
public sealed class RegisteringTests(NcpSystem ncp)
{
    private static readonly object ValidBody = new { partnerCode = "DE-BKA", subject = "Subscriber data for 203.0.113.7", priority = "urgent" };

    [Fact]
    public async Task Registering_an_outgoing_request_reaches_the_worker_through_the_event_log_and_the_bus()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/items") { Content = JsonContent.Create(ValidBody) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await ncp.ClientFor("duty").SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var number = created.GetProperty("registerNumber").GetString()!;
        Assert.Matches(@"^KZ-NCP-20\d\d-\d{6}$", number);
        Assert.Equal($"/api/items/{number}", response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal("draft", created.GetProperty("status").GetString());
        Assert.Equal("urgent", created.GetProperty("priority").GetString());

        var read = await ncp.ClientFor("auditor").GetFromJsonAsync<JsonElement>(response.Headers.Location);
        Assert.Equal(number, read.GetProperty("registerNumber").GetString());
        Assert.Equal("DE-BKA", read.GetProperty("partnerCode").GetString());
        Assert.Equal("outgoing-request", read.GetProperty("kind").GetString());

        var recordedTrace = await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<string>($"select trace_id from {ncp.WorkerSchema}.outgoing_requests where register_number = @n", ("n", number)),
            trace => trace is not null);
        Assert.Equal(traceId.ToString(), recordedTrace);
    }

    [Fact]
    public async Task Register_numbers_have_no_gaps_and_no_duplicates_under_parallel_registration()
    {
        var client = ncp.ClientFor("duty");
        const int count = 40;
        var before = await ncp.QueryAsync<long?>($"select max(last_number) from {ncp.ApiSchema}.register_counters") ?? 0;

        var responses = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            using var response = await client.PostAsJsonAsync("/api/items", new { partnerCode = "FR-OCLCTIC", subject = $"Parallel {i}" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("registerNumber").GetString()!;
        }));

        var sequence = responses.Select(n => long.Parse(n[^6..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, count).Select(i => before + i), sequence);
    }

    public static TheoryData<string, string[]> InvalidBodies => new()
    {
        { "{}", ["partnerCode", "subject"] },
        { """{"partnerCode":"de bka","subject":"x"}""", ["partnerCode"] },
        { """{"partnerCode":"DE-BKA","subject":"   "}""", ["subject"] },
        { """{"partnerCode":"DE-BKA","subject":"x","priority":"whenever"}""", ["priority"] },
        { "{\"partnerCode\":\"DE-BKA\",\"subject\":\"" + new string('x', 501) + "\"}", ["subject"] },
        { """{"partnerCode":42,"subject":"x"}""", ["partnerCode"] },
        { """{"partnerCode":"DE-BKA","subject":"x","priority":["urgent"]}""", ["priority"] },
        { """{"partnerCode":"DE-BKA",""", ["$"] },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Bad_input_is_refused_with_a_problem_naming_each_field_and_nothing_is_recorded(string body, string[] fields)
    {
        var eventsBefore = await CountEventsAsync();

        using var response = await ncp.ClientFor("duty").PostAsync("/api/items", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var named = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(fields.Order().ToArray(), named);
        Assert.Equal(eventsBefore, await CountEventsAsync());
    }

    [Fact]
    public async Task Registering_without_a_token_is_refused()
    {
        using var response = await ncp.Api.CreateClient().PostAsJsonAsync("/api/items", ValidBody);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_auditor_may_read_but_not_register()
    {
        using var response = await ncp.ClientFor("auditor").PostAsJsonAsync("/api/items", ValidBody);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_register_number_is_a_404_problem()
    {
        using var response = await ncp.ClientFor("duty").GetAsync("/api/items/KZ-NCP-1999-000001");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private Task<long> CountEventsAsync() => ncp.QueryAsync<long>($"select count(*) from {ncp.ApiSchema}.mt_events");
}
