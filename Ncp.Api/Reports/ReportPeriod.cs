using System.Globalization;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Reports;

/// <summary>
/// The days a report covers, in the unit's time zone: from the first day's midnight there up to (not including) the
/// midnight after the last day, so that an item registered at 00:30 Almaty on 1 January counts in January though it is
/// still 31 December in UTC.
/// </summary>
public sealed record ReportPeriod(DateOnly FirstDay, DateOnly LastDay, string Zone, DateTimeOffset Start, DateTimeOffset End)
{
    public static ReportPeriod Of(DateOnly first, DateOnly last, TimeZoneInfo zone) =>
        new(first, last, zone.Id, Midnight(first, zone), Midnight(last.AddDays(1), zone));

    private static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), zone), TimeSpan.Zero);

    /// <summary>
    /// <c>year</c>; <c>year</c> and <c>quarter</c> (1–4); <c>year</c> and <c>month</c> (1–12); or <c>from</c> and <c>to</c>
    /// (days, both included). Errors name the query's fields.
    /// </summary>
    public static (ReportPeriod? Period, FieldError[] Errors) Parse(
        int? year, int? quarter, int? month, string? from, string? to, TimeZoneInfo zone)
    {
        if (from is not null || to is not null)
        {
            var errors = new List<FieldError>();
            if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            {
                errors.Add(new("from", "The first day, e.g. 2027-01-01."));
            }

            if (!DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last))
            {
                errors.Add(new("to", "The last day (included), e.g. 2027-03-31."));
            }
            else if (errors.Count == 0 && last < first)
            {
                errors.Add(new("to", "The last day cannot come before the first."));
            }

            return errors.Count > 0 ? (null, [.. errors]) : (Of(first, last, zone), []);
        }

        if (year is not (>= 2000 and <= 2100))
        {
            return (null, [new("year", "A year (e.g. 2027), with quarter or month if wanted; or from and to.")]);
        }

        if (quarter is { } q)
        {
            return q is < 1 or > 4
                ? (null, [new("quarter", "1 to 4.")])
                : (Of(new DateOnly(year.Value, (3 * q) - 2, 1), new DateOnly(year.Value, 3 * q, 1).AddMonths(1).AddDays(-1), zone), []);
        }

        if (month is { } m)
        {
            return m is < 1 or > 12
                ? (null, [new("month", "1 to 12.")])
                : (Of(new DateOnly(year.Value, m, 1), new DateOnly(year.Value, m, 1).AddMonths(1).AddDays(-1), zone), []);
        }

        return (Of(new DateOnly(year.Value, 1, 1), new DateOnly(year.Value, 12, 31), zone), []);
    }
}
