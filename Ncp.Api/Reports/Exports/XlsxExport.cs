using System.Globalization;
using System.IO.Compression;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Ncp.Api.Reports.Exports;

/// <summary>
/// One worksheet per table, written with the Open XML SDK's <see cref="OpenXmlWriter"/>: row by row, with inline strings
/// (a shared-string table would hold every text in memory). Numbers are numbers, days and moments are date serials with a
/// date format, shares a percent format, so that a spreadsheet sums, sorts and charts them.
/// </summary>
public static class XlsxExport
{
    public const int MaxSheetName = 31;

    // Excel's own limit on a cell's text; beyond it the file opens "repaired".
    private const int MaxCellText = 32_767;

    // Cell formats of the style sheet below, by position.
    private const uint HeaderStyle = 1, DateStyle = 2, MomentStyle = 3, ShareStyle = 4, DecimalStyle = 5;

    private const string Relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string Main = "application/vnd.openxmlformats-officedocument.spreadsheetml";

    /// <summary>
    /// Written synchronously (the SDK has no async writer): give it a file or a memory stream. The zip is made here in
    /// create mode, entry by entry as each sheet ends: the SDK's own package keeps every part in memory until closed
    /// (a year of items took hundreds of megabytes) and refuses a write-only one. The few small parts are the SDK's
    /// elements; each sheet is its <see cref="OpenXmlWriter"/>.
    /// </summary>
    public static Task WriteAsync(Stream output, IReadOnlyList<ReportSheet> sheets, CancellationToken ct) =>
        WriteAsync(output, sheets, () => ValueTask.CompletedTask, ct);

    /// <summary>
    /// Sends the workbook to <paramref name="response"/> as it is made: the zip and the SDK write synchronously into a
    /// buffer, and every few hundred rows what the buffer holds goes to the response asynchronously. The first bytes leave
    /// as soon as the first rows are read, not once the whole file is made (at a million items that took tens of seconds,
    /// with nothing to show in the browser meanwhile); memory holds a few hundred rows. The zip, not seekable, gives each
    /// entry's sizes after its data.
    /// </summary>
    public static async Task StreamAsync(Stream response, IReadOnlyList<ReportSheet> sheets, CancellationToken ct)
    {
        await using var pending = new PendingBytes();
        await WriteAsync(pending, sheets, () => pending.DrainAsync(response, ct), ct);
        await pending.DrainAsync(response, ct);
    }

    private static async Task WriteAsync(Stream output, IReadOnlyList<ReportSheet> sheets, Func<ValueTask> rowsWritten, CancellationToken ct)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var list = new Sheets();
        for (var i = 1; i <= sheets.Count; i++)
        {
            await using (var part = zip.CreateEntry($"xl/worksheets/sheet{i}.xml", CompressionLevel.Fastest).Open())
            {
                await WriteSheetAsync(part, sheets[i - 1], rowsWritten, ct);
            }

            list.Append(new Sheet { Id = $"rId{i}", SheetId = (uint)i, Name = SheetName(sheets[i - 1].Title, names) });
        }

