using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Reports;
using Ncp.Tests.Fixtures;
using Npgsql;

namespace Ncp.Tests.Reports;

/// <summary>
/// The monthly counts the statistics read (<see cref="ReportMonths"/>, kept by a trigger as the report rows change) over
/// <see cref="ReportYear"/>: a year of registrations, sendings, answers, outcomes, closings, refusals and withdrawals.
/// </summary>
[Collection(ReportYearCollection.Name)]
public sealed class ReportMonthsTests(ReportYear year)
{
    /// <summary>The year the story of <see cref="ReportYear"/> counts in (written below as 2027).</summary>
    private static int Y => ReportYear.Year;

    [Fact]
    public async Task The_counts_the_trigger_kept_through_the_year_equal_the_rows_counted_afresh()
    {
        var schema = year.Ncp.ApiSchema;
        var kept = await CountsAsync($"select dim, month, figure, channel, value, n from {schema}.{ReportMonths.Table} where n <> 0");
        var afresh = await CountsAsync($"""
            select f.dim, f.month, f.figure, f.channel, f.value, count(*)::int
            from {schema}.mt_doc_reportrow r, {schema}.ncp_report_facts(r) f group by 1, 2, 3, 4, 5
            """);

        Assert.NotEmpty(kept);
        Assert.Contains(kept, c => c.StartsWith($"|{Y}-09-01|refused|", StringComparison.Ordinal));
        Assert.Equal(afresh, kept);
    }

    [Fact]
    public async Task Statistics_summed_from_the_months_equal_the_statistics_counted_from_the_rows_for_every_grouping()
    {
        foreach (var by in ReportQueries.Dimensions.Keys)
        {
            // A filter that keeps every item (both directions) makes the report count the rows instead of the months.
            var months = await RowsAsync($"statistics?year={Y}&by={by}");
            var rows = await RowsAsync($"statistics?year={Y}&by={by}&direction=outgoing&direction=incoming");

            Assert.NotEmpty(months);
            Assert.Equal(rows, months);
        }
    }

    [Fact]
    public async Task The_yearly_report_summed_from_the_months_equals_the_yearly_report_counted_from_the_rows()
    {
        foreach (var period in new[] { $"year={Y}", $"year={Y}&quarter=3", $"year={Y}&month=12" })
        {
            var months = await RowsAsync($"yearly?{period}");
            var rows = await RowsAsync($"yearly?{period}&direction=outgoing&direction=incoming");

            Assert.Contains(months, r => !r.EndsWith("|0|0|0|0", StringComparison.Ordinal));
            Assert.Equal(rows, months);
        }
    }

    /// <summary>
    /// Timeliness reads the sent requests from the narrow table a trigger keeps beside the rows (ReportSent): through the
    /// year's sendings, answers, outcomes, refusals and closings it holds exactly what reading the rows afresh gives.
    /// </summary>
    [Fact]
    public async Task The_sent_requests_the_trigger_kept_through_the_year_equal_the_rows_read_afresh()
    {
        var schema = year.Ncp.ApiSchema;
        await using var command = year.Ncp.Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand($"""
            select (select count(*) from {schema}.{ReportSent.Table}),
              (select count(*) from (
                (select * from {schema}.{ReportSent.Table} except select f.* from {schema}.mt_doc_reportrow r, {schema}.ncp_report_sent_of(r) f)
                union all
                (select f.* from {schema}.mt_doc_reportrow r, {schema}.ncp_report_sent_of(r) f except select * from {schema}.{ReportSent.Table})) d),
              (select count(*) from {schema}.mt_doc_reportrow where sent_at is not null)
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (kept, differing, sent) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));

        Assert.True(kept >= 11, $"only {kept} sent requests kept");
        Assert.Equal(0, differing);
        Assert.Equal(sent, kept);
    }

    /// <summary>
    /// Migrate counts the rows afresh only when the counts' SQL or zone changed (the hash kept in ncp_counts_basis): a recount run
    /// by hand or by the bench after a direct load keeps it, or the next start would count a million rows again.
    /// </summary>
    [Fact]
    public async Task A_recount_by_hand_keeps_the_basis_that_spares_the_next_migrate_a_recount()
    {
        var schema = year.Ncp.ApiSchema;
        var db = year.Ncp.Api.Services.GetRequiredService<NpgsqlDataSource>();
        async Task<string?> BasisAsync()
        {
            await using var command = db.CreateCommand($"select basis from {schema}.ncp_counts_basis where name = '{ReportMonths.Table}'");
            return await command.ExecuteScalarAsync() as string;
        }

        var before = await BasisAsync();
        await using (var recount = db.CreateCommand($"select {schema}.ncp_recount_report_months()"))
        {
            await recount.ExecuteNonQueryAsync();
        }

        Assert.NotNull(before);
        Assert.Equal(before, await BasisAsync());
        await The_counts_the_trigger_kept_through_the_year_equal_the_rows_counted_afresh();
    }

    private async Task<List<string>> CountsAsync(string sql)
    {
        await using var command = year.Ncp.Api.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new List<string>();
        while (await reader.ReadAsync())
        {
            counts.Add($"{reader.GetString(0)}|{reader.GetFieldValue<DateOnly>(1):yyyy-MM-dd}|{reader.GetString(2)}|{reader.GetString(3)}|{reader.GetString(4)}|{reader.GetInt32(5)}");
        }

        return [.. counts.Order(StringComparer.Ordinal)];
    }

    private async Task<List<string>> RowsAsync(string query) =>
        [.. (await year.Supervisor.GetJsonAsync($"/api/reports/{query}")).GetProperty("table").GetProperty("rows").EnumerateArray()
            .Select(r => string.Join('|', r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())))];
}
