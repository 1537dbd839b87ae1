using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Overseeing;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Tests.Fixtures;
using Npgsql;

namespace Ncp.Tests.Cases.Overseeing;

[Collection(NcpCollection.Name)]
public sealed class DashboardTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_counts_follow_registered_items_due_soon_and_overdue()
    {
        var duty = ncp.ClientFor("duty");
        var before = await duty.GetJsonAsync("/api/dashboard");

        var overdue = await duty.RegisterAsync(ItemsApi.IncomingRequest("NL-CYBER247", "Dashboard overdue", DateTimeOffset.UtcNow.AddHours(-2)));
        var dueSoon = await duty.RegisterAsync(ItemsApi.IncomingRequest("FR-CYBER247", "Dashboard due soon", DateTimeOffset.UtcNow.AddHours(3)));
        var after = await duty.GetJsonAsync("/api/dashboard");

        Assert.True(Count(after, "newIncoming") >= Count(before, "newIncoming") + 2);
        Assert.True(Count(after, "overdue") >= Count(before, "overdue") + 1);
        Assert.True(Count(after, "dueSoon") >= Count(before, "dueSoon") + 1);
        Assert.Contains(overdue.Number(), Numbers(after, "newIncoming"));
        Assert.Contains(dueSoon.Number(), Numbers(after, "newIncoming"));

        // The chart's today is the same count of overdue items as the card.
        var days = after.GetProperty("days").EnumerateArray().ToArray();
        Assert.Equal(30, days.Length);
        Assert.Equal(Count(after, "overdue"), days[^1].GetProperty("overdue").GetInt32());
        Assert.True(days[^1].GetProperty("open").GetInt32() >= days[^1].GetProperty("overdue").GetInt32());
        Assert.True(after.GetProperty("quarantineHeld").GetInt32() >= 0);
        Assert.Equal(JsonValueKind.Array, after.GetProperty("slowestPartners").ValueKind);
    }

    [Fact]
    public async Task A_CSTO_item_is_not_counted_for_an_officer_without_the_compartment()
    {
        var duty = ncp.ClientFor("duty");
        var supervisor = ncp.ClientFor("supervisor");
        var dutyBefore = await duty.GetJsonAsync("/api/dashboard");
        var supervisorBefore = await supervisor.GetJsonAsync("/api/dashboard");

        var item = await supervisor.RegisterAsync(ItemsApi.IncomingRequest("CSTO-CYBER", "Dashboard cleared only", DateTimeOffset.UtcNow.AddHours(-1)));

        var dutyAfter = await duty.GetJsonAsync("/api/dashboard");
        var supervisorAfter = await supervisor.GetJsonAsync("/api/dashboard");
        foreach (var list in new[] { "newIncoming", "overdue" })
        {
            Assert.Equal(Count(dutyBefore, list), Count(dutyAfter, list));
            Assert.DoesNotContain(item.Number(), Numbers(dutyAfter, list));
            Assert.True(Count(supervisorAfter, list) >= Count(supervisorBefore, list) + 1);
        }

        Assert.Contains(item.Number(), Numbers(supervisorAfter, "newIncoming"));
    }

    [Fact]
    public async Task An_escalation_waits_on_the_dashboard_until_it_is_acknowledged()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.ActAsync((await duty.RegisterAsync(ItemsApi.OutgoingRequest("FR-CYBER247", "Dashboard escalation"))).Number(), "send");
        var rung = await ncp.EscalateAsync(item);
        Assert.True(Count(await duty.GetJsonAsync("/api/dashboard"), "awaitingAcknowledgement") >= 1);

        await duty.ActAsync(item.Number(), $"escalations/{Uri.EscapeDataString(rung)}/acknowledge");
        Assert.False(await ncp.AwaitsAcknowledgementAsync(item.Number()));
    }

    /// <summary>
    /// The overdue card and the per-day series are summed from the open-item counts; here they are checked against
    /// counting the items one by one, day by day, at now and at later moments (when today's items are yesterday's and
    /// come from the counts), after deadlines passed, moved and items ended.
    /// </summary>
    [Fact]
    public async Task The_overdue_count_and_the_days_equal_counting_the_items_one_by_one()
    {
        var duty = ncp.ClientFor("duty");
        var now = DateTimeOffset.UtcNow;
        await duty.RegisterAsync(ItemsApi.IncomingRequest("NL-CYBER247", "Counted past due", now.AddHours(-2)));
        await duty.RegisterAsync(ItemsApi.IncomingRequest("NL-CYBER247", "Counted due tomorrow", now.AddHours(30)));
        var movedBody = ItemsApi.IncomingRequest("FR-CYBER247", "Counted deadline moved", now.AddHours(-1));
        var moved = await duty.RegisterAsync(movedBody);
        var withdrawn = await duty.RegisterAsync(ItemsApi.IncomingRequest("FR-CYBER247", "Counted withdrawn", now.AddHours(-3)));
        movedBody["dueBy"] = now.AddDays(2).ToString("O");
        await duty.ChangeDetailsAsync(moved.Number(), movedBody, moved.Version());
        await duty.ActAsync(withdrawn.Number(), "withdraw", new { reason = "The partner withdrew it" });

        var db = ncp.Api.Services.GetRequiredService<NpgsqlDataSource>();
        var schema = ncp.Api.Services.GetRequiredService<MartenSettings>().Schema;
        Channel[] channels = [Channel.TwentyFourSeven, Channel.Interpol];
        foreach (var at in new[] { now.AddMinutes(1), now.AddDays(1), now.AddDays(3), now.AddDays(40) })
        {
            // The Worker may act on earlier tests' items between the two reads: compared once a read agrees.
            var (dashboard, expected) = await NcpSystem.EventuallyAsync(
                async () => (await Dashboard.ReadAsync(db, schema, Slowest, channels, at, CancellationToken.None),
                    await CountOneByOneAsync(db, schema, channels, at)),
                read => read.Item1.Overdue.Count == read.Item2.Overdue
                    && read.Item1.Days.Select(d => (d.Open, d.Overdue)).SequenceEqual(read.Item2.Days));
            Assert.Equal(expected.Overdue, dashboard.Overdue.Count);
            Assert.Equal(expected.Days, dashboard.Days.Select(d => (d.Open, d.Overdue)));
            Assert.True(dashboard.Overdue.Count > 0);
        }

        // The counts are what counting the read model afresh gives, whatever the events did to the items.
        await using var check = db.CreateCommand(CountsUnlikeTheItems(schema));
        Assert.Equal(0L, (long)(await check.ExecuteScalarAsync())!);
    }

    /// <summary>
    /// Migrate installs the counts at every start of a release; it counts the read model afresh (seconds at a million items,
    /// with registrations held up) only when the counts were never made or were made by other SQL, since the triggers keep
    /// them right in between. Shown on a copy of the items in a schema of its own: a count changed by hand stays through a
    /// second install, and is made right by an install after the counts' definition changed.
    /// </summary>
    [Fact]
    public async Task Installing_the_counts_again_counts_afresh_only_when_their_definition_changed()
    {
        var duty = ncp.ClientFor("duty");
        await duty.RegisterAsync(ItemsApi.IncomingRequest("NL-CYBER247", "Counted at install", DateTimeOffset.UtcNow.AddHours(-2)));
        var db = ncp.Api.Services.GetRequiredService<NpgsqlDataSource>();
        var schema = ncp.Api.Services.GetRequiredService<MartenSettings>().Schema;
        var copy = $"{schema}_counts_copy";
        await ExecuteAsync(db, $"""
            drop schema if exists {copy} cascade;
            create schema {copy};
            create table {copy}.mt_doc_itemdetails (like {schema}.mt_doc_itemdetails including all);
            insert into {copy}.mt_doc_itemdetails select * from {schema}.mt_doc_itemdetails;
            """);
        try
        {
            await OpenItemCounts.InstallAsync(db, copy, CancellationToken.None);
            Assert.Equal(0L, await WrongCountsAsync());

            await ExecuteAsync(db, $"update {copy}.{OpenItemCounts.Table} set open = open + 7");
            await OpenItemCounts.InstallAsync(db, copy, CancellationToken.None);
            Assert.True(await WrongCountsAsync() > 0, "a second install under the same definition counted the items again");

            await ExecuteAsync(db, $"update {copy}.ncp_counts_basis set basis = 'counted by an earlier release'");
            await OpenItemCounts.InstallAsync(db, copy, CancellationToken.None);
            Assert.Equal(0L, await WrongCountsAsync());
        }
        finally
        {
            await ExecuteAsync(db, $"drop schema if exists {copy} cascade");
        }

        async Task<long> WrongCountsAsync()
        {
            await using var command = db.CreateCommand(CountsUnlikeTheItems(copy));
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }

    /// <summary>
    /// Items moving between the same two count rows in opposite directions at the same moment (one deadline moved from
    /// the 10th to the 20th, another from the 20th to the 10th), alone or two in one transaction, never wait for each other
    /// the other way round: before, each trigger left its old row first, and a transaction changing two items changed their
    /// rows in its own order, and PostgreSQL broke the deadlock by failing one officer's change (89 times in a simulated year
    /// of 2,000 items). On a copy of the items in a schema of their own, from eight connections; the counts stay equal to
    /// counting afresh.
    /// </summary>
    [Fact]
    public async Task Items_moved_between_two_count_rows_the_other_way_round_at_once_never_deadlock()
    {
        var db = ncp.Api.Services.GetRequiredService<NpgsqlDataSource>();
        var schema = ncp.Api.Services.GetRequiredService<MartenSettings>().Schema;
        var copy = $"{schema}_counts_race";
        var first = DateTimeOffset.UtcNow.AddDays(-40);
        await ExecuteAsync(db, $"""
            drop schema if exists {copy} cascade;
            create schema {copy};
            create table {copy}.mt_doc_itemdetails (like {schema}.mt_doc_itemdetails including all);
            """);
        try
        {
            await OpenItemCounts.InstallAsync(db, copy, CancellationToken.None);
            var ids = new Guid[8];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = Guid.NewGuid();
                await ExecuteAsync(db, $"""
                    insert into {copy}.mt_doc_itemdetails (id, data, mt_version, mt_dotnet_type, channel, registered_at, due_by, is_open)
                    values ('{ids[i]}', '{"{}"}', 1, 'test', 'TwentyFourSeven', '{first:O}', '{first.AddDays(i % 2 == 0 ? 10 : 30):O}', true)
                    """);
            }

            // Alone: items go from one day to another and back, half of them the other way round, all at once. Then in
            // pairs, as a transaction that changes two items does (links made both ways, a group): each pair moves its even
            // item and its odd one in one transaction, half of the pairs the one first and half the other.
            await Task.WhenAll(ids.Select((id, i) => Task.Run(async () =>
            {
                for (var round = 0; round < 60; round++)
                {
                    await ExecuteAsync(db, Move(i, i + round));
                }
            })));
            await Task.WhenAll(Enumerable.Range(0, ids.Length / 2).Select(pair => Task.Run(async () =>
            {
                for (var round = 0; round < 40; round++)
                {
                    var (even, odd) = (Move(2 * pair, round), Move(2 * pair + 1, round + 1));
                    await ExecuteAsync(db, $"begin; {(pair % 2 == 0 ? even : odd)}; {(pair % 2 == 0 ? odd : even)}; commit;");
                }
            })));

            // Even items between the 10th and the 20th, odd ones between the 30th and the 40th: two items of a pair touch
            // four count rows, two by two.
            string Move(int item, int step) =>
                $"update {copy}.mt_doc_itemdetails set due_by = '{first.AddDays((item % 2 == 0 ? 10 : 30) + (step % 2 == 0 ? 10 : 0)):O}' where id = '{ids[item]}'";

            await using var check = db.CreateCommand(CountsUnlikeTheItems(copy));
            Assert.Equal(0L, (long)(await check.ExecuteScalarAsync())!);
        }
        finally
        {
            await ExecuteAsync(db, $"drop schema if exists {copy} cascade");
        }
    }

    /// <summary>
    /// The slowest partners are ranked from the copy SlowestPartners keeps; here the ranking and each median are checked
    /// against the requests read one by one and their medians taken here.
    /// </summary>
    [Fact]
    public async Task The_slowest_partners_equal_the_medians_of_their_requests_taken_one_by_one()
    {
        var duty = ncp.ClientFor("duty");
        foreach (var partner in new[] { "NL-CYBER247", "FR-CYBER247", "NL-CYBER247" })
        {
            await duty.ActAsync((await duty.RegisterAsync(ItemsApi.OutgoingRequest(partner, "Slowest partner counted"))).Number(), "send");
        }

        var db = ncp.Api.Services.GetRequiredService<NpgsqlDataSource>();
        var schema = ncp.Api.Services.GetRequiredService<MartenSettings>().Schema;
        Channel[] channels = [Channel.TwentyFourSeven, Channel.Interpol, Channel.Bilateral];
        var at = DateTimeOffset.UtcNow.AddHours(5);
        var (dashboard, expected) = await NcpSystem.EventuallyAsync(
            async () => (await Dashboard.ReadAsync(db, schema, Slowest, channels, at, CancellationToken.None),
                await SlowestOneByOneAsync(db, schema, channels, at)),
            read => read.Item1.SlowestPartners.SequenceEqual(read.Item2));
        Assert.Equal(expected, dashboard.SlowestPartners);
        Assert.NotEmpty(dashboard.SlowestPartners);
    }

    /// <summary>
    /// The copy of each partner's requests is read again when the trigger has counted a change to them: here the read model
    /// is written as a rebuild or the bench writes it (straight SQL), and after each change, and as the window moves later
    /// and earlier, the ranking equals the requests read one by one. The two partners' requests are made 60 days old so
    /// that they rank first.
    /// </summary>
    [Fact]
    public async Task The_slowest_partners_follow_answers_moves_deletions_and_the_moving_window()
    {
        var duty = ncp.ClientFor("duty");
        var now = DateTimeOffset.UtcNow;
        async Task<string> Sent(string partner)
        {
            var draft = await duty.RegisterAsync(ItemsApi.OutgoingRequest(partner, "Slowest partner changed"));
            return (await duty.ActAsync(draft.Number(), "send")).Number();
        }

        string[] numbers = await Task.WhenAll(new[] { "JP-CYBER247", "JP-CYBER247", "JP-CYBER247", "KE-CYBER247" }.Select(Sent));
        var db = ncp.Api.Services.GetRequiredService<NpgsqlDataSource>();
        var schema = ncp.Api.Services.GetRequiredService<MartenSettings>().Schema;
        Channel[] channels = [Channel.TwentyFourSeven];

        async Task Write(string set, params string[] items)
        {
            var sql = $"{set} where register_number = any($1)".Replace("items", $"{schema}.mt_doc_itemdetails", StringComparison.Ordinal);
            await using var command = db.CreateCommand(sql);
            command.Parameters.Add(new() { Value = items });
            command.Parameters.Add(new() { Value = now });
            await command.ExecuteNonQueryAsync();
        }

        async Task<SlowPartner[]> RankedAt(DateTimeOffset at)
        {
            var (dashboard, expected) = await NcpSystem.EventuallyAsync(
                async () => ((await Dashboard.ReadAsync(db, schema, Slowest, channels, at, CancellationToken.None)).SlowestPartners,
                    await SlowestOneByOneAsync(db, schema, channels, at)),
                read => read.Item1.SequenceEqual(read.Item2));
            Assert.Equal(expected, dashboard);
            return dashboard;
        }

        (int Sent, int Answered)? Of(SlowPartner[] ranked, string partner) =>
            ranked.Where(p => p.PartnerCode == partner).Select(p => ((int, int)?)(p.Sent, p.Answered)).SingleOrDefault();

        await Write("update items set sent_at = $2 - interval '60 days'", numbers);
        var ranked = await RankedAt(now);
        Assert.Equal((3, 0), Of(ranked, "JP-CYBER247"));
        Assert.Equal((1, 0), Of(ranked, "KE-CYBER247"));

        await Write("update items set first_answer_at = sent_at + interval '10 hours'", numbers[0]);
        Assert.Equal((3, 1), Of(await RankedAt(now), "JP-CYBER247"));

        await Write("update items set partner_code = 'KE-CYBER247'", numbers[1]);
        ranked = await RankedAt(now);
        Assert.Equal((2, 1), Of(ranked, "JP-CYBER247"));
        Assert.Equal((2, 0), Of(ranked, "KE-CYBER247"));

        // An answer slower than the other request's wait so far: the median of an even count, from an answered and a waiting one.
        await Write("update items set first_answer_at = sent_at + interval '2000 hours'", numbers[3]);
        Assert.Equal((2, 1), Of(await RankedAt(now), "KE-CYBER247"));

        await Write("delete from items", numbers[3]);
        Assert.Equal((1, 0), Of(await RankedAt(now), "KE-CYBER247"));

        // 31 days on, the requests sent 60 days ago are out of the 90-day window; 5 days back, the copy must reach further.
        Assert.Null(Of(await RankedAt(now.AddDays(31)), "JP-CYBER247"));
        Assert.Equal((2, 1), Of(await RankedAt(now.AddDays(-5)), "JP-CYBER247"));
    }

    private SlowestPartners Slowest => ncp.Api.Services.GetRequiredService<SlowestPartners>();

    private static async Task<SlowPartner[]> SlowestOneByOneAsync(
        NpgsqlDataSource db, string schema, Channel[] channels, DateTimeOffset now)
    {
        await using var command = db.CreateCommand($"""
            select partner_code, sent_at, first_answer_at from {schema}.mt_doc_itemdetails
            where channel = any($1) and direction = 'Outgoing' and sent_at >= $2
            """);
        command.Parameters.Add(new() { Value = channels.Select(c => c.ToString()).ToArray() });
        command.Parameters.Add(new() { Value = now - Dashboard.PartnerWindow });
        var sent = new List<(string Partner, DateTimeOffset Sent, DateTimeOffset? Answered)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                sent.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        static double Median(double[] sorted) =>
            sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        return [.. sent.GroupBy(s => s.Partner)
            .Select(g => (Partner: g.Key, Median: Median([.. g.Select(s => ((s.Answered ?? now) - s.Sent).TotalHours).Order()]),
                Requests: g))
            .OrderByDescending(p => p.Median).ThenBy(p => p.Partner, StringComparer.Ordinal)
            .Take(Dashboard.SlowestPartners)
            .Select(p => new SlowPartner(
                p.Partner, p.Requests.Count(), p.Requests.Count(s => s.Answered is not null), Math.Round(p.Median, 1)))];
    }

    // By definition, one statement per question: open at a day's end (registered by then, not ended by then), overdue
    // (and late by then: its deadline, or its registration if that came after), of the items open now or ended in the window.
    private static async Task<(int Overdue, (int, int)[] Days)> CountOneByOneAsync(
        NpgsqlDataSource db, string schema, Channel[] channels, DateTimeOffset now)
    {
        var first = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1 - Dashboard.Days);
        await using var command = db.CreateCommand($"""
            select (select count(*)::int from {schema}.mt_doc_itemdetails d where channel = any($1) and {Needs.Overdue("$2")}),
              array_agg(array[o, v] order by day) from (
              select day,
                count(*) filter (where d.registered_at < e and not coalesce(d.ended_at < e, false))::int as o,
                count(*) filter (where d.registered_at < e and not coalesce(d.ended_at < e, false) and d.due_by is not null
                  and greatest(d.due_by, d.registered_at) < e)::int as v
              from generate_series($3::timestamp, $3::timestamp + interval '29 days', interval '1 day') as day
              cross join lateral (select least((day + interval '1 day') at time zone 'UTC', $2 + interval '1 microsecond') as e) ends
              left join {schema}.mt_doc_itemdetails d on d.channel = any($1)
                and (d.is_open or d.ended_at >= $3::timestamp at time zone 'UTC') and d.registered_at <= $2
              group by day) per_day
            """);
        command.Parameters.Add(new() { Value = channels.Select(c => c.ToString()).ToArray() });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = first.ToDateTime(TimeOnly.MinValue) });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var days = reader.GetFieldValue<int[,]>(1);
        return (reader.GetInt32(0), [.. Enumerable.Range(0, Dashboard.Days).Select(i => (days[i, 0], days[i, 1]))]);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    // How many of the kept open-item counts differ from counting the read model afresh.
    private static string CountsUnlikeTheItems(string schema) => $"""
        select count(*) from (
          select channel, (registered_at at time zone 'UTC')::date as r,
            case when due_by is null then 'infinity'::date else (greatest(due_by, registered_at) at time zone 'UTC')::date end as l,
            count(*) as n
          from {schema}.mt_doc_itemdetails where is_open group by 1, 2, 3) fresh
        full join (select * from {schema}.{OpenItemCounts.Table} where open <> 0) kept
          on fresh.channel = kept.channel and fresh.r = kept.registered_day and fresh.l = kept.late_day
        where fresh.n is distinct from kept.open
        """;

    private static int Count(JsonElement dashboard, string list) => dashboard.GetProperty(list).GetProperty("count").GetInt32();

    private static string[] Numbers(JsonElement dashboard, string list) =>
        [.. dashboard.GetProperty(list).GetProperty("first").EnumerateArray().Select(r => r.Str("registerNumber"))];
}
