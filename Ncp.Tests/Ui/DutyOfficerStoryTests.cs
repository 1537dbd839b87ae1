using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// The whole story in a real browser, against the real mail servers: an officer writes a request, sees it sent, the
/// partner's encrypted reply arrives through the gateway and appears on the open page without a reload, the officer
/// records the answer and closes the item. Plus what a read-only auditor meets.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DutyOfficerStoryTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public Task An_officer_sends_a_request_reads_the_partners_encrypted_reply_live_and_closes_the_item() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        var de = await ncp.PartnerAsync("de");
        var subject = $"Subscriber data for 198.51.100.{Random.Shared.Next(2, 250)}";
        await page.SignInAsync("duty");
        await Browser.ScreenshotAsync(page, "02-dashboard");

        await page.GotoAsync("/compose");
        await page.WaitForInteractiveAsync();
        await page.PickPartnerAsync("partner", de.Code, de.Code);
        await page.GetByLabel("Subject").FillAsync(subject);
        await ChooseAsync(page, "crime-category", "Internet fraud");
        await page.GetByLabel("Subscriber data").CheckAsync();
        await page.GetByLabel("Period of the data: from").TypeDayAsync(new DateOnly(2026, 10, 1));
        await page.GetByLabel("Period of the data: to").TypeDayAsync(new DateOnly(2026, 10, 31));
        await Expect(page.GetByTestId("deadlines")).ToContainTextAsync("Reply by");
        await Browser.ScreenshotAsync(page, "05-compose");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register and send" }).ClickAsync();

        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/items/[A-Z]"));
        var number = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeVisibleAsync();
        await Expect(page.Locator("li[data-what=mail-sent]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Browser.ScreenshotAsync(page, "06-item-sent");

        var sent = (await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{number}")).GetProperty("mail")[0].Str("messageId");
        var partner = MailGateway.Pki.Partner("de");
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nThe subscriber of the address is John Doe, Example Street 1.", de.Address, "ncp@ncp.example",
            "Re: subscriber data", partner.CertPem, partner.KeyPem, MailGateway.Pki.Ncp.CertPem,
            headers: new Dictionary<string, string> { ["In-Reply-To"] = $"<{sent}>", ["Message-ID"] = $"<{Guid.NewGuid():N}@partner.example>" }));

        // No reload: the page hears the change.
        await Expect(page.Locator("li[data-what=mail-received]")).ToBeVisibleAsync(new() { Timeout = 45_000 });
        await page.Locator("li[data-what=mail-received]").GetByRole(AriaRole.Button, new() { Name = "Show mail" }).ClickAsync();
        await Expect(page.GetByTestId("mail")).ToContainTextAsync("John Doe");
        await Browser.ScreenshotAsync(page, "07-item-reply");

        await ActAsync(page, "Record answer", "Record", async dialog =>
        {
            // A list opened while the dialog was still re-rendering can close again: open it until the option shows.
            await dialog.Locator(".mud-select").First.ClickUntilAsync(page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Full" }).First);
            await page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Full" }).First.ClickAsync();
            await dialog.GetByLabel("Summary").FillAsync("Subscriber identified.");
            // A list opened while the dialog was still re-rendering can close again: open it until the option shows.
            await dialog.GetByTestId("outcome-picker").ClickUntilAsync(page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Data provided" }).First);
            await page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Data provided" }).First.ClickAsync();
        });
        await Expect(page.GetByTestId("outcome")).ToContainTextAsync("Data provided");
        await ActAsync(page, "Close item", "Close", dialog => dialog.GetByLabel("Reason").FillAsync("Answered in full."));
        await Expect(page.GetByTestId("status")).ToContainTextAsync("Closed");
        await Browser.ScreenshotAsync(page, "08-item-closed");
    });

    [Fact]
    public Task A_read_only_auditor_sees_no_actions_and_is_refused_the_compose_page() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: "Seen by the auditor"));
        await page.SignInAsync("auditor");

        await page.GotoAsync($"/items/{item.Number()}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(item.Number());
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Close item" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send to partner" })).ToHaveCountAsync(0);

        await page.GotoAsync("/compose");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Register and send" })).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "09-auditor-refused");
    });

    // A click before the page has turned interactive (its circuit connected) opens nothing: try again until the list opens.
    private static async Task ChooseAsync(IPage page, string testId, string option)
    {
        var choice = page.GetByRole(AriaRole.Option).Filter(new() { HasText = option }).First;
        for (var attempt = 1; ; attempt++)
        {
            await page.GetByTestId(testId).ClickAsync();
            try
            {
                await choice.WaitForAsync(new() { Timeout = 2_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 8)
            {
                await page.Keyboard.PressAsync("Escape");
            }
        }

        await choice.ClickAsync();
    }

    private static async Task ActAsync(IPage page, string button, string confirm, Func<ILocator, Task> fill)
    {
        await page.GetByTestId("actions").GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await fill(dialog);
        await dialog.GetByRole(AriaRole.Button, new() { Name = confirm, Exact = true }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
    }
}
