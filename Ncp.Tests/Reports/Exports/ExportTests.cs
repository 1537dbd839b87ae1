using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Ncp.Api.Reports;
using Ncp.Api.Reports.Exports;

namespace Ncp.Tests.Reports.Exports;

public sealed class ExportTests
{
    private static readonly ReportTable Partners = new("timeliness", "Своевременность по партнёрам", [
        new("partner", "Партнёр", ReportValueKind.Text),
        new("sent", "Отправлено", ReportValueKind.Count),
        new("withinReplyBy", "Доля в срок", ReportValueKind.Share),
        new("medianDays", "Медиана, дней", ReportValueKind.Days),
        new("firstSent", "Первая отправка", ReportValueKind.Date),
        new("lastAnswer", "Последний ответ", ReportValueKind.Moment),
    ], [
        ["DE-CYBER247", 12L, 0.75, 3.5, new DateOnly(2026, 1, 2), new DateTimeOffset(2026, 12, 31, 23, 59, 0, TimeSpan.FromHours(5))],
        ["Хасанов, \"ТОО\"\r\nстрока 2", 0, null, null, null, null],
        ["=HYPERLINK(\"http://x.example\")", 3, 1.0, 0.25, new DateOnly(2026, 2, 28), null],
    ]);

    private static readonly ReportTable Second = new("yearly", "Годовой отчёт: статьи 190, 207 [УК]", [
        new("category", "Категория", ReportValueKind.Text),
        new("registered", "Зарегистрировано", ReportValueKind.Count),
    ], [["Мошенничество", 7]]);

    [Fact]
    public async Task A_CSV_export_reads_back_as_the_table_in_UTF8_with_a_byte_order_mark_and_CRLF()
    {
        using var file = new MemoryStream();
        await CsvExport.WriteAsync(file, [ReportSheet.Of(Partners)], CancellationToken.None);
        var bytes = file.ToArray();

        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(
            [
                ["Партнёр", "Отправлено", "Доля в срок", "Медиана, дней", "Первая отправка", "Последний ответ"],
                ["DE-CYBER247", "12", "0.75", "3.5", "2026-01-02", "2026-12-31T23:59:00+05:00"],
                ["Хасанов, \"ТОО\"\r\nстрока 2", "0", "", "", "", ""],
                ["'=HYPERLINK(\"http://x.example\")", "3", "1", "0.25", "2026-02-28", ""],
            ],
            ParseCsv(text));
    }

    [Fact]
    public async Task Several_tables_in_one_CSV_each_come_under_their_title()
    {
        using var file = new MemoryStream();
        await CsvExport.WriteAsync(file, [ReportSheet.Of(Partners), ReportSheet.Of(Second)], CancellationToken.None);

        var records = ParseCsv(Encoding.UTF8.GetString(file.ToArray()[3..]));
        Assert.Equal(["Своевременность по партнёрам"], records[0]);
        Assert.Equal(["Годовой отчёт: статьи 190, 207 [УК]"], records[6]);
        Assert.Equal(["Категория", "Зарегистрировано"], records[7]);
        Assert.Equal(["Мошенничество", "7"], records[8]);
    }

