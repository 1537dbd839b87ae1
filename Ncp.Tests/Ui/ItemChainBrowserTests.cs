using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>The chain page in Chromium: the item page's link, the warning, the one-click extension, the partner's confirmation.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ItemChainBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public async Task An_officer_follows_the_chain_link_sees_the_warning_asks_for_an_extension_and_records_the_confirmation()
    {
        var duty = ncp.ClientFor("duty");
        var preservation = await duty.PreservedAsync(
            ChainApi.Preservation("TR-CYBER247", $"Preserve the seller's account {Guid.NewGuid():N}"),
            ChainApi.Whole(DateTimeOffset.UtcNow.AddDays(30)));
        var legalAssistance = await duty.FollowedUpAsync(
            preservation, ChainApi.LegalAssistance("TR-CYBER247", "Formal request for the account's logs"));

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync($"/items/{legalAssistance.Number()}");
            // A click before the circuit is up can be lost (seen in a loaded run: the page stayed on the item).
            await page.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("chain-warning")).ToContainTextAsync(preservation.Number());
            await page.GetByTestId("chain-link").ClickAsync();

            var heading = page.GetByRole(AriaRole.Heading, new() { Level = 1, NameRegex = new(Regex.Escape(legalAssistance.Number())) });
            await Expect(heading).ToBeVisibleAsync();
            var steps = page.GetByTestId("chain-steps");
            await Expect(steps.Locator("tbody tr")).ToHaveCountAsync(2);
            await Expect(steps.Locator($"tr[data-number='{preservation.Number()}']")).ToContainTextAsync("Preservation (art. 29)");
            await Expect(steps.Locator($"tr[data-number='{preservation.Number()}'] [data-testid=waits]"))
                .ToContainTextAsync("TR-CYBER247 preserves the data for the formal request");
            await Expect(steps.Locator($"tr[data-number='{legalAssistance.Number()}'] [data-testid=waits]"))
                .ToContainTextAsync("the NCP waits on TR-CYBER247 to acknowledge");
            await Expect(page.GetByTestId("chain-warning")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=chain-page][data-live=on]")).ToBeAttachedAsync();
            await Browser.ScreenshotAsync(page, "item-chain");

            await page.GetByRole(AriaRole.Button, new() { Name = "Request extension" }).ClickAsync();
            await Expect(steps.Locator($"tr[data-number='{preservation.Number()}']")).ToContainTextAsync("90 more days asked for");
            await Expect(page.GetByTestId("chain-warning")).ToContainTextAsync("An extension was asked for");

            var confirmed = DateOnly.FromDateTime(legalAssistance.ReplyBy().AddDays(30).UtcDateTime);
            await page.GetByLabel(new Regex("^Partner preserves until")).TypeDayAsync(confirmed);
            await page.GetByRole(AriaRole.Button, new() { Name = "Record the partner's confirmation" }).ClickAsync();
            await Expect(page.GetByTestId("chain-warning")).ToHaveCountAsync(0);
            await Expect(steps.Locator($"tr[data-number='{preservation.Number()}']")).Not.ToContainTextAsync("more days asked for");
        });
    }
}
