using System.Text;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>Contacts outside mail, and a partner's mail proposing the acknowledgement, on the item page in Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ContactBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public async Task An_officer_logs_a_phone_call_with_a_file_that_counts_as_our_acknowledgement_and_sees_it_on_the_timeline()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(
            ItemsApi.IncomingRequest("CZ-CYBER247", $"Browser contact {Guid.NewGuid():N}", DateTimeOffset.UtcNow.AddDays(5)));
        await duty.AttachAsync(item.Number(), Encoding.UTF8.GetBytes("Call notes: the partner asked for news by Friday"), "call-notes.txt");
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync($"/items/{item.Number()}");
            await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);

            await page.GetByTestId("log-contact").ClickAsync();
            await dialog.GetByText("We reached the partner").ClickAsync();
            await dialog.GetByLabel("With whom").FillAsync("Lt. Novak, NCB Prague");
            await dialog.GetByLabel("What was said or sent").FillAsync("Told them we have the request and work on it");
            await dialog.GetByTestId("contact-files").ClickAsync();
            await page.GetByRole(AriaRole.Option).Filter(new() { HasText = "call-notes.txt" }).ClickAsync();
            await dialog.GetByRole(AriaRole.Heading).ClickAsync();
            await dialog.GetByTestId("contact-counts-as").ClickAsync();
            await page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Acknowledgement of receipt" }).ClickAsync();
            await Browser.ScreenshotAsync(page, "item-log-contact");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Log the contact", Exact = true }).ClickAsync();

            await Expect(dialog).ToHaveCountAsync(0);
            var contact = page.Locator("li[data-what=contact]");
            await Expect(contact).ToContainTextAsync("Phone call to Lt. Novak, NCB Prague");
            await Expect(contact).ToContainTextAsync("call-notes.txt");
            await Expect(contact).ToContainTextAsync("Duty Officer (demo)");
            await Expect(page.Locator("li[data-what=acknowledged]")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("status")).ToContainTextAsync("Acknowledged");
        });

        // Given in the call: no mail repeats our acknowledgement to the partner.
        var read = await duty.GetJsonAsync($"/api/items/{item.Number()}");
        Assert.Equal("acknowledged", read.Str("status"));
        Assert.DoesNotContain(read.GetProperty("timeline").EnumerateArray(), t => t.Str("what") is "mail-sent" or "mail-not-delivered");
    }
}
