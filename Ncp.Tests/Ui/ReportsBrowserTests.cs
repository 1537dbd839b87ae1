using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Playwright;
using Ncp.Tests.Reports;
using Ncp.Tests.Reports.Exports;
using Ncp.Tests.Fixtures;
using UglyToad.PdfPig;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// A supervisor opens the Reports screen from the menu, filters it, downloads every table in the language of the screen
/// (ru, kk, en) and prints it; the screen passes axe.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportsBrowserTests(BrowserNcp ncp, Browser browser)
{
    private static readonly string[] Tables = ["statistics", "yearly", "timeliness", "chain"];

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
            // The list takes several channels: it stays open until the officer leaves it.
            await page.Keyboard.PressAsync("Escape");
            await page.GetByTestId("report-show").ClickAsync();

            await Expect(statistics).Not.ToContainTextAsync("DE-CYBER247");
            await Expect(statistics).ToContainTextAsync("INTERPOL-NCB-ASTANA");
            await Expect(page.GetByTestId("report-timeliness")).ToContainTextAsync("INTERPOL-NCB-ASTANA");
            // The downloads carry the same filters to the Api's exports.
            await Expect(page.GetByTestId("report-statistics-csv")).ToHaveAttributeAsync("href", new Regex("channel=interpol.*format=csv"));
            await Expect(page.GetByTestId("report-statistics-xlsx")).ToHaveAttributeAsync("href", new Regex("channel=interpol.*format=xlsx"));
            // The filters are the page's address (taken before the downloads, which the page's address follows).
            await Expect(page).ToHaveURLAsync(new Regex("/reports\\?.*channel=interpol"));
            var address = page.Url;

            // Both downloads carry the filter: the CSV read as a spreadsheet program reads it, the XLSX opened cell by cell.
            var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-statistics-csv").ClickAsync());
            Assert.EndsWith(".csv", csv.SuggestedFilename);
            var csvText = await File.ReadAllTextAsync(await csv.PathAsync());
            var csvCells = ExportTests.ParseCsv(csvText).SelectMany(r => r).ToArray();
            Assert.Contains("INTERPOL-NCB-ASTANA", csvCells);
            Assert.DoesNotContain("DE-CYBER247", csvCells);

            var xlsx = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-statistics-xlsx").ClickAsync());
            Assert.EndsWith(".xlsx", xlsx.SuggestedFilename);
            using (var document = SpreadsheetDocument.Open(await xlsx.PathAsync(), isEditable: false))
            {
                var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet.GetFirstChild<SheetData>()!;
                var texts = sheet.Elements<Row>().SelectMany(r => r.Elements<Cell>()).Select(c => c.InnerText).ToArray();
                Assert.Contains("INTERPOL-NCB-ASTANA", texts);
                Assert.DoesNotContain("DE-CYBER247", texts);
            }

            // Opened afresh from its address (a bookmark, a link sent to a colleague), the screen shows the same.
            await page.GotoAsync(address);
            await page.WaitForInteractiveAsync();
            await Expect(statistics).ToContainTextAsync("INTERPOL-NCB-ASTANA");
            await Expect(statistics).Not.ToContainTextAsync("DE-CYBER247");
            await Expect(page.GetByTestId("report-channel")).ToHaveValueAsync(new Regex("Interpol"));

            await AccessibilityTests.CheckAsync(page, "reports", findings);
            await Browser.ScreenshotAsync(page, "18-reports");
            Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));

            // A second channel beside the first counts both: any of the values chosen, in the address and the downloads.
            var network = page.GetByRole(AriaRole.Option).Filter(new() { HasText = "24/7 network" }).First;
            await page.GetByTestId("report-channel").ClickUntilAsync(network);
            await network.ClickAsync();
            await page.Keyboard.PressAsync("Escape");
            await Expect(page.GetByTestId("report-channel")).ToHaveValueAsync(new Regex("24/7 network"));
            await Expect(page.GetByTestId("report-channel")).ToHaveValueAsync(new Regex("Interpol"));
            await page.GetByTestId("report-show").ClickAsync();
            await Expect(statistics).ToContainTextAsync("DE-CYBER247");
            await Expect(statistics).ToContainTextAsync("INTERPOL-NCB-ASTANA");
            await Expect(page).ToHaveURLAsync(new Regex("/reports\\?.*channel=24-7&channel=interpol"));
            await Expect(page.GetByTestId("report-statistics-csv")).ToHaveAttributeAsync("href", new Regex("channel=24-7&channel=interpol.*format=csv"));
        });
    }

    [Fact]
    public async Task The_kind_country_and_officer_filters_count_only_those_items_and_travel_in_the_address_and_the_downloads()
    {
        // Paraguay is no other browser test's partner: this test's items are all it has. The supervisor registers two
        // requests and sends one; the duty officer registers a third, which the officer filter leaves out.
        var supervisor = ncp.ClientFor("supervisor");
        var sent = await supervisor.RegisterAsync(ItemsApi.OutgoingRequest("PY-CYBER247", "Reports by country, sent"));
        await supervisor.ActAsync(sent.Number(), "send");
        await supervisor.RegisterAsync(ItemsApi.OutgoingRequest("PY-CYBER247", "Reports by country, draft"));
        await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest("PY-CYBER247", "Reports by country, another officer's"));

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("supervisor");
            await page.GotoAsync("/reports");
            await page.WaitForInteractiveAsync();
            await page.Locator("[data-testid=report-country] input, input[data-testid=report-country]").First.FillAsync("py");
            await page.Keyboard.PressAsync("Tab");
            var request = page.GetByRole(AriaRole.Option).Filter(new() { HasTextRegex = new Regex("^Request$") }).First;
            await page.GetByTestId("report-kind").ClickUntilAsync(request);
            await request.ClickAsync();
            await page.Keyboard.PressAsync("Escape");
            var me = page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Supervisor (demo)" }).First;
            await page.GetByTestId("report-officer").ClickUntilAsync(me);
            await me.ClickAsync();
            await page.Keyboard.PressAsync("Escape");
            await page.GetByTestId("report-show").ClickAsync();

            // Registered 2 (not the duty officer's), sent 1, open at the end 2; no other partner.
            var statistics = page.GetByTestId("report-statistics");
            var rows = statistics.Locator("tbody tr");
            await Expect(rows).ToHaveCountAsync(1);
            var cells = rows.First.Locator("th, td");
            await Expect(cells.Nth(0)).ToHaveTextAsync("PY-CYBER247");
            await Expect(cells.Nth(1)).ToHaveTextAsync("2");
            await Expect(cells.Nth(2)).ToHaveTextAsync("1");
            await Expect(cells.Last).ToHaveTextAsync("2");

            var officer = Regex.Escape("officer=0193f3a0-0000-7000-8000-000000000002");
            foreach (var format in new[] { "csv", "xlsx" })
            {
                var link = page.GetByTestId($"report-statistics-{format}");
                foreach (var filter in new[] { "kind=request", "country=py", officer })
                {
                    await Expect(link).ToHaveAttributeAsync("href", new Regex(filter));
                }
            }

            await Expect(page).ToHaveURLAsync(new Regex($"/reports\\?.*kind=request.*country=py.*{officer}"));
            var address = page.Url;
            var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-statistics-csv").ClickAsync());
            var csvRows = ExportTests.ParseCsv(await File.ReadAllTextAsync(await csv.PathAsync()));
            Assert.Equal(["PY-CYBER247", "2", "1"], csvRows.Skip(1).Single().Take(3));

            // Opened from its address, the report is the same, its filters filled in.
            await page.GotoAsync(address);
            await page.WaitForInteractiveAsync();
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(cells.Nth(1)).ToHaveTextAsync("2");
            await Expect(page.GetByTestId("report-officer")).ToHaveValueAsync("Supervisor (demo)");
            await Expect(page.GetByTestId("report-kind")).ToHaveValueAsync("Request");

            // A country that is not a code is refused by the Api, naming the field.
            await page.GotoAsync("/reports?country=Paraguay");
            await Expect(page.GetByText("'PARAGUAY' is not a two-letter country code", new() { Exact = false })).ToBeVisibleAsync();

            // Several countries, typed with commas: each its own value in the address, any of them counted.
            await page.GotoAsync("/reports");
            await page.WaitForInteractiveAsync();
            var country = page.Locator("[data-testid=report-country] input, input[data-testid=report-country]").First;
            await country.FillAsync("py, de");
            await page.Keyboard.PressAsync("Tab");
            await page.GetByTestId("report-show").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/reports\\?.*country=de&country=py"));
            await Expect(statistics).ToContainTextAsync("PY-CYBER247");
            await Expect(country).ToHaveValueAsync("de, py");
        });
    }

    [Fact]
    public async Task In_russian_kazakh_and_english_the_screen_draws_its_charts_and_every_table_downloads_in_that_language_with_its_filters()
    {
        var supervisor = ncp.ClientFor("supervisor");
        await RegisterArticle190ChainAsync(supervisor);
        var year = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, ReportYear.Almaty).Year;
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("supervisor");
            try
            {
                foreach (var language in new[] { "ru", "kk", "en" })
                {
                    var screen = Resources("Ui/Reports/Reports", language);
                    var texts = Resources("Reports/ReportTexts", language);
                    await page.GotoAsync($"/preferences/culture?culture={language}&returnUrl=%2Freports");
                    await page.WaitForInteractiveAsync();
                    await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = screen["Title"] })).ToBeVisibleAsync();

                    // The bars per partner and the line over the months, their series named in the screen's language.
                    var bars = page.GetByTestId("report-partner-chart");
                    await Expect(bars.Locator("svg path").First).ToBeAttachedAsync();
                    await Expect(bars).ToContainTextAsync("DE-CYBER247");
                    await Expect(bars).ToContainTextAsync(texts["column.outcome-no-longer-retained"]);
                    var months = page.GetByTestId("report-month-chart");
                    await Expect(months.Locator("svg path").First).ToBeAttachedAsync();
                    await Expect(months).ToContainTextAsync($"{year}-01");
                    await Expect(months).ToContainTextAsync(texts["column.registered"]);
                    await Expect(page.GetByText(screen["PerPartnerChart"])).ToBeVisibleAsync();
                    await Expect(page.GetByText(screen["MonthsChart"])).ToBeVisibleAsync();

                    // Filtered by the Criminal Code article, each table downloads as the Api answers it with the same filter.
                    await page.Locator("[data-testid=report-article] input, input[data-testid=report-article]").First.FillAsync("190");
                    await page.Keyboard.PressAsync("Tab");
                    await page.GetByTestId("report-show").ClickAsync();
                    await Expect(page.GetByTestId("report-chain-csv")).ToHaveAttributeAsync("href", new Regex("article=190"));
                    foreach (var name in Tables)
                    {
                        var expected = await ApiTableAsync(supervisor, $"{name}?year={year}&article=190", language);
                        Assert.Equal(texts[$"by.{(name == "yearly" ? "category" : "partner")}"], expected[0][0]);
                        await CheckDownloadsAsync(page, name, expected);
                    }

                    await Expect(page.GetByTestId("report-chain")).ToContainTextAsync("AE-CYBER247");
                }
            }
            finally
            {
                // The officer's language is remembered: the next test gets its English supervisor back.
                await page.GotoAsync("/preferences/culture?culture=en&returnUrl=%2F");
            }
        });
    }

    [Fact]
    public Task Printed_the_reports_are_an_A4_page_of_the_tables_under_the_units_heading_and_the_period_without_filters_or_menu() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            var screen = Resources("Ui/Reports/Reports", "en");
            var year = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, ReportYear.Almaty).Year;
            var period = $"01.01.{year} – 31.12.{year} (Asia/Almaty)";
            await page.SignInAsync("supervisor");
            await page.GotoAsync("/reports");
            await page.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("report-yearly")).ToBeVisibleAsync();
            var heading = page.GetByTestId("print-heading");
            await Expect(heading).ToBeHiddenAsync();

            await page.EmulateMediaAsync(new() { Media = Media.Print });
            await Expect(heading).ToBeVisibleAsync();
            await Expect(heading).ToContainTextAsync(screen["UnitHeading"]);
            await Expect(heading).ToContainTextAsync(period);
            foreach (var table in Tables)
            {
                await Expect(page.GetByTestId($"report-{table}")).ToBeVisibleAsync();
                await Expect(page.GetByTestId($"report-{table}-csv")).ToBeHiddenAsync();
            }

            foreach (var onScreenOnly in new[]
            {
                page.Locator($"section[aria-label='{screen["Filters"]}']"), page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" }),
                page.Locator(".mud-appbar"), page.GetByTestId("report-partner-chart"), page.GetByTestId("report-month-chart"),
                page.GetByTestId("report-show"),
            })
            {
                await Expect(onScreenOnly).ToBeHiddenAsync();
            }

            // As wide as the paper's lines (A4 landscape less its margins, 273 mm): no table runs past the edge, none is cut.
            await page.SetViewportSizeAsync(1032, 768);
            foreach (var scroll in await page.Locator(".ncp-report-scroll").AllAsync())
            {
                var (width, shown) = (await scroll.EvaluateAsync<int>("e => e.scrollWidth"), await scroll.EvaluateAsync<int>("e => e.clientWidth"));
                Assert.True(width <= shown, $"{await scroll.GetAttributeAsync("aria-label")}: {width} px wide on a line of {shown} px");
            }

            await Browser.ScreenshotAsync(page, "18-reports-print");

            // The PDF Chromium prints with the page's own size: A4 landscape pages (297 × 210 mm, 841.9 × 595.3 points, rounded up
            // to whole points) whose text holds the heading, the period and the tables, and no filters or menu.
            using var pdf = PdfDocument.Open(await page.PdfAsync(new() { Format = "A4", PreferCSSPageSize = true }));
            var first = pdf.GetPage(1);
            Assert.InRange(first.Width, 840, 844);
            Assert.InRange(first.Height, 594, 597);
            var text = Squeezed(string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text)));
            // One line each (a table's wrapped headers come out word by word across its columns: the layout check above covers them).
            foreach (var printed in new[] { screen["UnitHeading"], period, "Yearly report", "Timeliness", "Internet fraud" })
            {
                Assert.Contains(Squeezed(printed), text);
            }

            foreach (var notPrinted in new[] { screen["Download.csv"], screen["By"], "Dashboard" })
            {
                Assert.DoesNotContain(Squeezed(notPrinted), text);
            }

            // Every page has the heading and the period (the first above its tables, the others in their top margin).
            foreach (var pdfPage in pdf.GetPages())
            {
                var pageText = Squeezed(string.Join(" ", pdfPage.GetWords().Select(w => w.Text)));
                Assert.True(pageText.Contains(Squeezed(screen["UnitHeading"])) && pageText.Contains(Squeezed(period)), $"page {pdfPage.Number}: {pageText}");
            }

            // Headers wrap between words, never inside one: each header word is printed whole.
            var th = page.Locator("[data-testid=report-timeliness] thead th").First;
            Assert.Equal("normal|normal|manual", await th.EvaluateAsync<string>(
                "e => { const s = getComputedStyle(e); return [s.wordBreak, s.overflowWrap, s.hyphens].join('|'); }"));
            var printedWords = pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text.Normalize(System.Text.NormalizationForm.FormKC)).ToHashSet();
            var headers = await page.Locator(".ncp-report-table thead th").AllInnerTextsAsync();
            var headerWords = headers.SelectMany(h => h.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Where(w => w.Length > 3).Distinct().ToArray();
            Assert.Contains("acknowledgement", headerWords);
            Assert.All(headerWords, word => Assert.True(printedWords.Any(p => p.Contains(word, StringComparison.Ordinal)), $"'{word}' is not printed whole"));
        });

    [Fact]
    public Task A_duty_officer_has_no_reports_in_the_menu_and_is_not_let_in() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Reports" })).ToHaveCountAsync(0);

            // Refused in place: 403 at the address asked for, with the page that says why.
            var refused = await page.GotoAsync("/reports");
            Assert.Equal(403, refused!.Status);
            await Expect(page).ToHaveURLAsync(new Regex("/reports$"));
        });

    // Items whose offence is art. 190 (fraud): a request whose data was gone, and a preservation followed by legal assistance.
    private static async Task RegisterArticle190ChainAsync(HttpClient supervisor)
    {
        // The legal assistance goes bilaterally: to a partner reached that way too (AE), as the preservation before it.
        JsonObject Body(string subject, bool preservation, string partner = "AE-CYBER247")
        {
            var body = ItemsApi.OutgoingRequest(partner, subject);
            body["content"] = new JsonObject { ["offence"] = "Fraud, art. 190(2) of the Criminal Code" };
            if (preservation)
            {
                body["requestedData"] = new JsonArray("preservation");
            }

            return body;
        }

        var gone = await supervisor.RegisterAsync(Body("Reports art. 190", preservation: false, partner: "DE-CYBER247"));
        await supervisor.ActAsync(gone.Number(), "send");
        await supervisor.ActAsync(gone.Number(), "answers", new { extent = "full", summary = "Answer", outcome = "no-longer-retained" });

        var preserved = await supervisor.RegisterAsync(Body("Reports art. 190 preservation", preservation: true));
        await supervisor.ActAsync(preserved.Number(), "send");
        await supervisor.ActAsync(preserved.Number(), "acknowledge", new { partnerReference = "REF-190", preservedUntil = DateTimeOffset.UtcNow.AddDays(90) });
        var mla = Body("Reports art. 190 legal assistance", preservation: false);
        mla["kind"] = "legal-assistance-task";
        mla["channel"] = "bilateral";
        var followUp = await supervisor.RegisterAsync(mla);
        await supervisor.ActAsync(followUp.Number(), "links", new { targetNumber = preserved.Number(), type = "follow-up" });
        await supervisor.ActAsync(followUp.Number(), "send");
    }

    // The table as the Api answers it in the language asked for: its headers, then its rows, each value as CSV writes it.
    private static async Task<List<string[]>> ApiTableAsync(HttpClient client, string query, string language)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/reports/{query}");
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await client.SendAsync(request);
        var table = (await ItemsApi.ExpectAsync(response, System.Net.HttpStatusCode.OK)).GetProperty("table");
        return
        [
            [.. table.GetProperty("columns").EnumerateArray().Select(c => c.Str("header"))],
            .. table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.ValueKind switch
            {
                JsonValueKind.Null => "",
                JsonValueKind.Number => v.GetDouble().ToString("R", CultureInfo.InvariantCulture),
                _ => v.GetString() ?? "",
            }).ToArray()),
        ];
    }

    // The CSV read as a spreadsheet program reads it, the XLSX cell by cell (numbers as numbers): both the Api's table.
    private static async Task CheckDownloadsAsync(IPage page, string name, List<string[]> expected)
    {
        var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId($"report-{name}-csv").ClickAsync());
        Assert.StartsWith($"ncp-{name}-", csv.SuggestedFilename);
        Assert.EndsWith(".csv", csv.SuggestedFilename);
        Assert.Equal(expected, ExportTests.ParseCsv(await File.ReadAllTextAsync(await csv.PathAsync())));

        var xlsx = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId($"report-{name}-xlsx").ClickAsync());
        Assert.EndsWith(".xlsx", xlsx.SuggestedFilename);
        using var document = SpreadsheetDocument.Open(await xlsx.PathAsync(), isEditable: false);
        var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet.GetFirstChild<SheetData>()!;
        var cells = sheet.Elements<Row>().Select(r => r.Elements<Cell>().Select(c => c.CellValue is { } value
            ? double.Parse(value.Text, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture)
            : c.InnerText).ToArray()).ToList();
        Assert.Equal(expected, cells);
    }

    private static Dictionary<string, string> Resources(string component, string language) =>
        XDocument.Load(Path.Combine(TestServers.RepositoryRoot, "Ncp.Api", $"{component}{(language == "en" ? "" : "." + language)}.resx"))
            .Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!);

    // PDF text comes as words whose spacing is the layout's, a ligature as one character: compared in compatibility form
    // without any white space.
    private static string Squeezed(string text) => Regex.Replace(text.Normalize(System.Text.NormalizationForm.FormKC), @"\s+", "");
}
