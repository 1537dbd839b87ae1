using System.Text.RegularExpressions;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

/// <summary>A request the gateway could not deliver, as the list and the dashboard show it: not "Sent".</summary>
[Collection(NcpCollection.Name)]
public sealed partial class NotDeliveredPageTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_request_the_partner_never_received_is_not_delivered_in_the_list_and_on_the_dashboard_card_that_opens_that_list()
    {
        var duty = ncp.ClientFor("duty");
        // The seeded partner has no key in the test run: the gateway gives up on the request.
        var stuck = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Never delivered {Guid.NewGuid():N}"));
        await duty.ActAsync(stuck.Number(), "send");
        var draft = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Still a draft {Guid.NewGuid():N}"));
        var item = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{stuck.Number()}"), i => i.GetProperty("notDelivered").GetBoolean(), TimeSpan.FromSeconds(60));
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");

        var list = await browser.GetAsync("/items");
        var filtered = await browser.GetAsync("/items?notDelivered=true");
        var api = await duty.GetJsonAsync("/api/items?notDelivered=true&limit=200");
        var dashboard = await browser.GetAsync("/");

        Assert.Equal("sent", item.Str("status"));
        Assert.Contains("data-testid=\"status-not-delivered\"", RowOf(list, stuck.Number()), StringComparison.Ordinal);
        Assert.Contains("Not delivered", RowOf(list, stuck.Number()), StringComparison.Ordinal);
        Assert.DoesNotContain("data-status=\"Sent\"", RowOf(list, stuck.Number()), StringComparison.Ordinal);
        Assert.Contains("data-status=\"Draft\"", RowOf(list, draft.Number()), StringComparison.Ordinal);
        Assert.Contains($"href=\"/items/{stuck.Number()}\"", filtered.Body, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"/items/{draft.Number()}\"", filtered.Body, StringComparison.Ordinal);
        Assert.Contains("Not delivered to the partner", filtered.Text, StringComparison.Ordinal);
        var numbers = api.GetProperty("items").EnumerateArray().Select(i => i.Str("registerNumber")).ToList();
        Assert.Contains(stuck.Number(), numbers);
        Assert.DoesNotContain(draft.Number(), numbers);
        Assert.All(api.GetProperty("items").EnumerateArray(), i => Assert.True(i.GetProperty("notDelivered").GetBoolean()));
        Assert.Contains("href=\"/items?notDelivered=true\"", dashboard.Body, StringComparison.Ordinal);
        Assert.True(CountOf(dashboard) >= 1, "the not-delivered card counts none");
        Assert.Contains($"href=\"/items/{stuck.Number()}\"", dashboard.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_item_page_says_not_delivered_where_it_said_sent()
    {
        var duty = ncp.ClientFor("duty");
        var stuck = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Item page not delivered {Guid.NewGuid():N}"));
        await duty.ActAsync(stuck.Number(), "send");
        await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{stuck.Number()}"), i => i.GetProperty("notDelivered").GetBoolean(), TimeSpan.FromSeconds(60));
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");

        var page = await browser.GetAsync($"/items/{stuck.Number()}");

        Assert.Contains("Status: Not delivered", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Status: Sent", page.Text, StringComparison.Ordinal);
    }

    // From the row's link to the end of its table row.
    private static string RowOf(UiResponse page, string number)
    {
        var start = page.Text.IndexOf($"href=\"/items/{number}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{number} is not in the list");
        return page.Text[start..page.Text.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static int CountOf(UiResponse page) =>
        int.Parse(CountPattern().Match(page.Body).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("data-testid=\"count-not-delivered\"[^>]*>(\\d+)<")]
    private static partial Regex CountPattern();
}
