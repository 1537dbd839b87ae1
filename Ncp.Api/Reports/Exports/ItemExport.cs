using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Localization;
using Ncp.Api.Auditing;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Corresponding;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Ui.Infrastructure;
using Ncp.Api.Ui.Shared;
using Npgsql;

namespace Ncp.Api.Reports.Exports;

/// <summary>The per-item list export's query string: items registered from <see cref="From"/> to <see cref="To"/>, whole days.</summary>
public sealed record ItemExportQuery(DateOnly? From, DateOnly? To, string? Format, string? Lang)
{
    public IEnumerable<FieldError> Validate()
    {
        if (From is null)
        {
            yield return new("from", "The first day, e.g. 2026-01-01.");
        }

        if (To is null)
        {
            yield return new("to", "The last day, e.g. 2026-12-31.");
        }

        if (From > To)
        {
            yield return new("from", "'from' must not be after 'to'.");
        }

        if (!ReportResults.TryParse(Format ?? "csv", out _))
        {
            yield return new("format", $"One of: {ReportResults.Formats}.");
        }

        if (Lang is not null && !UiCultures.IsSupported(Lang))
        {
            yield return new("lang", $"One of: {string.Join(", ", UiCultures.Supported)}.");
        }
    }
}

/// <summary>Every item registered in a period, one row each, for a spreadsheet: streamed from the item read model, never held.</summary>
public static class ItemExport
{
    public static RouteGroupBuilder MapItemExport(this RouteGroupBuilder reports)
    {
        reports.MapGet("/items", ExportAsync)
            .RequireAuthorization(Policies.Report)
            .WithName("ExportItems")
            .AuditedAs("export-items")
            .WithSummary("Every item registered from 'from' to 'to' (whole days in the unit's time zone) as CSV or XLSX, one row per "
                + "item, headers in 'lang' (en, ru, kk); streamed, so a year of a million items takes no more memory than a page")
            .Produces(StatusCodes.Status200OK, contentType: ReportResults.CsvType, additionalContentTypes: [ReportResults.XlsxType])
            .ProducesValidationProblem();
        return reports;
    }

    private static IResult ExportAsync(
        [AsParameters] ItemExportQuery query, HttpContext http, Compartments compartments, NpgsqlDataSource db, MartenSettings marten,
        CorrespondenceSettings unit, IStringLocalizerFactory localizers)
    {
        var errors = query.Validate().ToList();
        if (errors.Count > 0)
        {
            return FieldError.ToProblem(errors);
        }

        ReportResults.TryParse(query.Format ?? "csv", out var format);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(unit.TimeZone);
        var (from, to) = (query.From!.Value, query.To!.Value);
        var words = Words.In(query.Lang ?? "en", localizers);
        var rows = RowsAsync(db, marten.Schema, compartments.ChannelsOf(http.User), Start(from, zone), Start(to.AddDays(1), zone), zone, words);
        var sheet = new ReportSheet(words.Title, words.Columns, rows);
        return ReportResults.Export([sheet], format, ReportResults.FileName("items", from, to));
    }

    /// <summary>The unit's midnight starting <paramref name="day"/>.</summary>
    public static DateTimeOffset Start(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>
    /// One reader over the registered-at index, rows handed on as they arrive: Npgsql reads the result a buffer at a time,
    /// so the export's memory does not grow with the year.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<object?>> RowsAsync(
        NpgsqlDataSource db, string schema, Channel[] channels, DateTimeOffset from, DateTimeOffset until, TimeZoneInfo zone, Words words,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            select register_number, kind, direction, status, partner_code, country, channel, priority, data->>'Subject',
              data->'AssignedTo'->>'Name', registered_at, due_by, sent_at, first_answer_at, ended_at
            from {schema}.mt_doc_itemdetails d
            where channel = any($1) and registered_at >= $2 and registered_at < $3
            order by registered_at, id
            """, connection)
        {
            Parameters =
            {
                new() { Value = channels.Select(c => c.ToString()).ToArray() }, new() { Value = from }, new() { Value = until },
            },
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        object? Moment(int i) => reader.IsDBNull(i) ? null : TimeZoneInfo.ConvertTime(reader.GetFieldValue<DateTimeOffset>(i), zone);
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        while (await reader.ReadAsync(ct))
        {
            yield return [
                reader.GetString(0), words.Of(Text(1)), words.Of(Text(2)), words.Of(Text(3)), Text(4), Text(5), words.Of(Text(6)),
                words.Of(Text(7)), Text(8), Text(9), Moment(10), Moment(11), Moment(12), Moment(13), Moment(14),
            ];
        }
    }

    /// <summary>The headers and the enum values' names in one language, looked up once before the rows stream.</summary>
    public sealed record Words(string Title, ReportColumn[] Columns, IReadOnlyDictionary<string, string> Values)
    {
        public string? Of(string? code) => code is null ? null : Values.GetValueOrDefault(code, code);

        public static Words In(string language, IStringLocalizerFactory localizers)
        {
            var before = CultureInfo.CurrentUICulture;
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
            try
            {
                var texts = localizers.Create(typeof(ItemExportTexts));
                var terms = (IStringLocalizer<Terms>)new StringLocalizer<Terms>(localizers);
                ReportColumn Column(string key, ReportValueKind kind) => new(key, texts[key], kind);
                var values = new Dictionary<string, string>();
                void Name<TEnum>()
                    where TEnum : struct, Enum
                {
                    foreach (var value in Enum.GetValues<TEnum>())
                    {
                        values[value.ToString()] = terms.Of(value);
                    }
                }

                Name<WorkItemKind>();
                Name<Direction>();
                Name<WorkItemStatus>();
                Name<Channel>();
                Name<Priority>();
                string[] textColumns =
                    ["registerNumber", "kind", "direction", "status", "partner", "country", "channel", "priority", "subject", "assignedTo"];
                string[] moments = ["registeredAt", "dueBy", "sentAt", "firstAnswerAt", "endedAt"];
                return new(
                    texts["title"],
                    [.. textColumns.Select(key => Column(key, ReportValueKind.Text)), .. moments.Select(key => Column(key, ReportValueKind.Moment))],
                    values);
            }
            finally
            {
                CultureInfo.CurrentUICulture = before;
            }
        }
    }
}

/// <summary>The per-item export's headers (ItemExportTexts.resx, .ru, .kk).</summary>
public sealed class ItemExportTexts;
