using System.Net.Http.Json;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>The duty officer's screens in a real browser: signing in, the register, the language switch, what a read-only role meets.</summary>
[Collection(BrowserCollection.Name)]
public sealed class OfficerScreensTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public Task The_duty_officer_signs_in_and_finds_an_item_in_the_register() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        var subject = $"Register check {Guid.NewGuid():N}"[..30];
        await ncp.ClientFor("duty").PostAsJsonAsync("/api/items", ItemsApi.OutgoingRequest(subject: subject));

        await page.GotoAsync("/items");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sign-in"));
        await Browser.ScreenshotAsync(page, "01-sign-in");
        await page.SignInAsync("duty");
        await page.GotoAsync("/items");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Items", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText(subject)).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "03-items");
    });

    [Fact]
    public Task The_language_switch_turns_the_screens_kazakh_then_russian_and_the_choice_stays() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        await page.SignInAsync("supervisor");
        await page.GotoAsync("/items");

        await ChooseLanguageAsync(page, "Қазақша");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Тізілім", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "kk");
        await Browser.ScreenshotAsync(page, "04-items-kazakh");

        await ChooseLanguageAsync(page, "Русский");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Реестр", Level = 1 })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Реестр", Level = 1 })).ToBeVisibleAsync();
    });

    private static async Task ChooseLanguageAsync(IPage page, string language)
    {
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^(Language|Тіл|Язык)") }).ClickAsync();
        await page.GetByText(language, new() { Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}
