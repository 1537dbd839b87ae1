using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// The main screens at the duty desk's 1366×768: axe-core's WCAG 2.0/2.1 A and AA rules find nothing serious or critical,
/// nothing scrolls sideways, and the keyboard reaches the skip link and the menu.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserNcp ncp, Browser browser)
{
    private static readonly string[] WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    private static readonly string[] Blocking = ["serious", "critical"];

    /// <summary>The dashboard's cards that list their first items: every card but the quarantine's.</summary>
    private const int DashboardLists = 6;

    [Fact]
    public async Task Every_main_screen_passes_axe_at_WCAG_2_AA_and_fits_1366_px_without_sideways_scrolling()
    {
        var made = await FillEveryListAsync();

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            var findings = new List<string>();

            await page.GotoAsync("/sign-in");
            await CheckAsync(page, "sign-in", findings);

            await page.SignInAsync("duty");
            foreach (var (screen, path, shown) in new (string, string, Func<Task>)[]
            {
                ("dashboard", "/", async () =>
                {
                    await Expect(page.Locator(".ncp-dashboard-list")).ToHaveCountAsync(DashboardLists);
                    await Expect(page.GetByTestId("slowest")).ToBeVisibleAsync();
                }),
                ("item list", "/items", () => Expect(ItemLink(page, made.Item)).ToBeVisibleAsync()),
                ("item page", $"/items/{made.Item}", async () =>
                {
                    await Expect(ItemLink(page, made.Linked)).ToBeVisibleAsync();
                    await Expect(page.Locator("li[data-what=mail-received]")).ToBeVisibleAsync();
                }),
                ("compose", "/compose", () => Task.CompletedTask),
                ("partners", "/partners", () => Task.CompletedTask),
                ("quarantine", "/quarantine", () => Expect(page.GetByText(made.Held)).ToBeVisibleAsync()),
            })
            {
                await page.GotoAsync(path);
                await shown();
                await CheckAsync(page, screen, findings);
            }

            // What shows only once the officer does something: the compose form's partner picker as the officer types, and
            // MudBlazor's overlays (a dialog: the item page's note; a menu: the language switch).
            await page.GotoAsync("/compose");
            await page.WaitForInteractiveAsync();
            await page.Locator("[data-testid=partner] input, input[data-testid=partner]").First
                .FillUntilAsync("Germ", page.GetByTestId("partner-option").First);
            await CheckAsync(page, "compose with the partner picker open", findings);

            await page.GotoAsync($"/items/{made.Item}");
            await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
            await CheckAsync(page, "note dialog", findings);
            await page.Keyboard.PressAsync("Escape");
            await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
            await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Language") }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Menu)).ToBeVisibleAsync();
            await CheckAsync(page, "language menu", findings);

            Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
        });
    }

    [Fact]
    public Task Tab_from_the_top_reaches_the_skip_link_first_then_the_main_navigation() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        await page.SignInAsync("duty");
        await page.GotoAsync("/items");
        await SettleAsync(page);
        // After a navigation Blazor puts the focus on the page's heading (FocusOnNavigate) for screen readers. The walk
        // from the top starts where a page loaded without that starts: at the document's body.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeFocusedAsync();
        await page.EvaluateAsync("() => { document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex'); }");

        await page.Keyboard.PressAsync("Tab");
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        await Expect(skip).ToBeFocusedAsync();
        await Expect(skip).ToBeInViewportAsync();

        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
        for (var presses = 0; presses < 15 && !await HoldsFocusAsync(navigation); presses++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.True(await HoldsFocusAsync(navigation), "Fifteen presses of Tab from the top never reached the main navigation.");

        // Followed, the skip link lands on the page's own content, past the app bar and the menu.
        await skip.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("main#main")).ToBeFocusedAsync();
    });

    /// <summary>
    /// Something in every card and list of the screens, made here: axe judges only what is on the page (a link in a line
    /// of text, a table's headers), and an empty list, or one left by whichever tests ran before, hides a defect or shows
    /// it by chance. The item it returns has a link to another, a partner's mail and a note; the address is in its subject.
    /// </summary>
    private async Task<ScreensFilled> FillEveryListAsync()
    {
        var duty = ncp.ClientFor("duty");
        var address = $"198.51.100.{Random.Shared.Next(2, 250)}";
        var now = DateTimeOffset.UtcNow;

        // New incoming, one overdue and one due soon; a partner's mail on the second (mail received).
        var overdue = await duty.RegisterAsync(ItemsApi.IncomingRequest("NL-CYBER247", "Accessibility: overdue", now.AddHours(-2)));
        var item = await duty.RegisterAsync(ItemsApi.IncomingRequest("FR-CYBER247", $"Accessibility: {address}", now.AddHours(3)));
        await ncp.ReportMailReceivedAsync("FR-CYBER247", item.Number());
        await duty.ActAsync(item.Number(), "links", new { targetNumber = overdue.Number(), type = "same-criminal-case" });
        await duty.ActAsync(item.Number(), "notes", new { text = "Called the partner's duty desk" });

        // A request sent and escalated: awaiting acknowledgement, not delivered, and a partner on the slowest partners' table.
        var request = await duty.RegisterAsync(ItemsApi.OutgoingRequest("DE-CYBER247", "Accessibility: escalated"));
        var sent = await duty.ActAsync(request.Number(), "send");
        await ncp.EscalateAsync(sent);
        // The partner has no key here: the gateway gives up on the request (not delivered).
        await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{request.Number()}"), i => i.GetProperty("notDelivered").GetBoolean(), TimeSpan.FromSeconds(60));

        var held = $"Accessibility: held {Guid.NewGuid():N}";
        await ncp.ReportMailQuarantinedAsync(held);
        return new ScreensFilled(item.Number(), overdue.Number(), address, held);
    }

    private sealed record ScreensFilled(string Item, string Linked, string Address, string Held);

    private static ILocator ItemLink(IPage page, string number) =>
        page.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }).First;

    /// <summary>Runs axe and the width check on the page as it stands, adding what fails to <paramref name="findings"/>.</summary>
    internal static async Task CheckAsync(IPage page, string screen, List<string> findings)
    {
        await SettleAsync(page);

        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. WcagTags] } });
        foreach (var violation in result.Violations.Where(v => Blocking.Contains(v.Impact)))
        {
            findings.Add($"{screen}: {violation.Id} ({violation.Impact}) {violation.Help} at {string.Join(" | ", violation.Nodes.Select(n => n.Target))}");
        }

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        if (widths[0] > widths[1])
        {
            findings.Add($"{screen}: scrolls sideways at {Browser.Viewport.Width} px (scrollWidth {widths[0]} > clientWidth {widths[1]})");
        }
    }

    /// <summary>
    /// The page's heading is shown, nothing on it is still loading, and nothing is still fading in: axe measures contrast
    /// with the colours as they are drawn, and a menu half way through MudBlazor's opening transition is pale.
    /// </summary>
    private static async Task SettleAsync(IPage page)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Expect(page.Locator(".mud-progress-linear")).ToHaveCountAsync(0);
        await page.EvaluateAsync(TransitionsEnded);
    }

    /// <summary>
    /// Waits two frames (a transition starts on the frame after its class is set), then for every transition or animation
    /// that ends to end; one that loops for ever (a spinner) is not waited for.
    /// </summary>
    private const string TransitionsEnded = """
        async () => {
            for (let frame = 0; frame < 2; frame++) await new Promise(r => requestAnimationFrame(r));
            const ending = document.getAnimations().filter(a =>
                a.playState === 'running' && Number.isFinite(a.effect?.getComputedTiming().endTime));
            await Promise.all(ending.map(a => a.finished.catch(() => null)));
        }
        """;

    private static Task<bool> HoldsFocusAsync(ILocator region) =>
        region.EvaluateAsync<bool>("region => region.contains(document.activeElement)");
}
