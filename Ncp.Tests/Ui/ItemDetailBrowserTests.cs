using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>The item page in Chromium, over the interactive circuit.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ItemDetailBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public async Task An_officer_adds_a_note_through_its_dialog_and_sees_it_in_the_timeline()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Browser detail {Guid.NewGuid():N}"));
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync($"/items/{item.Number()}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, NameRegex = new(Regex.Escape(item.Number())) })).ToBeVisibleAsync();
            await Browser.ScreenshotAsync(page, "item-detail");

            var dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
            await dialog.GetByLabel("Note").FillAsync("Phoned the partner's duty desk");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();

            await Expect(dialog).ToBeHiddenAsync();
            await Expect(page.Locator("li[data-what=note]")).ToContainTextAsync("Phoned the partner's duty desk");
            await Expect(page.Locator("li[data-what=note]")).ToContainTextAsync("Duty Officer (demo)");
        });
    }

    [Fact]
    public async Task A_colleagues_change_appears_on_the_open_item_page_without_a_reload()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Browser live {Guid.NewGuid():N}"));
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync($"/items/{item.Number()}");
            await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
            var timeline = page.Locator("[data-testid=timeline]");

            await ncp.ClientFor("supervisor").ActAsync(item.Number(), "notes", new { text = "Supervisor: call the partner first" });

            await Expect(timeline).ToContainTextAsync("Supervisor: call the partner first");
            await Expect(page.GetByText("Updated just now")).ToBeVisibleAsync();
        });
    }

    [Fact]
    public async Task A_colleagues_change_while_the_dialog_is_open_is_reported_and_the_page_offers_a_reload()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: $"Browser conflict {Guid.NewGuid():N}"));
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync($"/items/{item.Number()}");
            await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await dialog.GetByLabel("Reason").FillAsync("Sent through Interpol instead");

            await ncp.ClientFor("supervisor").ActAsync(item.Number(), "notes", new { text = "Wait: the partner called back" });
            await Expect(page.Locator("[data-testid=timeline]")).ToContainTextAsync("Wait: the partner called back");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Withdraw", Exact = true }).ClickAsync();

            var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "A colleague changed this item" });
            await Expect(alert).ToBeVisibleAsync();
            await Expect(page.GetByTestId("status")).ToContainTextAsync("Draft");
            await alert.GetByRole(AriaRole.Button, new() { Name = "Reload" }).ClickAsync();
            await Expect(alert).ToBeHiddenAsync();
        });
    }
}
