using Microsoft.Extensions.Localization;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Answering;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Ui.Shared;
using Npgsql;

namespace Ncp.Api.Reports;

/// <summary>The resources of report titles and headers (ReportTexts.resx, .ru, .kk).</summary>
public sealed class ReportTexts;

/// <summary>What one report is asked for: the period, the items, how rows are grouped, and the moment "now" is.</summary>
public sealed record ReportRequest(ReportPeriod Period, ReportFilter Filter, string By, DateTimeOffset Now);

/// <summary>
/// The reports as SQL aggregates over <see cref="ReportRow"/>: each is one statement that reads only the rows its period
/// bounds through an indexed moment (registered, sent, answered or ended), so a year costs the year's rows, not the register's.
/// </summary>
public sealed class ReportQueries(NpgsqlDataSource db, MartenSettings marten, IStringLocalizer<ReportTexts> texts, IStringLocalizer<Terms> terms)
{
    /// <summary>The dimensions rows may be grouped by, and the read model's expression of each (alias r).</summary>
    public static readonly IReadOnlyDictionary<string, string> Dimensions = new Dictionary<string, string>
    {
        ["partner"] = "r.data->>'PartnerCode'",
        ["channel"] = "r.channel",
        ["country"] = "r.data->>'Country'",
        ["category"] = "r.data->>'CrimeCategory'",
        ["article"] = "r.data->>'Article'",
        ["kind"] = "r.data->>'Kind'",
        ["direction"] = "r.data->>'Direction'",
        ["priority"] = "r.data->>'Priority'",
        ["officer"] = "r.data->>'OfficerName'",
        // Each figure in the month of its own moment, in the unit's zone.
        ["month"] = "to_char(f.at at time zone $5, 'YYYY-MM')",
    };

    /// <summary>The dimensions timeliness and the chain are kept per (a partner's habits, a channel's).</summary>
    public static readonly string[] PartnerOrChannel = ["partner", "channel"];

    private static readonly string[] Outcomes = [.. Enum.GetValues<AnswerOutcome>().Select(o => o.ToString())];

    private static readonly string[] Counted = ["registered", "sent", "acknowledged", "answered", .. Outcomes.Select(OutcomeKey), "refused", "withdrawn", "closed", "open-at-end"];

    private string Rows => $"{marten.Schema}.mt_doc_reportrow";

    /// <summary>
    /// Items registered, sent, acknowledged, answered (and by outcome), refused, withdrawn and closed in the period, and open at
    /// its end, per group. Each figure counts the item once, in the period of its own moment.
    /// </summary>
    public async Task<ReportTable> StatisticsAsync(ReportRequest request, CancellationToken ct)
    {
        var month = request.By == "month";
        var sql = $"""
            select {Dimensions[request.By]} as g, f.fig, count(*)
            from {Rows} r
            cross join lateral (values
              ('registered', r.registered_at), ('sent', r.sent_at), ('acknowledged', (r.data->>'AcknowledgedAt')::timestamptz),
              ('answered', r.answered_at), ('outcome:' || (r.data->>'Outcome'), r.answered_at),
              ('refused', (r.data->>'RefusedAt')::timestamptz), ('withdrawn', (r.data->>'WithdrawnAt')::timestamptz),
              ('closed', (r.data->>'ClosedAt')::timestamptz),
              ('open-at-end', case when r.ended_at is null or r.ended_at >= $3 then $2 end)) f(fig, at)
            where r.registered_at < $3 and (r.ended_at is null or r.ended_at >= $2) and {Filtered("r")}
              and f.fig is not null and f.at >= $2 and f.at < $3 {(month ? "and f.fig <> 'open-at-end'" : "")}
            group by 1, 2
            """;
        var counts = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        var counted = await FromMonthsAsync(request, openAtEnd: !month, ct) ?? await ReadAsync(sql, request, ct);
        foreach (var row in counted)
        {
            var group = row[0] as string ?? "";
            var figure = ((string)row[1]!).Replace("outcome:", "", StringComparison.Ordinal) is var f && f != (string)row[1]! ? OutcomeKey(f) : f;
            (counts.TryGetValue(group, out var found) ? found : counts[group] = [])[figure] = (long)row[2]!;
        }

        var groups = month ? MonthsOf(request.Period) : counts.Keys.Order(StringComparer.Ordinal).ToArray();
        string[] keys = month ? [.. Counted.Where(k => k != "open-at-end")] : Counted;
        return Table("statistics", request.By, keys.Select(k => Column(k, ReportValueKind.Count)),
            groups.Select(g => (IReadOnlyList<object?>)[GroupName(request.By, g), .. keys.Select(k => (object?)counts.GetValueOrDefault(g)?.GetValueOrDefault(k) ?? 0L)]));
    }

