using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Partners;

[Collection(NcpCollection.Name)]
public sealed class PartnerDirectoryTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_fresh_installation_knows_70_foreign_units_and_the_Interpol_CIS_and_CSTO_channels()
    {
        var partners = (await ncp.ClientFor("auditor").GetJsonAsync("/api/partners")).EnumerateArray().ToList();

        Assert.True(partners.Count(p => p.GetProperty("profile").GetProperty("channels")[0].GetString() == "24-7") >= 70);
        foreach (var channel in new[] { "interpol", "cis-bkbop", "csto" })
        {
            Assert.Contains(partners, p => p.GetProperty("profile").GetProperty("channels")[0].GetString() == channel);
        }

        Assert.All(partners, p => Assert.All(
            p.GetProperty("profile").GetProperty("addresses").EnumerateArray(), a => Assert.EndsWith(".example", a.GetString(), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Only_an_administrator_edits_the_directory_and_each_change_is_versioned()
    {
        var code = "ZZ-TEST" + Random.Shared.Next(1000, 9999);
        var profile = Profile(code);

        using (var refused = await ncp.ClientFor("supervisor").PostAsJsonAsync("/api/partners", profile))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var admin = ncp.ClientFor("admin");
        using var created = await admin.PostAsJsonAsync("/api/partners", profile);
        var entry = await ItemsApi.ExpectAsync(created, HttpStatusCode.Created);
        Assert.Equal(1, entry.Version());

        profile["preservationDays"] = 90;
        using var change = new HttpRequestMessage(HttpMethod.Put, $"/api/partners/{code}") { Content = JsonContent.Create(profile) };
        change.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var changed = await ItemsApi.ExpectAsync(await admin.SendAsync(change), HttpStatusCode.OK);
        Assert.Equal(2, changed.Version());
        Assert.Equal(90, changed.GetProperty("profile").GetProperty("preservationDays").GetInt32());

        var deactivated = await admin.PostAsJsonAsync($"/api/partners/{code}/deactivate", new { reason = "Unit dissolved" });
        Assert.False((await ItemsApi.ExpectAsync(deactivated, HttpStatusCode.OK)).GetProperty("active").GetBoolean());
        await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(code), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_invalid_profile_is_refused_naming_each_field()
    {
        var profile = Profile("zz bad");
        profile["addresses"] = new JsonArray("not an address");
        profile["timeZone"] = "Mars/Olympus";
        profile["officeHours"] = new JsonObject { ["from"] = "18:00", ["to"] = "09:00", ["days"] = new JsonArray("mon") };

        using var response = await ncp.ClientFor("admin").PostAsJsonAsync("/api/partners", profile);
        var problem = await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest);

        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["addresses", "code", "officeHours", "timeZone"], fields);
    }

    [Fact]
    public async Task A_partner_shows_its_open_items_and_its_median_reply_time()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest("SE-CYBER247"));
        item = await duty.ActAsync(item.Number(), "send");
        await duty.ActAsync(item.Number(), "answers", new { extent = "full", summary = "Done" });
        var open = await duty.RegisterAsync(ItemsApi.OutgoingRequest("SE-CYBER247"));

        var detail = await duty.GetJsonAsync("/api/partners/SE-CYBER247");

        Assert.Contains(open.Number(), detail.GetProperty("openItems").EnumerateArray().Select(i => i.Number()));
        Assert.True(detail.GetProperty("answeredRequests").GetInt32() >= 1);
        Assert.True(detail.GetProperty("medianReplyHours").GetDouble() >= 0);
    }

    internal static JsonObject Profile(string code) => new()
    {
        ["code"] = code,
        ["name"] = "Test unit",
        ["country"] = "NO",
        ["channels"] = new JsonArray("24-7"),
        ["addresses"] = new JsonArray("test@police-no.example"),
        ["languages"] = new JsonArray("no", "en"),
        ["timeZone"] = "Europe/Oslo",
        ["officeHours"] = new JsonObject { ["from"] = "08:00", ["to"] = "16:00", ["days"] = new JsonArray("mon", "tue", "wed", "thu", "fri") },
        ["retentionDays"] = new JsonObject { ["subscriber-data"] = 365, ["traffic-data"] = 90, ["content-data"] = 30 },
        ["preservationDays"] = 60,
        ["encryption"] = "openpgp",
        ["fallbackChannel"] = "interpol",
    };
}
