using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Api.Ui.Dashboard;
using Ncp.Api.Ui.SigningIn;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// Finding a partner and an item's count, and what an officer meets at the edges: a role that may not act, a page the role
/// does not open, an address or item that does not exist, a dialog's required fields, a colleague's change, the focus.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FindingAndErrorsBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Theory]
    [InlineData("Герм")]
    [InlineData("germ")]
    [InlineData("ГЕРМАНИЯ")]
    [InlineData("Германия")]
    public async Task The_directory_Api_finds_a_partner_by_its_country_name_in_Cyrillic_or_Latin_letters(string typed)
    {
        var found = await ncp.ClientFor("duty").GetJsonAsync($"/api/partners?q={Uri.EscapeDataString(typed)}");
        var codes = found.EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToArray();

        Assert.Contains("DE-CYBER247", codes);
        Assert.DoesNotContain(codes, code => code!.StartsWith("RO-", StringComparison.Ordinal));
    }

    [Fact]
    public Task The_directory_finds_Germany_typed_in_Cyrillic_and_shows_the_key_status_at_1366_px_without_sideways_scrolling() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync("/partners");
            var rows = page.GetByTestId("partners").Locator("tbody tr");
            await Expect(rows.First).ToBeVisibleAsync();
            var all = await rows.CountAsync();

            await page.GetByTestId("partner-search").FillAsync("Герм");
            // The filter follows the typing a moment later: wait for the list to shrink rather than count it at once.
            await Expect(rows).Not.ToHaveCountAsync(all);
            await Expect(rows.Filter(new() { HasText = "DE-CYBER247" })).ToHaveCountAsync(1);
            await Expect(rows.Filter(new() { HasText = "RO-" })).ToHaveCountAsync(0);

            await page.GetByTestId("partner-search").FillAsync("germany");
            await Expect(rows.Filter(new() { HasText = "DE-CYBER247" })).ToHaveCountAsync(1);

            var keyStatus = rows.Filter(new() { HasText = "DE-CYBER247" }).GetByTestId("key-status");
            await Expect(keyStatus).ToBeInViewportAsync();
            var box = await keyStatus.BoundingBoxAsync();
            Assert.True(box!.X + box.Width <= Browser.Viewport.Width, $"The key status ends at {box.X + box.Width} px, past the screen's {Browser.Viewport.Width}.");
            var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
            Assert.True(widths[0] <= widths[1], $"The directory scrolls sideways: scrollWidth {widths[0]} > clientWidth {widths[1]}.");

            // At 1366 px the languages sit under the channels, the retention column is left out and the open items stay in
            // view; a wider screen shows the retention.
            var germany = rows.Filter(new() { HasText = "DE-CYBER247" });
            var table = page.GetByTestId("partners");
            var retention = table.GetByRole(AriaRole.Columnheader, new() { Name = "Retention (days)" });
            var channel = germany.Locator("td").Filter(new() { HasText = "24/7 network" });
            await Expect(channel).ToContainTextAsync("Languages: German, English");
            await Expect(retention).ToBeHiddenAsync();
            await Expect(germany.Locator("td").Last).ToBeInViewportAsync();
            var openItems = await germany.Locator("td").Last.BoundingBoxAsync();
            var end = openItems!.X + openItems.Width;
            Assert.True(end <= Browser.Viewport.Width, $"The open items end at {end} px, past the screen's {Browser.Viewport.Width}.");
            await page.SetViewportSizeAsync(1680, Browser.Viewport.Height);
            await Expect(retention).ToBeVisibleAsync();
            await Expect(germany.Locator("td").Filter(new() { HasText = "Preservation" })).ToBeVisibleAsync();
        });

    [Fact]
    public async Task The_item_list_shows_how_many_items_its_filter_finds()
    {
        var token = $"countme{Guid.NewGuid():N}"[..20];
        var duty = ncp.ClientFor("duty");
        for (var i = 0; i < 3; i++)
        {
            await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Total {token} {i}"));
        }

        var listed = await duty.GetJsonAsync($"/api/items?q={token}&limit=2&total=true");
        Assert.Equal(2, listed.GetProperty("items").GetArrayLength());
        Assert.Equal(3, listed.GetProperty("total").GetProperty("count").GetInt32());
        Assert.False(listed.GetProperty("total").GetProperty("atLeast").GetBoolean());

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync($"/items?q={token}");
            await Expect(page.GetByTestId("total")).ToHaveTextAsync("Found: 3");
        });
    }

    [Theory]
    [InlineData("en", "Read-only: auditor.", "Not open to your role", "Go to the dashboard")]
    [InlineData("ru", "Только просмотр: аудитор.", "Недоступно для вашей роли", "Перейти к обзору")]
    public async Task An_auditor_reads_why_the_actions_are_missing_and_gets_a_not_allowed_page_for_compose(
        string culture, string readOnly, string notAllowed, string wayBack)
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Read-only {Guid.NewGuid():N}"));
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("auditor");
            try
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink(culture, $"/items/{item.Number()}"));
                var actions = page.GetByTestId("actions");
                await Expect(actions.GetByTestId("read-only")).ToContainTextAsync(readOnly);
                await Expect(actions.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

                // Answered in place: 403 at the address asked for, the officer's language before and after the page goes live.
                var refused = await page.GotoAsync("/compose");
                Assert.Equal(403, refused!.Status);
                await Expect(page).ToHaveURLAsync(new Regex("/compose$"));
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = notAllowed, Level = 1 })).ToBeVisibleAsync();
                await page.WaitForInteractiveAsync();
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = notAllowed, Level = 1 })).ToBeVisibleAsync();
                await Expect(page.GetByRole(AriaRole.Link, new() { Name = wayBack })).ToBeVisibleAsync();
                await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture);

                // The page itself still opens at its own address.
                var itself = await page.GotoAsync("/not-allowed");
                Assert.Equal(200, itself!.Status);
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = notAllowed, Level = 1 })).ToBeVisibleAsync();
            }
            finally
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink("en", "/"));
            }
        });
    }

    [Theory]
    [InlineData("en", "Not found", "Go to the items")]
    [InlineData("kk", "Табылмады", "Тізілімге өту")]
    public Task An_unknown_item_and_an_unknown_address_get_the_not_found_page_with_404_and_a_way_back(string culture, string title, string back) =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("head");
            try
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink(culture, "/"));
                foreach (var address in new[] { "/items/KZ-NCP-2099-999999", $"/no-such-page-{Guid.NewGuid():N}" })
                {
                    var response = await page.GotoAsync(address);
                    Assert.Equal(404, response!.Status);
                    await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
                    await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture);
                    await page.WaitForInteractiveAsync();
                    await Expect(page.GetByRole(AriaRole.Link, new() { Name = back })).ToBeVisibleAsync();
                }

                await Browser.ScreenshotAsync(page, $"not-found-{culture}");
                await page.GetByRole(AriaRole.Link, new() { Name = back }).ClickAsync();
                await Expect(page).ToHaveURLAsync(new Regex("/items$"));
            }
            finally
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink("en", "/"));
            }
        });

    [Theory]
    [InlineData("en-GB", "en", "Not found", "Not open to your role")]
    [InlineData("ru-RU", "ru", "Не найдено", "Недоступно для вашей роли")]
    public Task A_visitor_not_signed_in_is_sent_to_sign_in_for_an_unknown_address_and_sees_the_open_pages_at_once_without_endless_loading(
        string locale, string culture, string notFound, string notAllowed) =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            var path = $"/no-such-page-{Guid.NewGuid():N}";
            await page.GotoAsync(path);
            await Expect(page).ToHaveURLAsync(new Regex($"/sign-in\\?returnUrl=%2F{path[1..]}$"));
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture);

            // The pages open to anyone render for a visitor too: the layout has no officer to wait for.
            foreach (var (open, title) in new[] { ("/not-found", notFound), ("/not-allowed", notAllowed) })
            {
                await page.GotoAsync(open);
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync(new() { Timeout = 5_000 });
                await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture);
                await Expect(page.GetByRole(AriaRole.Progressbar)).ToHaveCountAsync(0);
            }
        }, locale: locale);

    [Fact]
    public async Task An_unknown_Api_path_still_answers_problem_json()
    {
        using var response = await ncp.ClientFor("duty").GetAsync($"/api/no-such-thing-{Guid.NewGuid():N}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("en", "Add note", "Note", "Add", "Required")]
    [InlineData("ru", "Добавить заметку", "Заметка", "Добавить", "Обязательное поле")]
    public async Task A_dialog_opens_without_a_red_required_and_says_required_in_the_officers_language_only_once_confirmed_empty(
        string culture, string button, string field, string confirm, string required)
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Dialog {Guid.NewGuid():N}"));
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("supervisor");
            try
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink(culture, $"/items/{item.Number()}"));
                await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
                await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
                var dialog = page.GetByRole(AriaRole.Dialog);
                await Expect(dialog.GetByLabel(field)).ToBeVisibleAsync();
                await Expect(dialog.Locator(".mud-input-error")).ToHaveCountAsync(0);
                await Expect(dialog.GetByText("Required", new() { Exact = true })).ToHaveCountAsync(0);

                await dialog.GetByRole(AriaRole.Button, new() { Name = confirm, Exact = true }).ClickAsync();
                await Expect(dialog.GetByText(required, new() { Exact = true })).ToBeVisibleAsync();
                await Expect(dialog).ToBeVisibleAsync();
            }
            finally
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink("en", "/"));
            }
        });
    }

    [Fact]
    public async Task A_colleagues_change_is_told_beside_the_heading_without_covering_it_and_a_select_shows_a_focus_ring()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Live notice {Guid.NewGuid():N}"));
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("supervisor");
            await page.GotoAsync($"/items/{item.Number()}");
            await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();

            await duty.ActAsync(item.Number(), "notes", new { text = "A colleague's note" });
            var notice = page.GetByTestId("updated");
            await Expect(notice).ToContainTextAsync("Updated just now");
            var heading = await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).BoundingBoxAsync();
            var told = await notice.BoundingBoxAsync();
            Assert.True(told!.Y >= heading!.Y + heading.Height, $"The notice (y {told.Y}) overlaps the heading (y {heading.Y}–{heading.Y + heading.Height}).");
            await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);

            await page.GotoAsync("/items");
            await page.WaitForInteractiveAsync();
            // The select's focusable part is its combobox; the ring goes round the whole field (.mud-input) it sits in.
            var sort = page.GetByTestId("sort");
            await sort.FocusAsync();
            var outline = await sort.EvaluateAsync<string>(
                "e => { const box = getComputedStyle(e.closest('.mud-input')); return box.outlineWidth + ' ' + box.outlineStyle; }");
            Assert.Equal("3px solid", outline);
        });
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(5, 1)]
    [InlineData(7, 2)]
    [InlineData(20, 5)]
    [InlineData(23, 5)]
    [InlineData(100, 20)]
    [InlineData(1234, 500)]
    public void The_charts_axis_steps_so_that_it_ends_just_above_the_highest_day(int highest, int step) =>
        Assert.Equal(step, Dashboard.AxisStep(highest));
}
