using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Playwright;
using Ncp.Tests.Reports.Exports;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>A supervisor opens the Reports screen from the menu, filters it by channel, and the screen passes axe.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportsBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public async Task A_supervisor_filters_the_reports_by_channel_and_sees_only_that_channels_partners()
    {
        var supervisor = ncp.ClientFor("supervisor");
        foreach (var (partner, outcome) in new[] { ("DE-CYBER247", "data-provided"), ("INTERPOL-NCB-ASTANA", "no-longer-retained") })
        {
            var item = await supervisor.RegisterAsync(ItemsApi.OutgoingRequest(partner, $"Reports {partner}"));
            await supervisor.ActAsync(item.Number(), "send");
            await supervisor.ActAsync(item.Number(), "answers", new { extent = "full", summary = "Answer", outcome });
        }

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            var findings = new List<string>();
            await page.SignInAsync("supervisor");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" }).GetByRole(AriaRole.Link, new() { Name = "Reports" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Reports" })).ToBeVisibleAsync();
            await page.WaitForInteractiveAsync();
            var statistics = page.GetByTestId("report-statistics");
            await Expect(statistics).ToContainTextAsync("DE-CYBER247");
            await Expect(statistics).ToContainTextAsync("INTERPOL-NCB-ASTANA");
            await Expect(page.GetByTestId("report-yearly")).ToContainTextAsync("Internet fraud");

            var interpol = page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Interpol" }).First;
            await page.GetByTestId("report-channel").ClickUntilAsync(interpol);
            await interpol.ClickAsync();
            await page.GetByTestId("report-show").ClickAsync();

            await Expect(statistics).Not.ToContainTextAsync("DE-CYBER247");
            await Expect(statistics).ToContainTextAsync("INTERPOL-NCB-ASTANA");
            await Expect(page.GetByTestId("report-timeliness")).ToContainTextAsync("INTERPOL-NCB-ASTANA");
            // The downloads carry the same filters to the Api's exports.
            await Expect(page.GetByTestId("report-export-csv")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("channel=interpol.*format=csv"));
            await Expect(page.GetByTestId("report-export-xlsx")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("format=xlsx"));


            // Both downloads carry the filter: the CSV read as a spreadsheet program reads it, the XLSX opened cell by cell.
            var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-export-csv").ClickAsync());
            Assert.EndsWith(".csv", csv.SuggestedFilename);
            var csvText = await File.ReadAllTextAsync(await csv.PathAsync());
            var csvCells = ExportTests.ParseCsv(csvText).SelectMany(r => r).ToArray();
            Assert.Contains("INTERPOL-NCB-ASTANA", csvCells);
            Assert.DoesNotContain("DE-CYBER247", csvCells);

            var xlsx = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-export-xlsx").ClickAsync());
            Assert.EndsWith(".xlsx", xlsx.SuggestedFilename);
            using (var document = SpreadsheetDocument.Open(await xlsx.PathAsync(), isEditable: false))
            {
                var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet.GetFirstChild<SheetData>()!;
                var texts = sheet.Elements<Row>().SelectMany(r => r.Elements<Cell>()).Select(c => c.InnerText).ToArray();
                Assert.Contains("INTERPOL-NCB-ASTANA", texts);
                Assert.DoesNotContain("DE-CYBER247", texts);
            }

            await AccessibilityTests.CheckAsync(page, "reports", findings);
            await Browser.ScreenshotAsync(page, "18-reports");
            Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
        });
    }

    [Fact]
    public Task A_duty_officer_has_no_reports_in_the_menu_and_is_not_let_in() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Reports" })).ToHaveCountAsync(0);

            // Refused in place: 403 at the address asked for, with the page that says why.
            var refused = await page.GotoAsync("/reports");
            Assert.Equal(403, refused!.Status);
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/reports$"));
        });
}
