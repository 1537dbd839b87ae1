using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Api.Ui.SigningIn;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>The duty officer's screens in a real browser: signing in, the register, the languages (the switch, the sign-in page, the reconnect banner).</summary>
[Collection(BrowserCollection.Name)]
public sealed class OfficerScreensTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public Task The_duty_officer_signs_in_and_finds_an_item_in_the_register() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        var subject = $"Register check {Guid.NewGuid():N}"[..30];
        await ncp.ClientFor("duty").PostAsJsonAsync("/api/items", ItemsApi.OutgoingRequest(subject: subject));

        await page.GotoAsync("/items");
        await Expect(page).ToHaveURLAsync(new Regex("/sign-in"));
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

        // The choice is the supervisor's in every browser: back to English, so that no later test meets them in Russian.
        await page.GotoAsync(SigningInEndpoints.CultureLink("en", "/items"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Items", Level = 1 })).ToBeVisibleAsync();
    });

    [Fact]
    public Task A_language_chosen_on_the_sign_in_page_keeps_the_way_back_and_is_the_officers_after_signing_in() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        // The administrator: no other browser test signs in as them, so their remembered language troubles none.
        await page.GotoAsync("/items");
        await Expect(page).ToHaveURLAsync(new Regex("/sign-in\\?returnUrl=%2Fitems"));

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Language" }).GetByRole(AriaRole.Link, new() { Name = "Русский" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Вход в систему НКП", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        await Expect(page).ToHaveURLAsync(new Regex("returnUrl=%2Fitems"));
        await Browser.ScreenshotAsync(page, "02-sign-in-russian");

        await page.GetByTestId("demo-admin").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/items$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Реестр", Level = 1 })).ToBeVisibleAsync();

        await page.GotoAsync(SigningInEndpoints.CultureLink("en", "/items"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Items", Level = 1 })).ToBeVisibleAsync();
    });

    [Fact]
    public Task The_reconnect_banner_waits_hidden_in_the_officers_language_and_offers_a_reload() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        await page.SignInAsync("auditor");
        await page.GotoAsync("/items");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Реестр", Level = 1 })).ToBeVisibleAsync();

        var banner = page.Locator("#components-reconnect-modal");
        await Expect(banner).ToBeHiddenAsync();
        await Expect(banner).ToContainTextAsync("Соединение с сервером потеряно. Переподключение…");
        await Expect(banner).ToContainTextAsync("Перезагрузить");

        // What Blazor does when its retries run out (the class and the event are its documented signals).
        await banner.EvaluateAsync("""
            modal => {
                modal.classList.add("components-reconnect-failed");
                modal.dispatchEvent(new CustomEvent("components-reconnect-state-changed", { detail: { state: "failed" } }));
            }
            """);
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Соединение потеряно" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByText("Не удалось восстановить соединение с сервером", new() { Exact = false })).ToBeVisibleAsync();
        await Expect(dialog.GetByText("Переподключение…", new() { Exact = false })).ToBeHiddenAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Повторить" })).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "reconnect-failed-russian");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Перезагрузить" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Реестр", Level = 1 })).ToBeVisibleAsync();
    }, locale: "ru-RU");

    private static async Task ChooseLanguageAsync(IPage page, string language)
    {
        var choice = page.GetByText(language, new() { Exact = true });
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Language|Тіл|Язык)") }).ClickUntilAsync(choice);
        await choice.ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}
