using System.Collections.Concurrent;
using Ncp.Conventions;
using Ncp.Api.Infrastructure.Marten;
using Npgsql;

namespace Ncp.Api.Cases.Overseeing;

/// <summary>
/// The dashboard's slowest partners, ranked in memory from each partner's requests sent in the window (channel, sent,
/// first answer), which are read again only for a partner whose requests changed since: a trigger on the item read model
/// counts every change to what the ranking reads, per partner, in <see cref="ChangesTable"/>, in the same transaction as
/// the item. Each dashboard reads those counts (a row per partner) and, while they stand, ranks without reading the
/// window's requests: at the bench's rate that is 110,000 requests, and reading and sorting them took most of the
/// dashboard's time. Nor does it sort them per request: each partner's figures are kept sorted per channel set
/// (<see cref="Sorted"/>) and a median is picked from them. The medians stay exact at the request's moment (an unanswered
/// request counts with the time waited so far, the window starts 90 days before now), and two Api processes each keep
/// their own copy right.
/// </summary>
public sealed class SlowestPartners
{
    public const string ChangesTable = "ncp_partner_request_changes";

    /// <summary>Loaded a day further back than the window, so that a window a little earlier needs no new read.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<(string Schema, string Partner), Loaded> loaded = new();
    private readonly SemaphoreSlim loading = new(1, 1);

    /// <summary>A partner's requests as read, in the order they were sent, and the figures ranked from them per channel set.</summary>
    private sealed record Loaded(long Changes, DateTimeOffset From, Request[] Requests)
    {
        public ConcurrentDictionary<int, Sorted> ByChannels { get; } = new();
    }

    /// <summary>
    /// Of the requests from <see cref="Start"/> on (the window's first), in one channel set: the answered ones' hours
    /// sorted, and the unanswered ones' sending moments latest first, so that their hours waited so far ascend whatever
    /// "now" is. The median is then picked from the two sorted runs without sorting anything per dashboard request; they
    /// are made again only when the window's start passes a request or the partner's requests are read again.
    /// </summary>
    private sealed record Sorted(int Start, double[] AnsweredHours, DateTimeOffset[] UnansweredSentAt);

    private readonly record struct Request(Channel Channel, DateTimeOffset SentAt, DateTimeOffset? AnsweredAt);

    /// <summary>The statement that reads every partner's count of changes (partner, changes), for <see cref="RankAsync"/>.</summary>
    public static string ChangesSql(string schema) => $"select partner_code, changes from {schema}.{ChangesTable}";

    /// <summary>
    /// A partner who does not answer must not look fast: an unanswered request counts with the time waited so far (a
    /// lower bound), so the median is over every request sent in the window, answered or not; ties go by code.
    /// </summary>
    public async Task<SlowPartner[]> RankAsync(
        NpgsqlDataSource db, string schema, IReadOnlyDictionary<string, long> changes, Channel[] channels, DateTimeOffset now,
        CancellationToken ct)
    {
        var from = now - Dashboard.PartnerWindow;
        bool Stale(KeyValuePair<string, long> partner) =>
            !loaded.TryGetValue((schema, partner.Key), out var known) || known.Changes < partner.Value || known.From > from;
        if (changes.Any(Stale))
        {
            // One read at a time: the dashboards that found the same partners stale wait for it, then find them fresh.
            await loading.WaitAsync(ct);
            try
            {
                string[] stale = [.. changes.Where(Stale).Select(p => p.Key)];
                if (stale.Length > 0)
                {
                    await LoadAsync(db, schema, stale, from - Margin, ct);
                }
            }
            finally
            {
                loading.Release();
            }
        }

        var ranked = new List<(SlowPartner Partner, double Median)>();
        var channelSet = channels.Aggregate(0, (set, c) => set | (1 << (int)c));
        foreach (var partner in changes.Keys)
        {
            var sorted = SortedOf(loaded[(schema, partner)], channelSet, from);
            var count = sorted.AnsweredHours.Length + sorted.UnansweredSentAt.Length;
            if (count > 0)
            {
                // PostgreSQL's percentile_cont(0.5): the middle value, or halfway between the two middle ones.
                var middle = (count - 1) / 2.0;
                var (low, high) = (Smallest(sorted, now, (int)Math.Floor(middle)), Smallest(sorted, now, (int)Math.Ceiling(middle)));
                var median = low + ((high - low) * (middle - Math.Floor(middle)));
                ranked.Add((new SlowPartner(partner, count, sorted.AnsweredHours.Length, Math.Round(median, 1)), median));
            }
        }

        return [.. ranked.OrderByDescending(p => p.Median).ThenBy(p => p.Partner.PartnerCode, StringComparer.Ordinal)
            .Take(Dashboard.SlowestPartners).Select(p => p.Partner)];
    }