    [Fact]
    public async Task An_XLSX_export_has_a_sheet_per_table_with_numbers_as_numbers_dates_as_dates_and_shares_as_percent()
    {
        using var file = new MemoryStream();
        ReportSheet[] sheetsWritten = [ReportSheet.Of(Partners), ReportSheet.Of(Second), ReportSheet.Of(Second)];
        await XlsxExport.WriteAsync(file, sheetsWritten, CancellationToken.None);
        file.Position = 0;

        using var document = SpreadsheetDocument.Open(file, isEditable: false);
        var workbook = document.WorkbookPart!;
        var sheets = workbook.Workbook.Sheets!.Elements<Sheet>().ToArray();
        // 31 characters at most, no brackets or colons, unique.
        Assert.Equal(
            ["Своевременность по партнёрам", "Годовой отчёт  статьи 190, 207", "Годовой отчёт  статьи 190, (2)"], sheets.Select(s => s.Name!.Value));
        var formats = workbook.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<CellFormat>().ToArray();
        var custom = workbook.WorkbookStylesPart.Stylesheet.NumberingFormats!.Elements<NumberingFormat>()
            .ToDictionary(f => f.NumberFormatId!.Value, f => f.FormatCode!.Value!);
        string FormatOf(Cell cell) => cell.StyleIndex is null ? "General"
            : formats[(int)cell.StyleIndex.Value].NumberFormatId!.Value is var id && custom.TryGetValue(id, out var code) ? code
            : $"builtin {id}";

        var rows = ((WorksheetPart)workbook.GetPartById(sheets[0].Id!)).Worksheet.GetFirstChild<SheetData>()!.Elements<Row>()
            .Select(r => r.Elements<Cell>().ToArray()).ToArray();
        Assert.Equal(4, rows.Length);
        Assert.Equal(
            ["Партнёр", "Отправлено", "Доля в срок", "Медиана, дней", "Первая отправка", "Последний ответ"], rows[0].Select(c => c.InnerText));
        Assert.All(rows[0], c => Assert.Equal(CellValues.InlineString, c.DataType!.Value));

        var first = rows[1];
        Assert.Equal((CellValues.InlineString, "DE-CYBER247"), (first[0].DataType!.Value, first[0].InnerText));
        Assert.Equal(("12", "General"), Numeric(first[1], FormatOf));
        Assert.Equal(("0.75", "builtin 10"), Numeric(first[2], FormatOf));
        Assert.Equal(("3.5", "0.0"), Numeric(first[3], FormatOf));
        Assert.Equal((new DateTime(2026, 1, 2), "yyyy-mm-dd"), (DateOf(first[4]), FormatOf(first[4])));
        Assert.Equal((new DateTime(2026, 12, 31, 23, 59, 0), "yyyy-mm-dd hh:mm"),
            (DateOf(first[5]), FormatOf(first[5])));

        // Nulls are empty cells, not zeros; text stays text, even text that looks like a formula.
        var second = rows[2];
        // A line break in a cell is one LF, as spreadsheet programs write it.
        Assert.Equal("Хасанов, \"ТОО\"\nстрока 2", second[0].InnerText);
        Assert.Equal(("0", "General"), Numeric(second[1], FormatOf));
        Assert.All(second[2..], c => Assert.Null(c.CellValue));
        Assert.Equal((CellValues.InlineString, "=HYPERLINK(\"http://x.example\")"), (rows[3][0].DataType!.Value, rows[3][0].InnerText));
        Assert.Null(rows[3][0].CellFormula);
        Assert.Equal(("1", "builtin 10"), Numeric(rows[3][2], FormatOf));
    }

    [Fact]
    public async Task An_XLSX_export_sent_as_it_is_made_starts_before_its_last_row_is_read_and_opens_whole()
    {
        const int Count = 5_000;
        var sent = new MemoryStream();
        var sentBeforeTheLastRow = -1L;

        async IAsyncEnumerable<IReadOnlyList<object?>> Rows()
        {
            for (var i = 1; i <= Count; i++)
            {
                if (i == Count)
                {
                    sentBeforeTheLastRow = sent.Length;
                }

                await Task.Yield();
                yield return [$"NCP-2027-{i:D6}", i];
            }
        }

        // A response takes its bytes in order and cannot go back.
        await using (var response = new ForwardOnly(sent))
        {
            await XlsxExport.StreamAsync(
                response, [new ReportSheet("Items", [new("number", "Number", ReportValueKind.Text), new("n", "N", ReportValueKind.Count)], Rows())],
                CancellationToken.None);
        }

        Assert.True(sentBeforeTheLastRow > 0, "Nothing was sent before the last row was read.");
        Assert.True(sentBeforeTheLastRow < sent.Length, "Everything was sent before the last row was read.");
        sent.Position = 0;
        using var document = SpreadsheetDocument.Open(sent, isEditable: false);
        var rows = document.WorkbookPart!.WorksheetParts.Single().Worksheet.GetFirstChild<SheetData>()!.Elements<Row>().ToArray();
        Assert.Equal(Count + 1, rows.Length);
        Assert.Equal(["NCP-2027-005000", "5000"], rows[^1].Elements<Cell>().Select(c => c.InnerText));
    }

    /// <summary>A stream like a response body: written forwards only, asynchronously.</summary>
    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new InvalidOperationException("Synchronous writes are not allowed (as in Kestrel).");

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData("Statistics", "Statistics")]
    [InlineData("a/b:c?d*e[f]g\\h", "a b c d e f g h")]
    [InlineData("", "Sheet")]
    [InlineData("Сроки ответа по партнёрам и каналам связи", "Сроки ответа по партнёрам и кан")]
    public void A_sheet_name_is_cut_to_31_characters_without_the_ones_Excel_refuses(string title, string expected) =>
        Assert.Equal(expected, XlsxExport.SheetName(title, new HashSet<string>()));

    internal static DateTime DateOf(Cell cell) =>
        DateTime.FromOADate(double.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture));

    private static (string Value, string Format) Numeric(Cell cell, Func<Cell, string> formatOf)
    {
        // A number cell has no type (or n) and its value as an invariant number.
        Assert.True(cell.DataType is null || cell.DataType.Value == CellValues.Number);
        return (cell.CellValue!.Text, formatOf(cell));
    }

    /// <summary>RFC 4180, the way a spreadsheet program reads it.</summary>
    internal static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        return records;
    }
}
