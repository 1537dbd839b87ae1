using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>An auditor finds who read an item, pages back, and exports what the filters show; a duty officer is not let in.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public async Task An_auditor_filters_the_audit_log_by_register_number_and_exports_the_filtered_view()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest());
        await ncp.ClientFor("supervisor").GetJsonAsync($"/api/items/{item.Number()}");
        await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{item.Number()}");

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            var findings = new List<string>();
            await page.SignInAsync("auditor");
            var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
            await menu.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Audit log" })).ToBeVisibleAsync();
            // The auditor's own sign-in and dashboard are among the newest entries.
            await Expect(page.GetByTestId("audit-entries")).ToContainTextAsync("Auditor (demo)");

            await page.GetByLabel("Register number").FillAsync(item.Number());
            await page.GetByTestId("audit-search").ClickAsync();
            var rows = page.GetByTestId("audit-entry");
            await Expect(rows).ToHaveCountAsync(2);
            await Expect(rows.Nth(0)).ToContainTextAsync("Duty Officer (demo)");
            await Expect(rows.Nth(1)).ToContainTextAsync("Supervisor (demo)");
            await Expect(rows.Nth(1)).ToContainTextAsync("Item read");
            await AccessibilityTests.CheckAsync(page, "audit log", findings);
            await Browser.ScreenshotAsync(page, "audit-log");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("audit-export").ClickAsync());
            var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
            var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            Assert.All(lines.Skip(1), line => Assert.Contains($",read-item,{item.Number()},", line, StringComparison.Ordinal));
            Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
        });
    }

    [Fact]
    public Task A_duty_officer_has_no_audit_log_in_the_menu_and_is_not_let_in() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);

            var refused = await page.GotoAsync("/audit");
            // Refused in place: 403 at the address asked for, with the page that says why.
            Assert.Equal(403, refused!.Status);
            await Expect(page).ToHaveURLAsync(new Regex("/audit$"));
            await Expect(page.GetByTestId("audit-entries")).ToHaveCountAsync(0);
        });
}