    private static Sorted SortedOf(Loaded partner, int channelSet, DateTimeOffset from)
    {
        var requests = partner.Requests;
        var (start, end) = (0, requests.Length);
        while (start < end)
        {
            var middle = (start + end) / 2;
            (start, end) = requests[middle].SentAt < from ? (middle + 1, end) : (start, middle);
        }

        if (partner.ByChannels.TryGetValue(channelSet, out var known) && known.Start == start)
        {
            return known;
        }

        var answered = new List<double>();
        var unanswered = new List<DateTimeOffset>();
        foreach (var request in requests.AsSpan(start))
        {
            if ((channelSet & (1 << (int)request.Channel)) == 0)
            {
                continue;
            }

            if (request.AnsweredAt is { } at)
            {
                answered.Add((at - request.SentAt).TotalHours);
            }
            else
            {
                unanswered.Add(request.SentAt);
            }
        }

        answered.Sort();
        unanswered.Sort((a, b) => b.CompareTo(a));
        return partner.ByChannels[channelSet] = new Sorted(start, [.. answered], [.. unanswered]);
    }

    /// <summary>The k-th smallest (from 0) of the answered hours and the hours the unanswered ones have waited until now.</summary>
    private static double Smallest(Sorted sorted, DateTimeOffset now, int k)
    {
        var (answered, unanswered) = (sorted.AnsweredHours, sorted.UnansweredSentAt);
        // A merge of the two ascending runs, stopped at the k-th: k is below their length, so it stops before either runs out twice.
        var (a, u) = (0, 0);
        while (true)
        {
            var waited = u < unanswered.Length ? (now - unanswered[u]).TotalHours : double.PositiveInfinity;
            double next;
            if (a < answered.Length && answered[a] <= waited)
            {
                next = answered[a++];
            }
            else
            {
                next = waited;
                u++;
            }

            if (a + u == k + 1)
            {
                return next;
            }
        }
    }

    /// <summary>
    /// The partners' requests and their counts of changes in one statement, so one snapshot: a change that commits while
    /// it runs is either in the requests read or counted after the count read, and read again next time.
    /// </summary>
    private async Task LoadAsync(NpgsqlDataSource db, string schema, string[] partners, DateTimeOffset from, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            select c.partner_code, c.changes, d.channel, d.sent_at, d.first_answer_at from {schema}.{ChangesTable} c
            left join {schema}.mt_doc_itemdetails d
              on d.direction = 'Outgoing' and d.partner_code = c.partner_code and d.sent_at >= $2
            where c.partner_code = any($1)
            """);
        command.Parameters.Add(new() { Value = partners });
        command.Parameters.Add(new() { Value = from });
        var read = partners.ToDictionary(p => p, _ => (Changes: 0L, Requests: new List<Request>()));
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var partner = read[reader.GetString(0)];
                partner.Changes = reader.GetInt64(1);
                if (!reader.IsDBNull(3))
                {
                    partner.Requests.Add(new Request(Enum.Parse<Channel>(reader.GetString(2)), reader.GetFieldValue<DateTimeOffset>(3),
                        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
                }

                read[reader.GetString(0)] = partner;
            }
        }

        foreach (var (partner, (changes, requests)) in read)
        {
            loaded[(schema, partner)] = new Loaded(changes, from, [.. requests.OrderBy(r => r.SentAt)]);
        }
    }

    /// <summary>
    /// Creates the table of changes and its triggers, and counts one change for every partner with requests already
    /// sent when that was never done under this SQL (<see cref="TriggerCounts.RecountOnceAsync"/>): run by <c>migrate</c>,
    /// so an installation that had requests before the table starts right.
    /// </summary>
    public static async Task InstallAsync(NpgsqlDataSource db, string schema, CancellationToken ct)
    {
        var items = $"{schema}.mt_doc_itemdetails";
        var changes = $"{schema}.{ChangesTable}";
        const string Counted = "{0}.direction = 'Outgoing' and {0}.sent_at is not null and {0}.partner_code is not null";
        var counted = (string row) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Counted, row);
        string Change(string row) =>
            $"insert into {changes} as c values ({row}.partner_code, 1) on conflict (partner_code) do update set changes = c.changes + 1";
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand($$"""
            create table if not exists {{changes}} (partner_code varchar primary key, changes bigint not null);

            create or replace function {{schema}}.ncp_count_partner_request_changes() returns trigger language plpgsql as $$
            begin
              -- Only what the ranking reads: most changes of an item (its status, notes, mail) leave it alone.
              if tg_op = 'UPDATE' and new.direction = old.direction and new.partner_code is not distinct from old.partner_code
                 and new.channel = old.channel and new.sent_at is not distinct from old.sent_at
                 and new.first_answer_at is not distinct from old.first_answer_at then
                return null;
              end if;
              {{TriggerCounts.Lock(schema)}}
              if tg_op <> 'INSERT' and {{counted("old")}} then
                {{Change("old")}};
              end if;
              if tg_op <> 'DELETE' and {{counted("new")}} then
                {{Change("new")}};
              end if;
              return null;
            end $$;

            -- On truncation never back to zero: a count that went back could equal the one a copy was read at, and hide a change.
            {{TriggerCounts.Triggers(schema, "mt_doc_itemdetails", "ncp_count_partner_request_changes", "ncp_count_all_partner_request_changes",
                $"update {changes} set changes = changes + 1;")}}
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
        await TriggerCounts.RecountOnceAsync(connection, transaction, schema, ChangesTable, command.CommandText, $"""
            insert into {changes} as c
            select distinct partner_code, 1 from {items} d where {counted("d")}
            on conflict (partner_code) do update set changes = c.changes + 1
            """, ct);
        await transaction.CommitAsync(ct);
    }
}
