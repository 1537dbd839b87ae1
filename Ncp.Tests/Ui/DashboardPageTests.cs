using System.Text.RegularExpressions;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

/// <summary>The dashboard as the duty officer's browser first gets it (prerendered), and the time-zone switch.</summary>
[Collection(NcpCollection.Name)]
public sealed partial class DashboardPageTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_dashboard_prerenders_the_counts_and_the_newest_items_for_the_duty_officer()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.IncomingRequest("NL-CYBER247", "Dashboard page overdue", DateTimeOffset.UtcNow.AddHours(-3)));
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");

        // The Api's answer and the page are two reads; what earlier tests left (an item falling due, the gateway's late
        // report of a held mail) may change the counts in between, so they are compared once two reads agree.
        var (api, page) = await NcpSystem.EventuallyAsync(
            async () => (Api: await duty.GetJsonAsync("/api/dashboard"), Page: await browser.GetAsync("/")),
            read => read.Page.Status != 200
                || (read.Api.GetProperty("overdue").GetProperty("count").GetInt32() == CountOf(read.Page, "overdue")
                    && read.Api.GetProperty("quarantineHeld").GetInt32() == CountOf(read.Page, "quarantine")));

        Assert.Equal(200, page.Status);
        Assert.Contains("<h1", page.Body, StringComparison.Ordinal);
        Assert.Contains($"href=\"/items/{item.Number()}\"", page.Body, StringComparison.Ordinal);
        Assert.True(CountOf(page, "overdue") >= 1);
        Assert.Equal(api.GetProperty("overdue").GetProperty("count").GetInt32(), CountOf(page, "overdue"));
        Assert.Equal(api.GetProperty("quarantineHeld").GetInt32(), CountOf(page, "quarantine"));
        Assert.Contains("href=\"/items?overdue=true\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"chart-table\"", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_card_opens_the_list_it_counts_with_its_filter_as_a_chip_and_its_order()
    {
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");
        var dashboard = await browser.GetAsync("/");
        foreach (var href in new[] { "/items?mailWithin=24", "/items?dueWithin=24&amp;sort=due", "/items?awaitingAcknowledgement=true&amp;sort=due" })
        {
            Assert.Contains($"href=\"{href}\"", dashboard.Body, StringComparison.Ordinal);
        }

        var list = await browser.GetAsync("/items?dueWithin=24&sort=due");
        Assert.Equal(200, list.Status);
        Assert.Contains("data-testid=\"filter-chips\"", list.Body, StringComparison.Ordinal);
        Assert.Contains("Due within 24 h", list.Text, StringComparison.Ordinal);
        Assert.Contains("Deadline, soonest first", list.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chosen_time_zone_is_kept_and_shown()
    {
        await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest("DE-CYBER247", "Shown in the officer's zone"));
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("head");

        Assert.Equal(400, (await browser.GetAsync("/preferences/time-zone?zone=Mars%2FOlympus")).Status);
        var switched = await browser.GetAsync("/preferences/time-zone?zone=Europe%2FMoscow&returnUrl=%2Fitems");
        Assert.Equal(302, switched.Status);
        Assert.Equal("/items", switched.Location);

        var list = await browser.GetAsync("/items");
        Assert.Contains("title=\"Europe/Moscow\"", list.Body, StringComparison.Ordinal);

        await browser.GetAsync("/preferences/time-zone?zone=Asia%2FAlmaty");
        Assert.Contains("title=\"Asia/Almaty\"", (await browser.GetAsync("/items")).Body, StringComparison.Ordinal);
    }

    private static int CountOf(UiResponse page, string card) =>
        int.Parse(CountPattern().Matches(page.Body).First(m => m.Groups[1].Value == card).Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("data-testid=\"count-([a-z-]+)\"[^>]*>(\\d+)<")]
    private static partial Regex CountPattern();
}
