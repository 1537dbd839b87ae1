namespace Ncp.Api.Reports;

/// <summary>
/// What a column holds, so that every consumer writes it right: the screen formats it in the reader's culture, the
/// CSV writes it invariant, the XLSX writes numbers as numbers and dates as dates.
/// </summary>
public enum ReportValueKind
{
    /// <summary>A <see cref="string"/> (a partner's code, a category's name already in the reader's language).</summary>
    Text,

    /// <summary>A whole number (<see cref="long"/> or <see cref="int"/>).</summary>
    Count,

    /// <summary>A <see cref="double"/> with no unit.</summary>
    Number,

    /// <summary>A share as a <see cref="double"/> from 0 to 1 (null when nothing was counted).</summary>
    Share,

    /// <summary>A duration in hours as a <see cref="double"/>.</summary>
    Hours,

    /// <summary>A duration in days as a <see cref="double"/>.</summary>
    Days,

    /// <summary>A calendar day in the unit's time zone (<see cref="DateOnly"/>).</summary>
    Date,

    /// <summary>A moment (<see cref="DateTimeOffset"/>), shown in the reader's zone.</summary>
    Moment,
}

/// <summary>One column: a stable key for other systems, and its header in the reader's language.</summary>
public sealed record ReportColumn(string Key, string Header, ReportValueKind Kind);

/// <summary>
/// One table of a report as every consumer sees it (the Reports screen, <c>GET /api/reports/...</c> as JSON, the CSV and
/// XLSX exports): headers already in the reader's language, each row's values in column order, typed by
/// <see cref="ReportColumn.Kind"/>; a null value is "nothing to measure", never zero.
/// </summary>
public sealed record ReportTable(string Name, string Title, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows);
