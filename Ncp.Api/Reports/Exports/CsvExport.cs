using System.Globalization;
using System.Text;

namespace Ncp.Api.Reports.Exports;

/// <summary>
/// RFC 4180: CRLF line ends, a field quoted when it holds a comma, a quote or a line break, quotes doubled. UTF-8 with a
/// byte order mark, without which spreadsheet programs read Cyrillic as the local code page. Numbers and dates invariant
/// (the reader's decimal comma would split a field); a null is an empty field.
/// </summary>
public static class CsvExport
{
    public static readonly Encoding Utf8WithBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    /// <summary>
    /// Several tables go one after the other, each under its title, a blank line between them: one file a person can
    /// open, where a bare list of records would mix columns.
    /// </summary>
    public static async Task WriteAsync(Stream output, IReadOnlyList<ReportSheet> sheets, CancellationToken ct)
    {
        // The writer's buffer is the only one: rows go out as it fills, whatever their number.
        await using var writer = new StreamWriter(output, Utf8WithBom, bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        var first = true;
        foreach (var sheet in sheets)
        {
            if (sheets.Count > 1)
            {
                if (!first)
                {
                    await writer.WriteLineAsync();
                }

                await writer.WriteLineAsync(Field(sheet.Title));
            }

            first = false;
            await writer.WriteLineAsync(string.Join(',', sheet.Columns.Select(c => Field(c.Header))));
            await foreach (var row in sheet.Rows.WithCancellation(ct))
            {
                await writer.WriteLineAsync(string.Join(',', sheet.Columns.Select((column, i) => Field(Format(column.Kind, row[i])))));
            }
        }
    }

    public static string? Format(ReportValueKind kind, object? value) => value switch
    {
        null => null,
        // A partner's subject is theirs to write: a text a spreadsheet would run as a formula is kept as text.
        string text when kind == ReportValueKind.Text =>
            text.Length > 0 && "=+-@\t\r".Contains(text[0], StringComparison.Ordinal) ? "'" + text : text,
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset moment => moment.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string Field(string? value) =>
        value is null ? ""
        : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value
        : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