    /// <summary>
    /// The statistics' (group, figure, count) lines summed from <see cref="ReportMonths"/> when they can be: whole months in
    /// the zone the counts are kept in, no filter but channels; with the items open at the period's end when asked for.
    /// Null otherwise (the rows are counted instead).
    /// </summary>
    private async Task<List<object?[]>?> FromMonthsAsync(ReportRequest request, bool openAtEnd, CancellationToken ct)
    {
        var (period, filter) = (request.Period, request.Filter);
        string[][] others =
            [filter.Kinds, filter.Directions, filter.Partners, filter.Countries, filter.Categories, filter.Articles, filter.Priorities, filter.Officers];
        if (period.FirstDay.Day != 1 || period.LastDay.AddDays(1).Day != 1 || others.Any(o => o.Length > 0))
        {
            return null;
        }

        var by = request.By;
        var group = by switch { "month" => "to_char(m.month, 'YYYY-MM')", "channel" => "m.channel", _ => "m.value" };
        var months = $"{marten.Schema}.{ReportMonths.Table}";
        // Open at the end: registered before it, less ended before it (an item ends after it was registered).
        var open = !openAtEnd ? "" : $"""
            union all
            select {group}, 'open-at-end', sum(case m.figure when 'registered' then m.n else -m.n end)::bigint from {months} m
            where m.dim = $2 and m.month < $4 and m.channel = any($1) and m.figure in ('registered', 'ended')
            group by 1 having sum(case m.figure when 'registered' then m.n else -m.n end) <> 0
            """;
        var sql = $"""
            select {group}, m.figure, sum(m.n)::bigint from {months} m
            where m.dim = $2 and m.month >= $3 and m.month < $4 and m.channel = any($1) and m.figure <> 'ended'
            group by 1, 2 having sum(m.n) <> 0
            {open}
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using (var zone = new NpgsqlCommand($"select zone from {months}_zone", connection))
        {
            if (await zone.ExecuteScalarAsync(ct) as string != period.Zone)
            {
                return null;
            }
        }

        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in new object[] { filter.Channels, by is "month" or "channel" ? "" : by, period.FirstDay, period.LastDay.AddDays(1) })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await RowsOfAsync(command, ct);
    }

    /// <summary>
    /// The unit's yearly report as one view: per crime category (every category, and the total), items registered in the
    /// period, answered in it, and of those answers the ones that brought data (provided or partly) and the ones whose data was gone.
    /// </summary>
    public async Task<ReportTable> YearlyAsync(ReportRequest request, CancellationToken ct)
    {
        var found = await YearlyFromMonthsAsync(request, ct) ?? await YearlyFromRowsAsync(request, ct);
        var rows = Enum.GetValues<CrimeCategory>()
            .Select(c => (Name: terms.Of(c), Counts: found.GetValueOrDefault(c.ToString()) ?? new long[4]))
            .ToList();
        rows.Add((texts["total"].Value, Enumerable.Range(0, 4).Select(i => rows.Sum(r => r.Counts[i])).ToArray()));
        return Table("yearly", "category", new[] { "registered", "answered", "data-obtained", "data-gone" }.Select(k => Column(k, ReportValueKind.Count)),
            rows.Select(r => (IReadOnlyList<object?>)[r.Name, .. r.Counts.Cast<object?>()]));
    }

    /// <summary>
    /// The yearly report's counts per category summed from <see cref="ReportMonths"/> (a year is a few thousand rows of
    /// counts, where the rows themselves are 200,000 index entries at a million items): registered, answered, and of those
    /// answers the ones with data (provided or partly) and the ones whose data was gone, each in the month of its moment.
    /// </summary>
    private async Task<Dictionary<string, long[]>?> YearlyFromMonthsAsync(ReportRequest request, CancellationToken ct)
    {
        string[][] figures =
        [
            ["registered"], ["answered"], [Fact(AnswerOutcome.DataProvided), Fact(AnswerOutcome.PartlyProvided)],
            [Fact(AnswerOutcome.NoLongerRetained)],
        ];
        if (await FromMonthsAsync(request with { By = "category" }, openAtEnd: false, ct) is not { } lines)
        {
            return null;
        }

        var found = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var column = Array.FindIndex(figures, f => f.Contains((string)line[1]!));
            if (column >= 0)
            {
                var category = (string)line[0]!;
                (found.TryGetValue(category, out var counts) ? counts : found[category] = new long[4])[column] += (long)line[2]!;
            }
        }

        return found;

        static string Fact(AnswerOutcome outcome) => $"outcome:{outcome}";
    }

    private async Task<Dictionary<string, long[]>> YearlyFromRowsAsync(ReportRequest request, CancellationToken ct)
    {
        // Two index-only scans when nothing but channels is filtered (ReportRow.ConfigureColumns), summed per category.
        var sql = $"""
            select c, sum(registered)::bigint, sum(answered)::bigint, sum(obtained)::bigint, sum(gone)::bigint from (
              select r.crime_category as c, count(*) as registered, 0 as answered, 0 as obtained, 0 as gone
              from {Rows} r where r.registered_at >= $2 and r.registered_at < $3 and {Filtered("r")} group by 1
              union all
              select r.crime_category, 0, count(*), count(*) filter (where r.outcome in ('DataProvided', 'PartlyProvided')),
                count(*) filter (where r.outcome = 'NoLongerRetained')
              from {Rows} r where r.answered_at >= $2 and r.answered_at < $3 and {Filtered("r")} group by 1) counted
            group by 1
            """;
        return (await ReadAsync(sql, request, ct))
            .ToDictionary(r => (string)r[0]!, r => r.Skip(1).Select(v => (long)v!).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Per partner (or channel), of the requests sent in the period (outgoing unless a direction is asked for): hours to the
    /// acknowledgement and to the first answer (median, 90th percentile), the shares kept within acknowledge-by, reply-by
    /// and useful-until (of the requests whose deadline has passed or was met), the share of outcomes "no longer retained",
    /// and the data's age in days (from the end of its period to our sending) overall, for the data gone and for the data provided.
    /// </summary>
    public async Task<ReportTable> TimelinessAsync(ReportRequest request, CancellationToken ct)
    {
        var asked = request with
        {
            Filter = request.Filter.Directions.Length == 0 ? request.Filter with { Directions = [nameof(Direction.Outgoing)] } : request.Filter,
        };
        // The narrow table of sent requests (ReportSent), not the wide rows: a year is read from a few thousand pages.
        const string Hours = "extract(epoch from {0} - s.sent_at) / 3600";
        const string Age = "((s.sent_at at time zone $5)::date - s.data_period_end)::float8";
        var sql = $"""
            select {(request.By == "channel" ? "s.channel" : "s.partner_code")} as g, count(*), count(s.acknowledged_at),
              percentile_cont(0.5) within group (order by {string.Format(Hours, "s.acknowledged_at")}),
              percentile_cont(0.9) within group (order by {string.Format(Hours, "s.acknowledged_at")}),
              count(s.answered_at),
              percentile_cont(0.5) within group (order by {string.Format(Hours, "s.answered_at")}),
              percentile_cont(0.9) within group (order by {string.Format(Hours, "s.answered_at")}),
              {Share("s.acknowledged_at", "s.acknowledge_by")}, {Share("s.answered_at", "s.reply_by")}, {Share("s.answered_at", "s.useful_until")},
              count(*) filter (where s.outcome = 'NoLongerRetained')::float8 / nullif(count(s.outcome), 0),
              percentile_cont(0.5) within group (order by {Age}),
              percentile_cont(0.5) within group (order by case when s.outcome = 'NoLongerRetained' then {Age} end),
              percentile_cont(0.5) within group (order by case when s.outcome in ('DataProvided', 'PartlyProvided') then {Age} end)
            from {marten.Schema}.{ReportSent.Table} s
            where s.sent_at >= $2 and s.sent_at < $3 and {Filtered("s", narrow: true)}
            group by 1 order by 1
            """;
        (string Key, ReportValueKind Kind)[] columns =
        [
            ("sent", ReportValueKind.Count), ("acknowledged", ReportValueKind.Count),
            ("acknowledgement-median", ReportValueKind.Hours), ("acknowledgement-p90", ReportValueKind.Hours),
            ("answered", ReportValueKind.Count), ("answer-median", ReportValueKind.Hours), ("answer-p90", ReportValueKind.Hours),
            ("acknowledged-in-time", ReportValueKind.Share), ("answered-by-reply-by", ReportValueKind.Share),
            ("answered-while-useful", ReportValueKind.Share), ("no-longer-retained", ReportValueKind.Share),
            ("data-age", ReportValueKind.Days), ("data-age-gone", ReportValueKind.Days), ("data-age-provided", ReportValueKind.Days),
        ];
        var rows = await ReadAsync(sql, asked, ct);
        return Table("timeliness", request.By, columns.Select(c => Column(c.Key, c.Kind)),
            rows.Select(r => (IReadOnlyList<object?>)[GroupName(request.By, r[0] as string ?? ""), .. r.Skip(1).Select((v, i) => Typed(v, columns[i].Kind))]));
    }

    /// <summary>
    /// Per partner, the preservations sent in the period and what followed them: how many a legal-assistance request
    /// followed, the median days from the preservation to that request and from it to its answer, from a disclosure request
    /// to its answer, and how many preservations lapsed before the legal assistance was answered (the date the partner
    /// confirmed passed first, or passed while it is still unanswered). An article filter keeps a chain when any request of
    /// it names the article: the preservation goes out in haste, often before the offence is qualified, and the legal
    /// assistance that follows names the article the case is under.
    /// </summary>
    public async Task<ReportTable> ChainAsync(ReportRequest request, CancellationToken ct)
    {
        string FollowUp(string role) => $"""
            left join lateral (select f.sent_at, f.answered_at from {Rows} f
              where f.id in (select (jsonb_array_elements_text(r.data->'FollowUps'))::uuid) and f.role = '{role}' and f.channel = any($1)
              order by f.sent_at nulls last, f.registered_at limit 1) {(role == "Disclosure" ? "d" : "m")} on true
            """;
        const string Days = "extract(epoch from {0}) / 86400";
        var sql = $"""
            select r.data->>'PartnerCode', count(*), count(m.sent_at),
              percentile_cont(0.5) within group (order by {string.Format(Days, "m.sent_at - r.sent_at")}),
              percentile_cont(0.5) within group (order by {string.Format(Days, "m.answered_at - m.sent_at")}),
              percentile_cont(0.5) within group (order by {string.Format(Days, "d.answered_at - d.sent_at")}),
              count(*) filter (where (r.data->>'PreservedUntil')::timestamptz < coalesce(m.answered_at, $4))
            from {Rows} r
            {FollowUp("LegalAssistance")}
            {FollowUp("Disclosure")}
            where r.role = 'Preservation' and r.sent_at >= $2 and r.sent_at < $3 and {Filtered("r", ChainArticle)}
            group by 1 order by 1
            """;
        (string Key, ReportValueKind Kind)[] columns =
        [
            ("preservations", ReportValueKind.Count), ("followed-by-legal-assistance", ReportValueKind.Count),
            ("preservation-to-legal-assistance", ReportValueKind.Days), ("legal-assistance-to-answer", ReportValueKind.Days),
            ("disclosure-to-answer", ReportValueKind.Days), ("lapsed-before-answer", ReportValueKind.Count),
        ];
        var rows = await ReadAsync(sql, request, ct);
        return Table("chain", "partner", columns.Select(c => Column(c.Key, c.Kind)),
            rows.Select(r => (IReadOnlyList<object?>)[r[0] as string ?? "", .. r.Skip(1).Select((v, i) => Typed(v, columns[i].Kind))]));
    }

    // A share of the requests whose deadline was met or has passed; those still within it are not judged yet.
    private static string Share(string done, string deadline) =>
        $"count(*) filter (where {done} <= {deadline})::float8 / nullif(count(*) filter (where {deadline} is not null and ({done} is not null or {deadline} < $4)), 0)";

    // The preservation's article, or that of a legal-assistance or disclosure request following it that the caller may see.
    private string ChainArticle => $"""
        (r.data->>'Article' = any($11) or exists (select from {Rows} a
          where a.id in (select (jsonb_array_elements_text(r.data->'FollowUps'))::uuid)
            and a.role in ('LegalAssistance', 'Disclosure') and a.channel = any($1) and a.data->>'Article' = any($11)))
        """;

    // $1 channels the caller may see (and asked for), $2 start, $3 end, $4 now, $5 the unit's zone, $6.. the dimensions' values;
    // the article is the item's own unless a report says whose it is. Over the wide rows (r) or the narrow table of sent
    // requests (narrow, ReportSent), whose columns are the rows' fields by name.
    private static string Filtered(string r, string? article = null, bool narrow = false)
    {
        string F(string field, string column) => narrow || column is "channel" or "crime_category" ? $"{r}.{column}" : $"{r}.data->>'{field}'";
        return $"""
            {F("Channel", "channel")} = any($1)
              and (cardinality($6::text[]) = 0 or {F("Kind", "kind")} = any($6)) and (cardinality($7::text[]) = 0 or {F("Direction", "direction")} = any($7))
              and (cardinality($8::text[]) = 0 or {F("PartnerCode", "partner_code")} = any($8))
              and (cardinality($9::text[]) = 0 or {F("Country", "country")} = any($9))
              and (cardinality($10::text[]) = 0 or {F("CrimeCategory", "crime_category")} = any($10))
              and (cardinality($11::text[]) = 0 or {article ?? $"{F("Article", "article")} = any($11)"})
              and (cardinality($12::text[]) = 0 or {F("Priority", "priority")} = any($12))
              and (cardinality($13::text[]) = 0 or {F("OfficerId", "officer_id")} = any($13) or {F("OfficerName", "officer_name")} = any($13))
            """;
    }

    private async Task<List<object?[]>> ReadAsync(string sql, ReportRequest request, CancellationToken ct)
    {
        var (period, filter) = (request.Period, request.Filter);
        await using var command = db.CreateCommand(sql);
        object[] values =
        [
            filter.Channels, period.Start, period.End, request.Now, period.Zone, filter.Kinds, filter.Directions, filter.Partners, filter.Countries,
            filter.Categories, filter.Articles, filter.Priorities, filter.Officers,
        ];
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await RowsOfAsync(command, ct);
    }

    private static async Task<List<object?[]>> RowsOfAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static object? Typed(object? value, ReportValueKind kind) => (value, kind) switch
    {
        (null, _) => null,
        (_, ReportValueKind.Count) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        (_, ReportValueKind.Share) => Math.Round(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), 4),
        _ => Math.Round(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), 2),
    };

    private static string OutcomeKey(string outcome) => "outcome-" + ApiEnum<AnswerOutcome>.NameOf(Enum.Parse<AnswerOutcome>(outcome));

    private static string[] MonthsOf(ReportPeriod period)
    {
        var months = new List<string>();
        for (var m = new DateOnly(period.FirstDay.Year, period.FirstDay.Month, 1); m <= period.LastDay; m = m.AddMonths(1))
        {
            months.Add(m.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        }

        return [.. months];
    }

    // A group's value in words: the enums of the domain through Terms, codes and names as they are.
    private string GroupName(string by, string value) => by switch
    {
        // Items with no value (an offence naming no article) are a group of their own: a blank row heading reads as a fault.
        _ when value.Length == 0 => texts["group.none"],
        "channel" => terms.Named(nameof(Channel), value),
        "category" => terms.Named(nameof(CrimeCategory), value),
        "kind" => terms.Named(nameof(WorkItemKind), value),
        "direction" => terms.Named(nameof(Direction), value),
        "priority" => terms.Named(nameof(Priority), value),
        _ => value,
    };

    private ReportColumn Column(string key, ReportValueKind kind) => new(key, texts[$"column.{key}"], kind);

    private ReportTable Table(string name, string by, IEnumerable<ReportColumn> columns, IEnumerable<IReadOnlyList<object?>> rows) =>
        new(name, texts[$"title.{name}"], [new ReportColumn(by, texts[$"by.{by}"], ReportValueKind.Text), .. columns], [.. rows]);
}
