using Ncp.Api.Reports;
using static Ncp.Tests.Reports.ReportFiguresTests;

namespace Ncp.Tests.Reports;

/// <summary>
/// The Criminal Code article as a dimension of the reports over <see cref="ReportYear"/>: the article each item's offence
/// names (written beside each item there) groups and filters every report, beside the category (chapter 7, computer crime;
/// art. 190, internet fraud). Values worked out by hand from the same dates and outcomes as <see cref="ReportFiguresTests"/>.
/// </summary>
[Collection(ReportYearCollection.Name)]
public sealed class ReportArticleTests(ReportYear year)
{
    /// <summary>The year the story of <see cref="ReportYear"/> counts in (written below as 2027).</summary>
    private static int Y => ReportYear.Year;

    [Theory]
    [InlineData("Fraud, art. 190(2) of the Criminal Code", "190")]
    [InlineData("Illegal access to information, Article 205 part 1", "205")]
    [InlineData("Art.210", "210")]
    [InlineData("Мошенничество, ст. 190 ч. 4 УК РК", "190")]
    [InlineData("ч. 2 ст.205-1 УК", "205-1")]
    [InlineData("статья 190", "190")]
    [InlineData("по признакам статьи 194", "194")]
    [InlineData("Вымогательство, по статье 194 УК РК", "194")]
    [InlineData("предусмотренное статьёй 210", "210")]
    [InlineData("Зиянды бағдарламаларды жасау, 210-бап", "210")]
    [InlineData("Алаяқтық, ҚР ҚК 190-бабы 2-бөлігі", "190")]
    [InlineData("ҚК-нің 205-бабымен көзделген", "205")]
    [InlineData("190 бап", "190")]
    [InlineData("Fraud committed in 2027 with 150 victims", "")]
    [InlineData("Статус дела 190", "")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void The_article_is_read_from_the_offence_as_officers_write_it_in_each_language(string? offence, string article) =>
        Assert.Equal(article, ReportRowProjection.ArticleOf(offence));

    // registered, sent, acknowledged, answered; outcomes: data provided, partly, no longer retained, not held, refused, not
    // applicable; refused, withdrawn, closed, open at the end. Article 205: A (only its answer and closing are 2027), B, K;
    // 190: C, D; 210: E, P, M; 194: I; none: F, G.
    [Fact]
    public async Task Statistics_per_article_count_each_item_under_the_article_its_offence_names()
    {
        AssertRows(await TableAsync(year.Supervisor, $"statistics?year={Y}&by=article"), new()
        {
            ["(not given)"] = [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
            ["190"] = [2, 2, 2, 2, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1],
            ["194"] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
            ["205"] = [2, 2, 2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 3, 0],
            ["210"] = [3, 3, 3, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 2],
        });
    }

    [Fact]
    public async Task Art_190_is_the_internet_fraud_and_chapter_7_the_computer_crime_each_filter_keeps_its_own()
    {
        // Chapter 7 (the computer-crime category) broken down by article: F names none; art. 190 is not among them.
        AssertRows(await TableAsync(year.Supervisor, $"statistics?year={Y}&by=article&category=computer-crime"), new()
        {
            ["(not given)"] = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            ["205"] = [2, 2, 2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 3, 0],
            ["210"] = [3, 3, 3, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 2],
        });

        // Art. 190 by category: internet fraud alone (C gone, D partly provided).
        var yearly = await TableAsync(year.Supervisor, $"yearly?year={Y}&article=190");
        Assert.Equal([0L, 0, 0, 0], yearly.Rows[0].Skip(1).Select(v => v.GetInt64()));
        Assert.Equal([2L, 2, 1, 1], yearly.Rows[1].Skip(1).Select(v => v.GetInt64()));
        Assert.Equal([2L, 2, 1, 1], yearly.Rows[^1].Skip(1).Select(v => v.GetInt64()));

        // Two articles at once: 190 and 194 (I, withdrawn).
        AssertRows(await TableAsync(year.Supervisor, $"statistics?year={Y}&by=category&article=190&article=194"), new()
        {
            ["Extortion"] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
            ["Internet fraud"] = [2, 2, 2, 2, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1],
        });
    }

    [Fact]
    public async Task The_article_filter_still_counts_CSTO_items_only_for_the_cleared()
    {
        // Art. 205: B and K registered; A, B and K answered with data. The auditor does not see K.
        Assert.Equal([2L, 3, 3, 0], (await TableAsync(year.Supervisor, $"yearly?year={Y}&article=205")).Rows[0].Skip(1).Select(v => v.GetInt64()));
        Assert.Equal([1L, 2, 2, 0], (await TableAsync(year.Auditor, $"yearly?year={Y}&article=205")).Rows[0].Skip(1).Select(v => v.GetInt64()));
    }

    // sent, acknowledged, hours to acknowledgement (median, p90), answered, hours to answer (median, p90), shares acknowledged
    // in time, answered by reply-by, answered while useful, no longer retained; data age (all, gone, provided).
    [Fact]
    public async Task Timeliness_and_the_chain_filtered_by_article_keep_only_that_articles_requests()
    {
        // Art. 190: C (DE: ack 72 h and answer 240 h, both late but while useful; 90-day-old data gone) and D (AT: 6 h / 96 h,
        // all in time, 14-day-old data partly provided).
        AssertRows(await TableAsync(year.Supervisor, $"timeliness?year={Y}&by=partner&article=190"), new()
        {
            ["AT-CYBER247"] = [1, 1, 6, 6, 1, 96, 96, 1, 1, 1, 0, 14, null, 14],
            ["DE-CYBER247"] = [1, 1, 72, 72, 1, 240, 240, 0, 0, 1, 1, 90, 90, null],
        });

        // The preservation P names art. 210: its chain is there under 210 and nowhere under 205.
        AssertRows(await TableAsync(year.Supervisor, $"chain?year={Y}&article=210"), new() { ["AE-CYBER247"] = [1, 1, 10, 30, null, 1] });
        Assert.Empty((await TableAsync(year.Supervisor, $"chain?year={Y}&article=205")).Rows);
    }

    // preservations, followed by legal assistance, median days preservation → legal assistance, legal assistance → answer,
    // disclosure → answer, lapsed before the answer.
    [Fact]
    public async Task A_chain_counts_under_the_article_its_legal_assistance_names_when_the_preservation_names_none()
    {
        // December 2026: Q, naming no article, preserved until 30 December; N, naming art. 190, sent 2 days after it and
        // answered 4 days later, before the preservation ended.
        string December = $"chain?from={Y - 1}-12-01&to={Y - 1}-12-31";
        AssertRows(await TableAsync(year.Supervisor, $"{December}&article=190"), new() { ["AE-CYBER247"] = [1, 1, 2, 4, null, 0] });
        AssertRows(await TableAsync(year.Supervisor, December), new() { ["AE-CYBER247"] = [1, 1, 2, 4, null, 0] });
        Assert.Empty((await TableAsync(year.Supervisor, $"{December}&article=205")).Rows);

        // The other reports keep each item under its own article: in December only N names art. 190.
        AssertRows(await TableAsync(year.Supervisor, $"statistics?from={Y - 1}-12-01&to={Y - 1}-12-31&by=partner&article=190"), new()
        {
            ["AE-CYBER247"] = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0],
        });
    }
}
