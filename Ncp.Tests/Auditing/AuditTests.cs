using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Ncp.Api.Auditing;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Auditing;

[Collection(NcpCollection.Name)]
public sealed class AuditTests(NcpSystem ncp)
{
    private static readonly string DutyId = DevelopmentSignIn.Users.Single(u => u.Login == "duty").ObjectId.ToString();

    [Fact]
    public async Task Reading_an_item_leaves_an_audit_entry_that_an_auditor_can_see()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest());
        await ncp.ClientFor("supervisor").GetJsonAsync($"/api/items/{item.Number()}");

        var entries = await EntriesAsync("auditor", $"registerNumber={item.Number()}");

        var entry = Assert.Single(entries);
        Assert.Equal("read-item", entry.Str("action"));
        Assert.Equal("Supervisor (demo)", entry.Str("userName"));
        Assert.Equal(item.Str("channel"), entry.Str("channel"));
        Assert.Equal("success", entry.Str("outcome"));
        await ncp.ClientFor("duty").GetJsonAsync("/api/audit", HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Lists_searches_the_dashboard_quarantine_and_partner_entries_are_audited_with_what_was_asked()
    {
        var since = await LastSequenceAsync();
        var duty = ncp.ClientFor("duty");
        var words = $"audit{Guid.NewGuid():N}"[..16];
        await duty.GetJsonAsync($"/api/items?q={words}&status=draft");
        await duty.GetJsonAsync("/api/dashboard");
        await duty.GetJsonAsync("/api/quarantine?status=all");
        await duty.GetJsonAsync($"/api/quarantine/{Guid.Empty}", HttpStatusCode.NotFound);
        await duty.GetJsonAsync("/api/partners?channel=interpol");
        await duty.GetJsonAsync("/api/partners/DE-CYBER247");

        var entries = (await EntriesAsync("auditor", $"user={DutyId}", since)).ToDictionary(e => e.Str("action"));

        Assert.Equal($"q={words}&status=draft", entries["list-items"].Str("detail"));
        Assert.Equal("success", entries["read-dashboard"].Str("outcome"));
        Assert.Equal("status=all", entries["list-quarantine"].Str("detail"));
        Assert.Equal("failure: 404", entries["read-quarantined-mail"].Str("outcome"));
        Assert.Equal($"id={Guid.Empty}", entries["read-quarantined-mail"].Str("detail"));
        Assert.Equal("interpol", entries["list-partners"].Str("channel"));
        Assert.Equal("code=DE-CYBER247", entries["read-partner"].Str("detail"));
        Assert.All(entries.Values, e => Assert.Equal("Duty Officer (demo)", e.Str("userName")));
    }

    [Fact]
    public async Task Every_sign_in_is_audited_success_and_failure_on_the_demo_the_browser_and_the_bearer_paths()
    {
        var since = await LastSequenceAsync();

        Assert.Equal(StatusCodes.Status200OK, await DemoTokenAsync("duty", loopback: true));
        Assert.Equal(StatusCodes.Status400BadRequest, await DemoTokenAsync("mallory", loopback: true));
        Assert.Equal(StatusCodes.Status403Forbidden, await DemoTokenAsync("duty", loopback: false));

        var browser = new UiSession(ncp.Api);
        Assert.Equal(302, (await browser.SignInAsync("duty")).Status);
        Assert.Equal(400, (await new UiSession(ncp.Api).SignInAsync("eve")).Status);

        // A bearer token's first request is its sign-in, the next ones are not; a token signed with another key is refused.
        var client = ncp.ClientFor("duty");
        await client.GetJsonAsync("/api/officers");
        await client.GetJsonAsync("/api/officers");
        var forged = ncp.Api.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ForgedToken());
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/officers")).StatusCode);

        var signIns = await EntriesAsync("auditor", "action=sign-in", since);
        string[] Seen(string outcome, string detailStart) =>
            [.. signIns.Where(e => e.Str("outcome") == outcome && e.Str("detail").StartsWith(detailStart, StringComparison.Ordinal)).Select(e => e.Str("userName"))];

        Assert.Equal(["Duty Officer (demo)"], Seen("success", "demo token issued"));
        Assert.Equal(["duty", "mallory"], Seen("failure", "demo token:").Order().ToArray());
        Assert.Equal(["Duty Officer (demo)"], Seen("success", "browser session"));
        Assert.Equal(["eve"], Seen("failure", "demo browser session: no such demo user"));
        // The auditor's own first request (the query below) is a sign-in too.
        Assert.Single(Seen("success", "bearer token from"), name => name == "Duty Officer (demo)");
        Assert.Single(Seen("failure", "bearer token refused: "));
        Assert.Contains(signIns, e => e.Str("detail") == "demo token issued" && e.Str("address") == "127.0.0.1");
    }

    [Fact]
    public async Task Audit_entries_of_a_channel_are_shown_only_to_auditors_cleared_for_it()
    {
        var csto = (await ncp.ClientFor("supervisor").RegisterAsync(ItemsApi.OutgoingRequest("CSTO-CYBER"))).Number();
        await ncp.ClientFor("supervisor").GetJsonAsync($"/api/items/{csto}");

        Assert.Equal("csto", Assert.Single(await EntriesAsync("head", $"registerNumber={csto}")).Str("channel"));
        Assert.Empty(await EntriesAsync("auditor", $"registerNumber={csto}"));
        Assert.Empty(await EntriesAsync("admin", $"registerNumber={csto}"));
        var export = await (await Client("auditor").GetAsync($"/api/audit/export?registerNumber={csto}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(csto, export, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_export_is_the_filtered_view_as_csv()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest());
        await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{item.Number()}");
        await ncp.ClientFor("supervisor").GetJsonAsync($"/api/items/{item.Number()}");

        using var response = await Client("auditor").GetAsync($"/api/audit/export?registerNumber={item.Number()}&user=supervisor");

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("sequence,at,user_id,user_name,action,register_number,channel,detail,address,outcome,hash", lines[0]);
        var row = Assert.Single(lines.Skip(1));
        Assert.Contains($",Supervisor (demo),read-item,{item.Number()},", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_concurrent_requests_extend_one_chain_without_forks_or_gaps()
    {
        var since = await LastSequenceAsync();
        var clients = new[] { "duty", "supervisor", "head", "auditor", "admin" }.Select(ncp.ClientFor).ToArray();

        // 32 at a time: more would mostly measure how fast this 2-core machine opens PostgreSQL connections.
        using var inFlight = new SemaphoreSlim(32);
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            await inFlight.WaitAsync();
            try
            {
                return await clients[i % clients.Length].GetAsync("/api/items?limit=1");
            }
            finally
            {
                inFlight.Release();
            }
        }));
        var failed = answers.FirstOrDefault(a => !a.IsSuccessStatusCode);
        Assert.True(failed is null, failed is null ? "" : await failed.Content.ReadAsStringAsync());

        var sequences = await ncp.QueryRowsAsync($"select seq from {ncp.ApiSchema}.audit_log where seq > @since order by seq", ("since", since));
        var numbers = sequences.Select(r => (long)r[0]!).ToArray();
        Assert.True(numbers.Length >= 200, $"{numbers.Length} entries");
        Assert.Equal(Enumerable.Range(0, numbers.Length).Select(i => since + 1 + i), numbers);
        var (code, output) = await VerifyAsync();
        Assert.True(code == AuditVerify.Intact, output);
    }

    [Fact]
    public async Task Audit_verify_names_an_entry_altered_in_the_database_and_one_deleted()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest());
        for (var i = 0; i < 3; i++)
        {
            await ncp.ClientFor("supervisor").GetJsonAsync($"/api/items/{item.Number()}");
        }

        var entry = (await EntriesAsync("auditor", $"registerNumber={item.Number()}"))[1].GetProperty("sequence").GetInt64();
        var (intact, before) = await VerifyAsync();
        Assert.True(intact == AuditVerify.Intact, before);

        // An insider changes who read it.
        await ExecuteAsync($"update {ncp.ApiSchema}.audit_log set user_name = 'Someone else' where seq = @seq", entry);
        var (altered, alteredSays) = await VerifyAsync();
        await ExecuteAsync($"update {ncp.ApiSchema}.audit_log set user_name = 'Supervisor (demo)' where seq = @seq", entry);
        Assert.Equal(AuditVerify.Broken, altered);
        Assert.Contains($"BROKEN at entry {entry}: entry {entry} was altered", alteredSays, StringComparison.Ordinal);

        // Or removes the entry altogether; the row is put back afterwards, for the other tests' chain.
        var row = $"{ncp.ApiSchema}.audit_removed_{Guid.NewGuid():N}";
        await ExecuteAsync($"create table {row} as select * from {ncp.ApiSchema}.audit_log where seq = @seq; delete from {ncp.ApiSchema}.audit_log where seq = @seq", entry);
        var (deleted, deletedSays) = await VerifyAsync();
        await ExecuteAsync($"insert into {ncp.ApiSchema}.audit_log select * from {row}; drop table {row}", entry);
        Assert.Equal(AuditVerify.Broken, deleted);
        Assert.Contains($"BROKEN at entry {entry}: entry {entry} is missing (deleted)", deletedSays, StringComparison.Ordinal);

        var (restored, after) = await VerifyAsync();
        Assert.True(restored == AuditVerify.Intact, after);
    }

    [Fact]
    public async Task Audit_verify_notices_the_last_entries_deleted()
    {
        await ncp.ClientFor("duty").GetJsonAsync("/api/dashboard");
        var last = await LastSequenceInDatabaseAsync();
        var row = $"{ncp.ApiSchema}.audit_removed_{Guid.NewGuid():N}";

        await ExecuteAsync($"create table {row} as select * from {ncp.ApiSchema}.audit_log where seq = @seq; delete from {ncp.ApiSchema}.audit_log where seq = @seq", last);
        var (code, says) = await VerifyAsync();
        await ExecuteAsync($"insert into {ncp.ApiSchema}.audit_log select * from {row}; drop table {row}", last);

        Assert.Equal(AuditVerify.Broken, code);
        Assert.Contains($"BROKEN at entry {last}: entries {last} to {last} are missing", says, StringComparison.Ordinal);
    }

    private HttpClient Client(string login) => ncp.ClientFor(login);

    private async Task<List<JsonElement>> EntriesAsync(string login, string query, long since = 0)
    {
        var page = await Client(login).GetJsonAsync($"/api/audit?{query}&limit=500");
        return [.. page.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("sequence").GetInt64() > since)];
    }

    private async Task<long> LastSequenceAsync() => await LastSequenceInDatabaseAsync();

    private async Task<long> LastSequenceInDatabaseAsync() =>
        await ncp.QueryAsync<long>($"select coalesce(max(seq), 0) from {ncp.ApiSchema}.audit_log");

    private async Task ExecuteAsync(string sql, long seq) => await ncp.QueryAsync<object>(sql, ("seq", seq));

    private async Task<(int Code, string Output)> VerifyAsync()
    {
        using var output = new StringWriter();
        var code = await AuditVerify.RunAsync(ncp.Api.Services, output, CancellationToken.None);
        return (code, output.ToString());
    }

    private async Task<int> DemoTokenAsync(string login, bool loopback)
    {
        var context = await ncp.Api.Server.SendAsync(c =>
        {
            c.Request.Method = "POST";
            c.Request.Path = "/dev/sign-in";
            c.Request.ContentType = "application/json";
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { user = login }));
            c.Request.Body = new MemoryStream(body);
            c.Request.ContentLength = body.Length;
            c.Features.Set<IHttpRequestBodyDetectionFeature>(new WithBody());
            c.Connection.RemoteIpAddress = loopback ? IPAddress.Loopback : IPAddress.Parse("192.0.2.10");
        });
        return context.Response.StatusCode;
    }

    /// <summary>The in-memory server takes a request built by hand for one without a body unless told.</summary>
    private sealed class WithBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }

    /// <summary>A token naming the head of unit, signed with a key of its own making rather than the Api's.</summary>
    private static string ForgedToken() =>
        new LocalTokens(DevelopmentSignIn.Issuer, TimeProvider.System)
            .Issue(Guid.NewGuid().ToString(), "Forger", [Roles.HeadOfUnit], TimeSpan.FromMinutes(5));
}
