namespace Ncp.Api.Reports.Exports;

/// <summary>The file formats every report table can be exported in.</summary>
public enum ExportFormat
{
    Csv,
    Xlsx,
}

/// <summary>
/// A table as the export writers read it: the rows as a stream, so that a year's items go from the database to the
/// response one row at a time, and a <see cref="ReportTable"/> already in memory goes the same way.
/// </summary>
public sealed record ReportSheet(string Title, IReadOnlyList<ReportColumn> Columns, IAsyncEnumerable<IReadOnlyList<object?>> Rows)
{
    public static ReportSheet Of(ReportTable table) => new(table.Title, table.Columns, table.Rows.ToAsyncEnumerable());
}
