using System.Net;
using System.Text.Json;
using Ncp.Api.Reports;
using Ncp.Tests.Fixtures;
using Xunit.Abstractions;

namespace Ncp.Tests.Reports;

/// <summary>
/// Every figure of the reports over <see cref="ReportYear"/>, against values worked out by hand from the dates and outcomes
/// written beside each item there (2027 in Asia/Almaty unless a test says otherwise).
/// </summary>
[Collection(ReportYearCollection.Name)]
public sealed class ReportFiguresTests(ReportYear year, ITestOutputHelper output)
{
    /// <summary>The year the story of <see cref="ReportYear"/> counts in (written below as 2027).</summary>
    private static int Y => ReportYear.Year;

    // registered, sent, acknowledged, answered; outcomes: data provided, partly, no longer retained, not held, refused, not
    // applicable; refused, withdrawn, closed, open at the end.
    [Fact]
    public async Task Statistics_per_partner_count_each_step_in_the_period_of_its_own_moment()
    {
        var table = await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner");

        AssertRows(table, new()
        {
            ["AE-CYBER247"] = [2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2],
            ["AT-CYBER247"] = [4, 3, 2, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 2],
            ["CSTO-CYBER"] = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0],
            ["DE-CYBER247"] = [3, 2, 2, 3, 2, 0, 1, 0, 0, 0, 0, 0, 3, 1],
        });
    }

    [Fact]
    public async Task A_quarter_and_a_month_end_at_midnight_in_Almaty_not_in_UTC()
    {
        // C was registered at 23:30 on 31 March and sent at 00:10 on 1 April (still 31 March in UTC).
        AssertRows(await TableAsync(year.Supervisor, $"statistics?year={Y}&quarter=1&by=partner"), new()
        {
            ["AT-CYBER247"] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
            ["DE-CYBER247"] = [2, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 2, 1],
        });
        AssertRows(await TableAsync(year.Supervisor, $"statistics?year={Y}&month=3&by=partner"), new()
        {
            ["DE-CYBER247"] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        });

        // A period given by days: 1 April alone holds C's sending and nothing registered.
        AssertRows(await TableAsync(year.Supervisor, $"statistics?from={Y}-04-01&to={Y}-04-01&by=partner"), new()
        {
            ["DE-CYBER247"] = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        });
    }

    [Fact]
    public async Task The_months_of_the_year_show_each_item_in_its_local_month()
    {
        var table = await TableAsync(year.Supervisor, $"statistics?year={Y}&by=month");

        Assert.Equal([.. Enumerable.Range(1, 12).Select(m => $"{Y}-{m:00}")], table.Rows.Select(r => r[0].GetString()));
        Assert.Equal([1L, 1, 1, 0, 1, 1, 2, 0, 1, 0, 1, 1], Column(table, "registered").Select(v => v.GetInt64()));
        Assert.Equal([1L, 0, 0, 1, 1, 1, 2, 0, 1, 0, 1, 0], Column(table, "sent").Select(v => v.GetInt64()));
        Assert.DoesNotContain(table.Columns, c => c.Key == "open-at-end");
    }

    // Computer crime: B, E, F, K, P, M registered; A, B, K, M answered with data. Internet fraud: C, D registered and
    // answered, D's data partly provided, C's gone. Extortion: I. Other: G (H is 2028).
    [Fact]
    public async Task The_yearly_report_by_crime_category_matches_the_year_worked_out_by_hand()
    {
        var table = await TableAsync(year.Supervisor, $"yearly?year={Y}");
        output.WriteLine(Markdown(table));

        long[][] expected =
        [
            [6, 4, 4, 0], [2, 2, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0],
            [10, 6, 5, 1],
        ];
        Assert.Equal(expected, table.Rows.Select(r => r.Skip(1).Select(v => v.GetInt64()).ToArray()).ToArray());
    }

    [Fact]
    public async Task A_CSTO_item_counts_only_for_a_caller_cleared_for_CSTO()
    {
        var yearly = await TableAsync(year.Auditor, $"yearly?year={Y}");
        Assert.Equal([5L, 3, 3, 0], yearly.Rows[0].Skip(1).Select(v => v.GetInt64()));
        Assert.Equal([9L, 5, 4, 1], yearly.Rows[^1].Skip(1).Select(v => v.GetInt64()));

        var statistics = await TableAsync(year.Auditor, $"statistics?year={Y}&by=partner");
        Assert.DoesNotContain(statistics.Rows, r => r[0].GetString() == "CSTO-CYBER");

        // Asking for the channel is no way round it: the uncleared caller gets nothing, the cleared one the CSTO item alone.
        Assert.Empty((await TableAsync(year.Auditor, $"statistics?year={Y}&by=partner&channel=csto")).Rows);
        AssertRows(await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner&channel=csto"), new()
        {
            ["CSTO-CYBER"] = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0],
        });
    }

    // sent, acknowledged, hours to acknowledgement (median, p90), answered, hours to answer (median, p90), shares acknowledged
    // in time, answered by reply-by, answered while useful, no longer retained; data age (all, gone, provided).
    [Fact]
    public async Task Timeliness_per_partner_matches_the_durations_deadlines_and_data_ages_worked_out_by_hand()
    {
        var table = await TableAsync(year.Supervisor, $"timeliness?year={Y}&by=partner");
        output.WriteLine(Markdown(table));

        // AE: P ack 4 h of 8 h, never answered (reply-by 2 days, useful-until its preservation days: both passed); M ack 24 h
        // of 14 days, answered in 720 h of 90 days. AT: D 6 h / 96 h; E 30 h, refused; F silent (all its deadlines but
        // useful-until passed; E's useful-until is in 2028 too). DE: B 12 h / 48 h; C 72 h / 240 h (both late). The ack
        // p90 of two values a and b is a + 0.9 (b - a).
        AssertRows(table, new()
        {
            ["AE-CYBER247"] = [2, 2, 14, 22, 1, 720, 720, 1, 0.5, 0.5, 0, 16, null, 21],
            ["AT-CYBER247"] = [3, 2, 18, 27.6, 1, 96, 96, 0.6667, 0.3333, 1, 0, 10, null, 14],
            ["CSTO-CYBER"] = [1, 1, 10, 10, 1, 50, 50, 1, 1, 1, 0, 4, null, 4],
            ["DE-CYBER247"] = [2, 2, 42, 66, 2, 144, 220.8, 0.5, 0.5, 1, 0.5, 50, 90, 10],
        });
    }

    [Fact]
    public async Task The_chain_shows_the_preservation_lapsed_before_the_legal_assistance_was_answered()
    {
        // P sent 1 July, M 10 days later, answered 30 days after that; P preserved until 1 August only.
        AssertRows(await TableAsync(year.Supervisor, $"chain?year={Y}"), new() { ["AE-CYBER247"] = [1, 1, 10, 30, null, 1] });
    }

    // The screen's filters the Api always had: each keeps the items worked out by hand beside them.
    [Fact]
    public async Task Statistics_filtered_by_kind_country_or_officer_count_only_those_items()
    {
        // M alone is a legal-assistance task: registered, sent, acknowledged, answered with data in 2027, open at its end.
        AssertRows(await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner&kind=legal-assistance-task"), new()
        {
            ["AE-CYBER247"] = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        });

        // Austria is AT-CYBER247's country, whatever case it is asked in: D, E, F, I.
        AssertRows(await TableAsync(year.Supervisor, $"statistics?year={Y}&by=category&country=at"), new()
        {
            ["Computer crime"] = [2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1],
            ["Extortion"] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
            ["Internet fraud"] = [1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1],
        });

        // The supervisor registered every item (by id or by name); nobody else has any.
        var byId = await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner&officer=0193f3a0-0000-7000-8000-000000000002");
        Assert.Equal(
            (await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner")).Rows.Select(r => string.Join('|', r)),
            byId.Rows.Select(r => string.Join('|', r)));
        Assert.Equal(4, byId.Rows.Length);
        Assert.Empty((await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner&officer=Duty%20officer%20(demo)")).Rows);
    }

    [Fact]
    public async Task Several_values_of_one_filter_count_the_items_of_any_of_them()
    {
        static string[] Lines(Table table) => [.. table.Rows.Select(r => string.Join('|', r)).Order(StringComparer.Ordinal)];

        // A partner is of one country: by partner, Austria and the Emirates together are the rows of each, side by side.
        var austria = await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner&country=at");
        var emirates = await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner&country=ae");
        Assert.Equal(["AT-CYBER247"], austria.Rows.Select(r => r[0].GetString()));
        Assert.Equal(["AE-CYBER247"], emirates.Rows.Select(r => r[0].GetString()));
        var both = await TableAsync(year.Supervisor, $"statistics?year={Y}&by=partner&country=at&country=AE");
        Assert.Equal(Lines(austria).Concat(Lines(emirates)).Order(StringComparer.Ordinal), Lines(both));

        // Every kind there is, named one by one, is no filter at all.
        var unfiltered = await TableAsync(year.Supervisor, $"statistics?year={Y}&by=category");
        var everyKind = await TableAsync(year.Supervisor, $"statistics?year={Y}&by=category&kind=request&kind=initiative-message&kind=legal-assistance-task");
        Assert.Equal(Lines(unfiltered), Lines(everyKind));
    }

    [Fact]
    public async Task A_report_refuses_an_unknown_period_grouping_or_format_naming_the_field()
    {
        foreach (var (query, field) in new[]
        {
            ("statistics", "year"), ($"statistics?year={Y}&quarter=5", "quarter"), ($"statistics?year={Y}&by=colour", "by"),
            ($"yearly?year={Y}&format=pdf", "format"), ($"timeliness?from={Y}-02-01&to={Y}-01-01", "to"),
            ($"chain?year={Y}&channel=pigeon", "channel"), ($"statistics?year={Y}&country=Germany", "country"),
            ($"statistics?year={Y}&kind=letter", "kind"),
        })
        {
            var problem = await year.Supervisor.GetJsonAsync($"/api/reports/{query}", HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }

    [Fact]
    public async Task Headers_come_in_the_language_the_caller_asks_for()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/reports/yearly?year={Y}");
        request.Headers.AcceptLanguage.ParseAdd("ru-RU");
        using var response = await year.Supervisor.SendAsync(request);
        var table = (await ItemsApi.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("table");

        Assert.Equal("Годовой отчёт", table.Str("title"));
        Assert.Equal("data-gone", table.GetProperty("columns")[4].Str("key"));
        Assert.Equal("Данные утрачены", table.GetProperty("columns")[4].Str("header"));
    }

    internal sealed record Table(ReportColumn[] Columns, JsonElement[][] Rows);

    internal static async Task<Table> TableAsync(HttpClient client, string query)
    {
        var table = (await client.GetJsonAsync($"/api/reports/{query}")).GetProperty("table");
        return new Table(
            [.. table.GetProperty("columns").EnumerateArray().Select(c => new ReportColumn(c.Str("key"), c.Str("header"), Enum.Parse<ReportValueKind>(c.Str("kind"), true)))],
            [.. table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray())]);
    }

    private static IEnumerable<JsonElement> Column(Table table, string key)
    {
        var index = Array.FindIndex(table.Columns, c => c.Key == key);
        return table.Rows.Select(r => r[index]);
    }

    internal static void AssertRows(Table table, Dictionary<string, double?[]> expected)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), table.Rows.Select(r => r[0].GetString()!));
        foreach (var row in table.Rows)
        {
            double?[] actual = [.. row.Skip(1).Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble())];
            Assert.True(
                expected[row[0].GetString()!].SequenceEqual(actual),
                $"{row[0]}: expected [{string.Join(", ", expected[row[0].GetString()!])}], got [{string.Join(", ", actual)}]");
        }
    }

    private static string Markdown(Table table) =>
        string.Join('\n', [
            "| " + string.Join(" | ", table.Columns.Select(c => c.Header)) + " |",
            "|" + string.Concat(table.Columns.Select(_ => "---|")),
            .. table.Rows.Select(r => "| " + string.Join(" | ", r.Select(v => v.ToString())) + " |"),
        ]);
}
