using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// What the user guide says of the register and the dashboard, in Chromium: the list's pages, order and filters live in
/// its address, an identifier typed any way finds its items, the urgency is in words; the dashboard's chart as a table,
/// its refresh, the app bar's officer and clock.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RegisterBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public async Task The_register_pages_sorts_and_filters_through_its_address_finds_an_identifier_however_typed_and_clears_its_filters()
    {
        var duty = ncp.ClientFor("duty");
        var token = $"reg{Guid.NewGuid():N}"[..14];
        var digits = RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var first = await duty.RegisterAsync(AboutPhone($"Zhanibek {token} first", $"+7701{digits}"));
        for (var i = 1; i <= 25; i++)
        {
            await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"{token} {i:00}"));
        }

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            var rows = page.GetByTestId("items").Locator("tbody tr");
            await page.GotoAsync($"/items?q={token}");
            await page.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("total")).ToHaveTextAsync("Found: 26");
            await Expect(rows).ToHaveCountAsync(26);
            // Newest first by default; the priority in words, not only in colour.
            await Expect(rows.First).ToContainTextAsync($"{token} 25");
            await Expect(rows.First).ToContainTextAsync("Urgent");

            var perPage = page.GetByLabel("Items per page");
            await perPage.ClickUntilAsync(page.GetByRole(AriaRole.Option, new() { Name = "25", Exact = true }));
            await page.GetByRole(AriaRole.Option, new() { Name = "25", Exact = true }).ClickAsync();
            await Expect(rows).ToHaveCountAsync(25);
            await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(rows.First).ToContainTextAsync($"Zhanibek {token} first");
            await page.GetByRole(AriaRole.Button, new() { Name = "Previous" }).ClickAsync();
            await Expect(rows).ToHaveCountAsync(25);

            var oldest = page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Oldest first" });
            await page.GetByTestId("sort").ClickUntilAsync(oldest);
            await oldest.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("sort=oldest"));
            await Expect(rows.First).ToContainTextAsync($"Zhanibek {token} first");

            // Cyrillic finds the Latin subject; the phone as a person writes it finds the E.164 one; both from the address.
            await page.GotoAsync($"/items?q={Uri.EscapeDataString("Жанибек")}&identifier={Uri.EscapeDataString($"phone:8 701 {digits[..3]} {digits[3..5]} {digits[5..]}")}");
            await page.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("total")).ToHaveTextAsync("Found: 1");
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("identifier-chip")).ToContainTextAsync($"phone:8 701 {digits[..3]}");

            await page.GetByRole(AriaRole.Button, new() { Name = "Clear filters" }).ClickAsync();
            await Expect(page).Not.ToHaveURLAsync(new Regex("identifier=|q="));
            await Expect(page.GetByTestId("identifier-chip")).ToHaveCountAsync(0);

            await page.GotoAsync($"/items?q={token}&sort=oldest");
            await page.WaitForInteractiveAsync();
            await rows.First.GetByRole(AriaRole.Link, new() { Name = first.Number(), Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(first.Number());
        });
    }

    [Fact]
    public Task The_dashboard_says_when_it_was_updated_gives_its_chart_as_a_table_and_the_app_bar_names_the_officer_and_switches_the_zone() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            // The supervisor's zone is theirs in every browser: put back whatever happens here.
            await page.SignInAsync("supervisor");
            try
            {
                await SessionEndsWithTheBrowserOrAfterTwelveHoursAsync(page);
                await Expect(page.GetByTestId("officer")).ToContainTextAsync("Supervisor (demo)");
                await Expect(page.GetByTestId("officer")).ToContainTextAsync("Supervisor");
                var updated = page.GetByTestId("updated");
                await Expect(updated).ToHaveTextAsync(new Regex(@"\d{2}:\d{2}:\d{2}"));

                await page.GetByText("Show the figures as a table").ClickAsync();
                var table = page.GetByTestId("chart-table");
                await Expect(table).ToBeVisibleAsync();
                Assert.True(await table.Locator("tbody tr").CountAsync() >= 30, "the chart's table has fewer than the 30 days");

                var before = await updated.InnerTextAsync();
                await page.WaitForTimeoutAsync(1_100);
                await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
                await Expect(updated).Not.ToHaveTextAsync(before);

                var moscow = page.GetByRole(AriaRole.Menuitem, new() { Name = "Europe/Moscow" });
                await page.GetByTestId("time-zone").ClickUntilAsync(moscow);
                await moscow.ClickAsync();
                await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Time zone: Europe/Moscow" })).ToBeVisibleAsync();
                await page.ReloadAsync();
                await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Time zone: Europe/Moscow" })).ToBeVisibleAsync();
            }
            finally
            {
                await page.GotoAsync("/preferences/time-zone?zone=Asia%2FAlmaty&returnUrl=%2F");
            }
        });

    /// <summary>
    /// The session the browser holds: a cookie without an expiry (the browser drops it when it closes) whose ticket, read
    /// with the Api's own key, runs 12 hours from its issue (renewed as the officer works: sliding).
    /// </summary>
    private async Task SessionEndsWithTheBrowserOrAfterTwelveHoursAsync(IPage page)
    {
        var cookies = await page.Context.CookiesAsync();
        var session = cookies.Where(c => c.Name.StartsWith(BrowserSignIn.CookieName, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(session);
        Assert.All(session, c => Assert.True(c.Expires < 0, $"The session cookie {c.Name} outlives the browser: it expires {c.Expires}."));

        // A large ticket is cut into chunks: "chunks-2" in the cookie itself, the parts in ncp.sessionC1, ncp.sessionC2.
        var value = session.Single(c => c.Name == BrowserSignIn.CookieName).Value;
        if (value.StartsWith("chunks-", StringComparison.Ordinal))
        {
            value = string.Concat(Enumerable.Range(1, int.Parse(value["chunks-".Length..], CultureInfo.InvariantCulture))
                .Select(i => session.Single(c => c.Name == $"{BrowserSignIn.CookieName}C{i}").Value));
        }

        var ticket = ncp.Api.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(BrowserSignIn.CookieScheme).TicketDataFormat.Unprotect(value);
        Assert.NotNull(ticket);
        Assert.False(ticket.Properties.IsPersistent);
        Assert.Equal(TimeSpan.FromHours(12), ticket.Properties.ExpiresUtc - ticket.Properties.IssuedUtc);
    }

    private static JsonObject AboutPhone(string subject, string phone)
    {
        var body = ItemsApi.OutgoingRequest(subject: subject);
        body["content"] = new JsonObject
        {
            ["form"] = "stored-data",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "phone", ["value"] = phone, ["data"] = new JsonArray("subscriber-data") }),
        };
        return body;
    }
}
