using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Registering;

[Collection(NcpCollection.Name)]
public sealed class RegisteringTests(NcpSystem ncp)
{
    private static JsonObject ValidBody => ItemsApi.OutgoingRequest();

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
        Assert.Equal("24-7", created.GetProperty("channel").GetString());
        Assert.Equal("DE", created.GetProperty("country").GetString());
        Assert.Equal("en", created.GetProperty("language").GetString());

        var read = await ncp.ClientFor("auditor").GetFromJsonAsync<JsonElement>(response.Headers.Location);
        Assert.Equal(number, read.GetProperty("registerNumber").GetString());
        Assert.Equal("DE-CYBER247", read.GetProperty("partnerCode").GetString());
        Assert.Equal("request", read.GetProperty("kind").GetString());
        Assert.Equal("outgoing", read.GetProperty("direction").GetString());
        Assert.Equal("registered", read.GetProperty("timeline")[0].GetProperty("what").GetString());

        var recordedTrace = await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<string>($"select trace_id from {ncp.WorkerSchema}.items where register_number = @n", ("n", number)),
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
            using var response = await client.PostAsJsonAsync("/api/items", ItemsApi.OutgoingRequest("FR-CYBER247", $"Parallel {i}"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("registerNumber").GetString()!;
        }));

        var sequence = responses.Select(n => long.Parse(n[^6..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, count).Select(i => before + i), sequence);
    }

    private const string Valid = """
        "kind":"request","partnerCode":"DE-CYBER247","subject":"IP logs","crimeCategory":"computer-crime","requestedData":["traffic-data"]
        """;

    public static TheoryData<string, string[]> InvalidBodies => new()
    {
        { "{}", ["kind", "partnerCode", "subject", "crimeCategory"] },
        { "{" + Valid.Replace("DE-CYBER247", "de bka", StringComparison.Ordinal) + "}", ["partnerCode"] },
        { "{" + Valid.Replace("DE-CYBER247", "XX-NOSUCH", StringComparison.Ordinal) + "}", ["partnerCode"] },
        { "{" + Valid + ""","channel":"csto"}""", ["channel"] },
        { "{" + Valid + ""","channel":"pigeon"}""", ["channel"] },
        { "{" + Valid.Replace("IP logs", "   ", StringComparison.Ordinal) + "}", ["subject"] },
        { "{" + Valid.Replace("IP logs", new string('x', 501), StringComparison.Ordinal) + "}", ["subject"] },
        { "{" + Valid + ""","priority":"whenever"}""", ["priority"] },
        { "{" + Valid + ""","priority":["urgent"]}""", ["priority"] },
        { "{" + Valid.Replace("request\"", "gossip\"", StringComparison.Ordinal) + "}", ["kind"] },
        { "{" + Valid + ""","direction":"sideways"}""", ["direction"] },
        { "{" + Valid.Replace("computer-crime", "jaywalking", StringComparison.Ordinal) + "}", ["crimeCategory"] },
        { "{" + Valid.Replace("[\"traffic-data\"]", "[]", StringComparison.Ordinal) + "}", ["requestedData"] },
        { "{" + Valid.Replace("traffic-data", "dna", StringComparison.Ordinal) + "}", ["requestedData"] },
        { "{" + Valid + ""","dataPeriod":{"from":"2026-10-31","to":"2026-10-01"}}""", ["dataPeriod"] },
        { "{" + Valid + ""","dataPeriod":{"from":"2026-10-01"}}""", ["dataPeriod"] },
        { "{" + Valid + ""","dataPeriod":{"from":"2026-10-01","to":"2999-01-01"}}""", ["dataPeriod"] },
        { "{" + Valid + ""","dataPeriod":{"from":"yesterday","to":"2026-10-01"}}""", ["dataPeriod.from"] },
        { "{" + Valid + ""","language":"English"}""", ["language"] },
        { "{" + Valid + ""","handlingCode":"top-secret"}""", ["handlingCode"] },
        { "{" + Valid + ""","criminalCaseNumber":"12 34; drop"}""", ["criminalCaseNumber"] },
        { "{" + Valid + ",\"partnerReference\":\"" + new string('r', 101) + "\"}", ["partnerReference"] },
        { "{" + Valid + ",\"legalBasis\":\"" + new string('b', 501) + "\"}", ["legalBasis"] },
        { "{" + Valid + ""","dueBy":"soon"}""", ["dueBy"] },
        { """{"partnerCode":42}""", ["partnerCode"] },
        { """{"kind":"request",""", ["$"] },
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
    public async Task A_retried_post_with_the_same_idempotency_key_creates_nothing_new()
    {
        var client = ncp.ClientFor("duty");
        var key = Guid.NewGuid().ToString();
        var eventsBefore = await CountEventsAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/items") { Content = JsonContent.Create(ItemsApi.OutgoingRequest(subject: "Retried")) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            return (response.StatusCode, Number: (await ItemsApi.ExpectAsync(response, HttpStatusCode.Created)).Number());
        }));

        Assert.Single(responses.Select(r => r.Number).Distinct());
        Assert.Equal(eventsBefore + 1, await CountEventsAsync());
    }

    [Fact]
    public async Task An_idempotency_key_reused_for_another_body_is_refused_naming_the_header()
    {
        var client = ncp.ClientFor("duty");
        var key = Guid.NewGuid().ToString();
        foreach (var (subject, status) in new[] { ("First", HttpStatusCode.Created), ("Second", HttpStatusCode.UnprocessableEntity) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/items") { Content = JsonContent.Create(ItemsApi.OutgoingRequest(subject: subject)) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            var body = await ItemsApi.ExpectAsync(response, status);
            if (status != HttpStatusCode.Created)
            {
                Assert.True(body.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
            }
        }
    }

    [Fact]
    public async Task The_legal_basis_named_at_registration_is_kept_changed_and_cleared_with_the_details()
    {
        var duty = ncp.ClientFor("duty");
        var body = ItemsApi.OutgoingRequest(subject: "Legal basis round trip");
        body["legalBasis"] = "  Convention on Cybercrime, art. 29;\nCriminal Procedure Code, art. 1  ";

        var item = await duty.RegisterAsync(body);
        var read = await duty.GetJsonAsync($"/api/items/{item.Number()}");

        Assert.Equal("Convention on Cybercrime, art. 29;\nCriminal Procedure Code, art. 1", item.Str("legalBasis"));
        Assert.Equal(item.Str("legalBasis"), read.Str("legalBasis"));

        body["legalBasis"] = new string('b', 500);
        var changed = await duty.ChangeDetailsAsync(item.Number(), body, read.Version());
        Assert.Equal(new string('b', 500), changed.Str("legalBasis"));

        body["legalBasis"] = "   ";
        var cleared = await duty.ChangeDetailsAsync(item.Number(), body, changed.Version());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("legalBasis").ValueKind);
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

    // Registrations only: escalations of other tests' items arrive in the background, and Marten writes "tombstone"
    // events for rolled-back appends (to keep the sequence whole for the daemon), which record nothing.
    private Task<long> CountEventsAsync() => ncp.QueryAsync<long>($"select count(*) from {ncp.ApiSchema}.mt_events where type = 'item_registered'");
}
