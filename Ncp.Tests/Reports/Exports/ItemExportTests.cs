using System.IO.Pipelines;
using System.Net;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Ncp.Api.Reports;
using Ncp.Api.Reports.Exports;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Reports.Exports;

[Collection(NcpCollection.Name)]
public sealed class ItemExportTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_item_export_lists_each_item_of_the_period_once_with_its_fields_only_to_those_cleared_for_its_channel()
    {
        var marker = $"Export {Guid.NewGuid():N}"[..20];
        var supervisor = ncp.ClientFor("supervisor");
        var open = await supervisor.RegisterAsync(ItemsApi.OutgoingRequest("DE-CYBER247", $"{marker} Хасанов, \"ТОО\""));
        var csto = await supervisor.RegisterAsync(ItemsApi.OutgoingRequest("CSTO-CYBER", $"{marker} CSTO"));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var period = $"from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}";

        using var response = await supervisor.GetAsync($"/api/reports/items?{period}&format=csv&lang=ru");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(
            $"ncp-items-{today.AddDays(-1):yyyy-MM-dd}_{today.AddDays(1):yyyy-MM-dd}.csv", response.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var records = ExportTests.ParseCsv(Encoding.UTF8.GetString(bytes[3..]));
        Assert.Equal("Рег. номер", records[0][0]);
        Assert.Equal("Тема", records[0][8]);
        var ours = records.Where(r => r.Length > 8 && r[8].StartsWith(marker, StringComparison.Ordinal)).ToDictionary(r => r[0]);
        Assert.Equal([open.Number(), csto.Number()], ours.Keys.Order());

        var row = ours[open.Number()];
        Assert.Equal(
            ["Запрос", "Исходящий", "DE-CYBER247", "DE", $"{marker} Хасанов, \"ТОО\""], new[] { row[1], row[2], row[4], row[5], row[8] });
        // Moments in the unit's zone (Asia/Almaty), with their offset, to the second.
        var registeredAt = open.GetProperty("registeredAt").GetDateTimeOffset();
        Assert.Equal(
            registeredAt.AddTicks(-(registeredAt.Ticks % TimeSpan.TicksPerSecond)), DateTimeOffset.Parse(row[10], System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("+05:00", row[10], StringComparison.Ordinal);

        // An auditor is not cleared for CSTO: that item is not there at all.
        var auditorCsv = await ncp.ClientFor("auditor").GetStringAsync($"/api/reports/items?{period}");
        Assert.Contains(open.Number(), auditorCsv, StringComparison.Ordinal);
        Assert.DoesNotContain(csto.Number(), auditorCsv, StringComparison.Ordinal);

        using var xlsx = await supervisor.GetAsync($"/api/reports/items?{period}&format=xlsx");
        Assert.Equal(ReportResults.XlsxType, xlsx.Content.Headers.ContentType!.MediaType);
        using var document = SpreadsheetDocument.Open(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()), isEditable: false);
        var workbook = document.WorkbookPart!;
        var sheet = (WorksheetPart)workbook.GetPartById(workbook.Workbook.Sheets!.Elements<Sheet>().Single().Id!);
        var cells = sheet.Worksheet.GetFirstChild<SheetData>()!.Elements<Row>().Select(r => r.Elements<Cell>().ToArray())
            .Single(r => r[0].InnerText == open.Number());
        Assert.Equal($"{marker} Хасанов, \"ТОО\"", cells[8].InnerText);
        var registered = ExportTests.DateOf(cells[10]);
        Assert.Equal(registeredAt.ToOffset(TimeSpan.FromHours(5)).DateTime, registered, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task The_item_export_names_a_wrong_period_format_or_language()
    {
        using var response = await ncp.ClientFor("head").GetAsync("/api/reports/items?from=2026-12-31&to=2026-01-01&format=pdf&lang=de");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["format", "from", "lang"], errors.EnumerateObject().Select(e => e.Name).Order());
    }

    /// <summary>
    /// Honest about streaming without a stopwatch: the rows' source stays open (it has not given its last row) while the
    /// test reads the first rows from the other end of the pipe. A writer that kept the rows until the end would never let
    /// the test see them, and the test would fail on its timeout.
    /// </summary>
    [Fact]
    public async Task The_CSV_writer_hands_rows_on_while_the_source_is_still_giving_them()
    {
        var pipe = new Pipe();
        var gate = new TaskCompletionSource();
        var columns = new[] { new ReportColumn("n", "№", ReportValueKind.Count), new ReportColumn("s", "Тема", ReportValueKind.Text) };
        async IAsyncEnumerable<IReadOnlyList<object?>> RowsAsync()
        {
            for (var i = 0; i < 5_000; i++)
            {
                yield return [i, $"строка {i}"];
            }

            await gate.Task;
            yield return [-1, "last"];
        }

        var writing = Task.Run(async () =>
        {
            await using var output = pipe.Writer.AsStream();
            await CsvExport.WriteAsync(output, [new ReportSheet("t", columns, RowsAsync())], CancellationToken.None);
        });

        var seen = new StringBuilder();
        using var reader = new StreamReader(pipe.Reader.AsStream(), Encoding.UTF8);
        var buffer = new char[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!seen.ToString().Contains("4000,строка 4000\r\n", StringComparison.Ordinal))
        {
            var read = await reader.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the writer ended before the source did");
            seen.Append(buffer, 0, read);
        }

        Assert.False(writing.IsCompleted);
        Assert.StartsWith("№,Тема\r\n0,строка 0\r\n1,строка 1\r\n", seen.ToString(), StringComparison.Ordinal);
        gate.SetResult();
        Assert.EndsWith("-1,last\r\n", seen.Append(await reader.ReadToEndAsync()).ToString(), StringComparison.Ordinal);
        await writing;
    }
}
