using System.Net;
using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Listing;

[Collection(NcpCollection.Name)]
public sealed class ListingTests(NcpSystem ncp)
{
    [Fact]
    public async Task Search_finds_a_name_whether_typed_in_Cyrillic_or_Latin()
    {
        var duty = ncp.ClientFor("duty");
        var tag = Guid.NewGuid().ToString("N")[..6];
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Жанибек Хасанов, IP-адреса {tag}"));

        foreach (var query in new[] { "Zhanibek Khasanov", "janibek hasanov", "ЖАНИБЕК", item.Number() })
        {
            var page = await duty.GetJsonAsync($"/api/items?q={Uri.EscapeDataString(query)}&limit=200");
            Assert.Contains(item.Number(), Numbers(page));
        }

        var none = await duty.GetJsonAsync($"/api/items?q={Uri.EscapeDataString("Bakhytzhan " + tag)}");
        Assert.DoesNotContain(item.Number(), Numbers(none));
    }

    [Fact]
    public async Task Filters_combine_and_pages_follow_each_other_without_overlap()
    {
        var duty = ncp.ClientFor("duty");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var registered = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var body = ItemsApi.OutgoingRequest("FR-CYBER247", $"Paging {tag} {i}");
            body["priority"] = i % 2 == 0 ? "high" : "normal";
            registered.Add((await duty.RegisterAsync(body)).Number());
        }

        var high = Numbers(await duty.GetJsonAsync($"/api/items?q={tag}&priority=high&partner=FR-CYBER247&status=draft&country=fr"));
        Assert.Equal(registered.Where((_, i) => i % 2 == 0).Reverse(), high);

        var first = await duty.GetJsonAsync($"/api/items?q={tag}&limit=2");
        var second = await duty.GetJsonAsync($"/api/items?q={tag}&limit=2&after={first.Str("next")}");
        var third = await duty.GetJsonAsync($"/api/items?q={tag}&limit=2&after={second.Str("next")}");
        Assert.Equal(Enumerable.Reverse(registered), Numbers(first).Concat(Numbers(second)).Concat(Numbers(third)));
        Assert.Equal(JsonValueKind.Null, third.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task Overdue_lists_open_items_past_their_deadline()
    {
        var duty = ncp.ClientFor("duty");
        var overdue = await duty.RegisterAsync(ItemsApi.IncomingRequest("NL-CYBER247", "Overdue incoming", DateTimeOffset.UtcNow.AddHours(-1)));

        var page = await duty.GetJsonAsync("/api/items?overdue=true&limit=200");

        Assert.Contains(overdue.Number(), Numbers(page));
        Assert.All(page.GetProperty("items").EnumerateArray(), i => Assert.True(i.GetProperty("overdue").GetBoolean()));
    }

    [Fact]
    public async Task A_CSTO_item_is_invisible_to_an_officer_without_clearance()
    {
        var supervisor = ncp.ClientFor("supervisor");
        var body = ItemsApi.OutgoingRequest("CSTO-CYBER", "Cleared officers only");
        var item = await supervisor.RegisterAsync(body);
        Assert.Equal("csto", item.Str("channel"));

        var duty = ncp.ClientFor("duty");
        await duty.GetJsonAsync($"/api/items/{item.Number()}", HttpStatusCode.NotFound);
        Assert.DoesNotContain(item.Number(), Numbers(await duty.GetJsonAsync("/api/items?channel=csto")));
        await duty.ActAsync(item.Number(), "notes", new { text = "x" }, expected: HttpStatusCode.NotFound);
        await duty.RegisterAsync(ItemsApi.OutgoingRequest("CSTO-CYBER"), HttpStatusCode.Forbidden);

        Assert.Contains(item.Number(), Numbers(await supervisor.GetJsonAsync("/api/items?channel=csto&limit=200")));
    }

    [Theory]
    [InlineData("status=lost", "status")]
    [InlineData("channel=pigeon", "channel")]
    [InlineData("q=a", "q")]
    [InlineData("limit=1000", "limit")]
    [InlineData("after=page2", "after")]
    [InlineData("from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", "from")]
    [InlineData("sort=alphabetical", "sort")]
    [InlineData("dueWithin=0", "dueWithin")]
    [InlineData("mailWithin=100000", "mailWithin")]
    public async Task Bad_filters_are_named(string query, string field)
    {
        var problem = await ncp.ClientFor("duty").GetJsonAsync($"/api/items?{query}", HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private static List<string> Numbers(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.Number()).ToList();
}