        var range = Enumerable.Range(1, sheets.Count).ToArray();
        Part(zip, "xl/workbook.xml", new Workbook(list).OuterXml);
        Part(zip, "xl/styles.xml", Stylesheet().OuterXml);
        Part(zip, "xl/_rels/workbook.xml.rels", RelationshipsXml(
            [.. range.Select(i => ($"rId{i}", "worksheet", $"worksheets/sheet{i}.xml")), ("rIdStyles", "styles", "styles.xml")]));
        Part(zip, "_rels/.rels", RelationshipsXml([("rId1", "officeDocument", "xl/workbook.xml")]));
        Part(zip, "[Content_Types].xml", $"""
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{Main}.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="{Main}.styles+xml"/>{string.Concat(range.Select(i => $"<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"{Main}.worksheet+xml\"/>"))}</Types>
            """);
    }

    private static void Part(ZipArchive zip, string name, string xml)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open(), new System.Text.UTF8Encoding(false));
        writer.Write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
        writer.Write(xml);
    }

    private static string RelationshipsXml(IEnumerable<(string Id, string Type, string Target)> relationships) =>
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + string.Concat(relationships.Select(r => $"<Relationship Id=\"{r.Id}\" Type=\"{Relationships}/{r.Type}\" Target=\"{r.Target}\"/>"))
        + "</Relationships>";

    /// <summary>At most 31 characters, none of <c>[]:*?/\</c>, unique within the workbook regardless of case.</summary>
    public static string SheetName(string title, ISet<string> taken)
    {
        var clean = new string([.. title.Select(c => "[]:*?/\\".Contains(c, StringComparison.Ordinal) || char.IsControl(c) ? ' ' : c)])
            .Trim().Trim('\'');
        clean = clean.Length == 0 ? "Sheet" : clean;
        var name = clean.Length > MaxSheetName ? clean[..MaxSheetName].TrimEnd() : clean;
        for (var n = 2; !taken.Add(name); n++)
        {
            var suffix = $" ({n})";
            name = (clean.Length + suffix.Length > MaxSheetName ? clean[..(MaxSheetName - suffix.Length)].TrimEnd() : clean) + suffix;
        }

        return name;
    }

    // Rows between two hand-overs of what is written (StreamAsync): small enough to start at once and hold little.
    private const int RowsPerHandOver = 256;

    private static async Task WriteSheetAsync(Stream part, ReportSheet sheet, Func<ValueTask> rowsWritten, CancellationToken ct)
    {
        var rows = 0;
        using var writer = OpenXmlWriter.Create(part);
        writer.WriteStartDocument(true);
        writer.WriteStartElement(new Worksheet());
        // The header row stays in view while scrolling a long list.
        writer.WriteElement(new SheetViews(new SheetView(new Pane
        {
            VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen,
        })
        { WorkbookViewId = 0 }));
        writer.WriteElement(new Columns(sheet.Columns.Select((c, i) => new Column
        {
            Min = (uint)i + 1, Max = (uint)i + 1, CustomWidth = true, Width = Math.Clamp(c.Header.Length + 2, WidthOf(c.Kind), 60),
        })));
        writer.WriteStartElement(new SheetData());
        writer.WriteStartElement(new Row());
        foreach (var column in sheet.Columns)
        {
            writer.WriteElement(Text(column.Header, HeaderStyle));
        }

        writer.WriteEndElement();
        await foreach (var values in sheet.Rows.WithCancellation(ct))
        {
            writer.WriteStartElement(new Row());
            for (var i = 0; i < sheet.Columns.Count; i++)
            {
                writer.WriteElement(CellOf(sheet.Columns[i].Kind, values[i]));
            }

            writer.WriteEndElement();
            if (++rows % RowsPerHandOver == 0)
            {
                await rowsWritten();
            }
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    private static double WidthOf(ReportValueKind kind) => kind switch
    {
        ReportValueKind.Text => 24,
        ReportValueKind.Moment => 18,
        ReportValueKind.Date => 12,
        _ => 10,
    };

    // A null stays an empty cell: "nothing to measure" must not sum as a zero.
    private static Cell CellOf(ReportValueKind kind, object? value) => value switch
    {
        null => new Cell(),
        DateOnly day => Number(day.ToDateTime(TimeOnly.MinValue).ToOADate(), DateStyle),
        // The clock time of the moment's own offset: the table chose the zone it is shown in.
        DateTimeOffset moment => Number(moment.DateTime.ToOADate(), MomentStyle),
        string text => Text(text, 0),
        IConvertible number when kind != ReportValueKind.Text => Number(number.ToDouble(CultureInfo.InvariantCulture), kind switch
        {
            ReportValueKind.Share => ShareStyle,
            ReportValueKind.Hours or ReportValueKind.Days or ReportValueKind.Number => DecimalStyle,
            _ => 0,
        }),
        _ => Text(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", 0),
    };

    private static Cell Number(double value, uint style) =>
        new() { CellValue = new CellValue(value), StyleIndex = style == 0 ? null : style };

    private static Cell Text(string value, uint style)
    {
        var text = XmlSafe(value);
        text = text.Length > MaxCellText ? text[..MaxCellText] : text;
        return new Cell
        {
            DataType = CellValues.InlineString,
            InlineString = new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }),
            StyleIndex = style == 0 ? null : style,
        };
    }

    // A control character in a partner's subject is not allowed in XML at all: the file would not open. A line break is
    // one LF in a cell (XML reads CR LF as LF anyway).
    private static string XmlSafe(string value)
    {
        var text = value.Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.All(XmlConvert.IsXmlChar) ? text : new string([.. text.Where(XmlConvert.IsXmlChar)]);
    }

    private static Stylesheet Stylesheet() => new(
        new NumberingFormats(
            new NumberingFormat { NumberFormatId = 164, FormatCode = "yyyy-mm-dd" },
            new NumberingFormat { NumberFormatId = 165, FormatCode = "yyyy-mm-dd hh:mm" },
            new NumberingFormat { NumberFormatId = 166, FormatCode = "0.0" })
        { Count = 3 },
        new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
        new Fills(
            new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 }))
        { Count = 2 },
        new Borders(new Border()) { Count = 1 },
        new CellFormats(
            new CellFormat(),
            new CellFormat { FontId = 1, ApplyFont = true },
            new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 165, ApplyNumberFormat = true },
            // Built-in 10: 0.00%.
            new CellFormat { NumberFormatId = 10, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 166, ApplyNumberFormat = true })
        { Count = 6 });
}
