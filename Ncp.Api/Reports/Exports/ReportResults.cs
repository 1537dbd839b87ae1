using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Ncp.Api.Reports.Exports;

/// <summary>What a report endpoint returns to download its tables: the file in the format asked for, named for its period.</summary>
public static class ReportResults
{
    public const string CsvType = "text/csv; charset=utf-8";
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static string Formats => "csv, xlsx";

    public static bool TryParse(string? value, out ExportFormat format) =>
        Enum.TryParse(value, ignoreCase: true, out format) && Enum.IsDefined(format) && !int.TryParse(value, out _);

    /// <summary>A report's file name with its period, e.g. <c>ncp-yearly-2026-01-01_2026-12-31</c>; export adds the extension.</summary>
    public static string FileName(string report, DateOnly from, DateOnly to) =>
        string.Create(CultureInfo.InvariantCulture, $"ncp-{report}-{from:yyyy-MM-dd}_{to:yyyy-MM-dd}");

    public static IResult Export(IReadOnlyList<ReportTable> tables, ExportFormat format, string fileName) =>
        Export([.. tables.Select(ReportSheet.Of)], format, fileName);

    public static IResult Export(IReadOnlyList<ReportSheet> sheets, ExportFormat format, string fileName) =>
        new ExportResult(sheets, format, fileName);

    private sealed class ExportResult(IReadOnlyList<ReportSheet> sheets, ExportFormat format, string fileName) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var ct = http.RequestAborted;
            var response = http.Response;
            var disposition = new ContentDispositionHeaderValue("attachment");
            // filename= in ASCII for old clients, filename*= in UTF-8 for the Cyrillic name a reader may have asked for.
            disposition.SetHttpFileName(fileName + (format == ExportFormat.Csv ? ".csv" : ".xlsx"));
            response.Headers.ContentDisposition = disposition.ToString();
            response.Headers.CacheControl = "no-store";
            if (format == ExportFormat.Csv)
            {
                response.ContentType = CsvType;
                await CsvExport.WriteAsync(response.Body, sheets, ct);
                return;
            }

            // Sent as it is made, without a length: a year's items start at once (XlsxExport.StreamAsync).
            response.ContentType = XlsxType;
            await XlsxExport.StreamAsync(response.Body, sheets, ct);
        }
    }
}
