using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ncp.Api.Auditing;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Reports.Exports;

namespace Ncp.Api.Reports;

/// <summary>A report's answer: the period it covers (days in the unit's zone, and the instants they span) and its table.</summary>
public sealed record ReportResource(ReportPeriod Period, ReportTable Table);

/// <summary>
/// <c>GET /api/reports/{statistics|yearly|timeliness|chain}</c>: one <see cref="ReportTable"/> each, for supervisors, heads of
/// unit and auditors, counting only the channels the caller is cleared for; every read is audited.
/// </summary>
public static class ReportEndpoints
{
    /// <summary>The formats the reports answer in: JSON for other systems, CSV and XLSX (<see cref="ReportResults"/>) for people.</summary>
    public static readonly string[] Formats = ["json", "csv", "xlsx"];

    private static readonly string[] Languages = ["en", "ru", "kk"];

    private delegate Task<ReportTable> Report(ReportQueries queries, ReportRequest request, CancellationToken ct);

    public static RouteGroupBuilder MapReports(this RouteGroupBuilder reports)
    {
        Map(reports, "statistics", "GetStatistics", [.. ReportQueries.Dimensions.Keys], (q, r, ct) => q.StatisticsAsync(r, ct),
            "Items registered, sent, acknowledged, answered (by outcome), refused, withdrawn, closed in the period and open at its end, "
            + "grouped by partner, channel, country, category, article, kind, direction, priority, officer or month");
        Map(reports, "yearly", "GetYearlyReport", ["category"], (q, r, ct) => q.YearlyAsync(r, ct),
            "The unit's yearly report: per crime category, registered, answered, data obtained and data gone");
        Map(reports, "timeliness", "GetTimeliness", ReportQueries.PartnerOrChannel, (q, r, ct) => q.TimelinessAsync(r, ct),
            "Per partner or channel: hours to acknowledgement and answer (median, p90), shares within acknowledge-by, reply-by and "
            + "useful-until, the share of data no longer retained against the data's age when we asked");
        Map(reports, "chain", "GetChainReport", ["partner"], (q, r, ct) => q.ChainAsync(r, ct),
            "Per partner: preservation → legal assistance → disclosure durations, and preservations lapsed before the legal assistance was answered");
        return reports;
    }

    private static void Map(RouteGroupBuilder reports, string name, string operation, string[] dimensions, Report report, string summary) =>
        reports.MapGet($"/{name}", async Task<IResult> (
                HttpContext http, ReportQueries queries, Compartments compartments, RegisterSettings register, TimeProvider time, CancellationToken ct,
                [FromQuery] int? year, [FromQuery] int? quarter, [FromQuery] int? month, [FromQuery] string? from, [FromQuery] string? to,
                [FromQuery] string? by, [FromQuery] string? format, [FromQuery] string[]? channel, [FromQuery] string[]? kind,
                [FromQuery] string[]? direction, [FromQuery] string[]? partner, [FromQuery] string[]? country, [FromQuery] string[]? category,
                [FromQuery] string[]? article, [FromQuery] string[]? priority, [FromQuery] string[]? officer) =>
            {
                var zone = TimeZoneInfo.FindSystemTimeZoneById(register.TimeZone);
                var (period, periodErrors) = ReportPeriod.Parse(year, quarter, month, from, to, zone);
                var (filter, filterErrors) = ReportFilter.Parse(
                    compartments.ChannelsOf(http.User), channel, kind, direction, partner, country, category, article, priority, officer);
                FieldError[] errors =
                [
                    .. periodErrors, .. filterErrors,
                    .. by is null || dimensions.Contains(by) ? [] : new[] { new FieldError("by", $"One of: {string.Join(", ", dimensions)}.") },
                    .. format is null || Formats.Contains(format)
                        ? []
                        : new[] { new FieldError("format", $"One of: {string.Join(", ", Formats)}.") },
                ];
                if (errors.Length > 0)
                {
                    return FieldError.ToProblem(errors);
                }

                // Headers and names in the caller's language (the screen sends its own); English when it asks for none we have.
                CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(Language(http.Request));
                var table = await report(queries, new ReportRequest(period!, filter!, by ?? dimensions[0], time.GetUtcNow()), ct);
                return ReportResults.TryParse(format, out var export)
                    ? ReportResults.Export([table], export, ReportResults.FileName(name, period!.FirstDay, period.LastDay))
                    : TypedResults.Ok(new ReportResource(period!, table));
            })
            .RequireAuthorization(Policies.Report)
            .WithName(operation)
            .WithSummary(summary + " (format=csv or xlsx: the same table as a file)")
            .Produces<ReportResource>()
            .Produces(StatusCodes.Status200OK, contentType: ReportResults.CsvType)
            .Produces(StatusCodes.Status200OK, contentType: ReportResults.XlsxType)
            .AuditedAs($"read-report-{name}")
            .ProducesValidationProblem();

    private static string Language(HttpRequest request) =>
        request.GetTypedHeaders().AcceptLanguage.OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value?.Split('-')[0].ToLowerInvariant())
            .FirstOrDefault(l => l is not null && Languages.Contains(l)) ?? "en";
}
