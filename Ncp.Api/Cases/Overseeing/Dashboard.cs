using Ncp.Api.Auditing;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Conventions;
using Npgsql;

namespace Ncp.Api.Cases.Overseeing;

/// <summary>What needs the desk's eye now, over the channels the caller may see.</summary>
public sealed record DashboardResource(
    DateTimeOffset At,
    DashboardList NewIncoming,
    DashboardList MailReceived,
    DashboardList DueSoon,
    DashboardList Overdue,
    DashboardList AwaitingAcknowledgement,
    int QuarantineHeld,
    SlowPartner[] SlowestPartners,
    DashboardDay[] Days)
{
    /// <summary>Messages that faulted after every retry, in either process (null: the broker could not be asked).</summary>
    public long? DeadLetters { get; init; }

    /// <summary>Open requests the partner never received (<see cref="Needs.NotDelivered"/>), latest sent first.</summary>
    public DashboardList NotDelivered { get; init; } = new(0, []);
}

/// <summary>How many, and the first few of them.</summary>
public sealed record DashboardList(int Count, DashboardRow[] First);

/// <summary><see cref="At"/> is the moment the list is about: registered, mail filed, or due.</summary>
public sealed record DashboardRow(string RegisterNumber, string Subject, string PartnerCode, Channel Channel, Priority Priority, DateTimeOffset? DueBy, DateTimeOffset At);

/// <summary>Median hours from sending a request to the partner's first answer (to now while unanswered).</summary>
public sealed record SlowPartner(string PartnerCode, int Sent, int Answered, double MedianHours);

/// <summary>Items open, and open past their deadline, at the end of <see cref="Day"/> (UTC; today: now).</summary>
public sealed record DashboardDay(DateOnly Day, int Open, int Overdue);

/// <summary>
/// What the cards count, as conditions on the item read model (alias <c>d</c>) with the caller's placeholders; the item
/// list filters by the same conditions, so a card's number is the length of the list it opens.
/// </summary>
public static class Needs
{
    public const string AwaitingAcknowledgement = "d.is_open and d.awaits_acknowledgement";

    /// <summary>Open requests the partner never received: the officer must choose another way.</summary>
    public const string NotDelivered = "d.is_open and d.not_delivered";

    public static string MailIn(string since) => $"d.last_mail_in_at >= {since}";

    public static string DueSoon(string now, string until) => $"d.is_open and d.due_by >= {now} and d.due_by < {until}";

    public static string Overdue(string now) => $"d.is_open and d.due_by < {now}";
}

public static class Dashboard
{
    public const int ListLength = 5;
    public const int Days = 30;
    public const int SlowestPartners = 5;
    public static readonly TimeSpan Recent = TimeSpan.FromHours(24);
    public static readonly TimeSpan PartnerWindow = TimeSpan.FromDays(90);

    public static RouteGroupBuilder MapOverseeing(this RouteGroupBuilder dashboard)
    {
        dashboard.MapGet("/", GetAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("GetDashboard")
            .AuditedAs("read-dashboard")
            .WithSummary("Counts and first items of what needs attention, the partners slowest to answer, open and overdue items per day");
        return dashboard;
    }

    private static async Task<Ok<DashboardResource>> GetAsync(
        HttpContext http, Compartments compartments, NpgsqlDataSource db, MartenSettings marten, SlowestPartners slowest,
        DeadLetterWatch deadLetters, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await ReadAsync(db, marten.Schema, slowest, compartments.ChannelsOf(http.User), time.GetUtcNow(), ct) with
        {
            DeadLetters = deadLetters.Queues is null ? null : deadLetters.Total,
        });

    /// <summary>
    /// One round trip, every statement on the item read model's indexed columns (MartenSetup, ItemListing.ConfigureColumns)
    /// or on <see cref="OpenItemCounts"/>: what grows with the backlog (the overdue count, the per-day series) is summed
    /// from counts per day, and only today's items are read one by one. The slowest partners are ranked from the copy
    /// <see cref="SlowestPartners"/> keeps, with a second round trip only for partners whose requests changed.
    /// </summary>
    public static async Task<DashboardResource> ReadAsync(
        NpgsqlDataSource db, string schema, SlowestPartners slowest, Channel[] channels, DateTimeOffset now, CancellationToken ct)
    {
        var items = $"{schema}.mt_doc_itemdetails";
        var visible = channels.Select(c => c.ToString()).ToArray();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var firstDay = today.AddDays(1 - Days);

        // Every statement is sent all of them, typed, so a statement may leave some unused.
        // $1 channels, $2 a day ago, $3 now, $4 a day ahead, $5 today's midnight (UTC), $6 the chart's first day, $7 today,
        // $8 tomorrow's midnight.
        var midnight = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        object[] parameters = [visible, now - Recent, now, now + Recent, midnight, firstDay, today, midnight.AddDays(1)];
        var counted = $"{schema}.{OpenItemCounts.Table}";
        var ended = $"{schema}.{OpenItemCounts.EndedTable}";
        string Row(string list, string at, string where, string order) => $"""
            (select '{list}', register_number, data->>'Subject', partner_code, channel, priority, due_by, {at}
             from {items} d where channel = any($1) and {where} order by {order} limit {ListLength})
            """;
        const string NewIncoming = "direction = 'Incoming' and registered_at >= $2";
        var mailIn = Needs.MailIn("$2");
        var dueSoon = Needs.DueSoon("$3", "$4");
        var pastDue = Needs.Overdue("$3");
        const string Awaiting = Needs.AwaitingAcknowledgement;
        const string Undelivered = Needs.NotDelivered;

        await using var batch = db.CreateBatch();
        void Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var value in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            batch.BatchCommands.Add(command);
        }

        Add($"""
            select
              (select count(*) from {items} d where channel = any($1) and {NewIncoming}),
              (select count(*) from {items} d where channel = any($1) and {mailIn}),
              (select count(*) from {items} d where channel = any($1) and {dueSoon}),
              {OverdueCount(items, counted)},
              (select count(*) from {items} d where channel = any($1) and {Awaiting}),
              (select count(*) from {schema}.mt_doc_quarantinedmail where status = 'Held' and channel = any($1)),
              (select count(*) from {items} d where channel = any($1) and {Undelivered})
            """);
        Add(string.Join(" union all ",
            Row("new", "registered_at", NewIncoming, "registered_at desc"),
            Row("mail", "last_mail_in_at", mailIn, "last_mail_in_at desc"),
            Row("due", "due_by", dueSoon, "due_by"),
            Row("overdue", "due_by", pastDue, "due_by"),
            Row("awaiting", "coalesce(due_by, registered_at)", Awaiting, "due_by nulls last"),
            Row("undelivered", "coalesce(sent_at, registered_at)", Undelivered, "sent_at desc nulls last")));

        // The slowest partners: each partner's count of changes to its requests (SlowestPartners ranks them).
        Add(Overseeing.SlowestPartners.ChangesSql(schema));

        // Open on a day: registered by its end and not ended by then; overdue: open and past the deadline it has now
        // (a deadline moved later is applied to the past too). Each item adds +1 when a state starts and -1 when it
        // ends; summing the steps per day and then running totals gives every day, all from the counts per day
        // (OpenItemCounts). The items open now start on their registration's day and become late on their late day, and
        // stay so, less those whose late moment is still to come today (read one by one); those ended since the chart's
        // first day also step down on the day they ended. A reopened item (no end any more) counts as open since its
        // registration; an item that ended before the window adds nothing.
        Add($"""
            select greatest(-1, registered_day - $6)::int, sum(open)::int, 0 from {counted}
            where channel = any($1) group by 1
            union all
            select greatest(-1, late_day - $6)::int, 0, sum(open)::int from {counted}
            where channel = any($1) and late_day <= $7 group by 1
            union all
            select $7 - $6, 0, -count(*)::int from {items} d
            where channel = any($1) and d.is_open and d.due_by > $3 and d.due_by < $8
            union all
            select x.bucket, sum(x.opened)::int, sum(x.overdue)::int from {ended} e
            cross join lateral (values
              (greatest(-1, e.registered_day - $6), e.n, 0),
              (e.ended_day - $6, -e.n, 0),
              (case when e.late_before_end then greatest(-1, e.late_day - $6) end, 0, e.n),
              (case when e.late_before_end then e.ended_day - $6 end, 0, -e.n)) as x(bucket, opened, overdue)
            where e.ended_day >= $6 and e.channel = any($1) and x.bucket <= $7 - $6
            group by x.bucket
            """);

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var counts = Enumerable.Range(0, 7).Select(i => (int)reader.GetInt64(i)).ToArray();

        await reader.NextResultAsync(ct);
        var rows = new Dictionary<string, List<DashboardRow>>();
        while (await reader.ReadAsync(ct))
        {
            var list = reader.GetString(0);
            (rows.TryGetValue(list, out var found) ? found : rows[list] = []).Add(new DashboardRow(
                reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2), reader.GetString(3),
                Enum.Parse<Channel>(reader.GetString(4)), Enum.Parse<Priority>(reader.GetString(5)),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }

        await reader.NextResultAsync(ct);
        var changes = new Dictionary<string, long>();
        while (await reader.ReadAsync(ct))
        {
            changes[reader.GetString(0)] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(ct);
        var steps = new Dictionary<int, (int Open, int Overdue)>();
        while (await reader.ReadAsync(ct))
        {
            var (open, overdue) = steps.GetValueOrDefault(reader.GetInt32(0));
            steps[reader.GetInt32(0)] = (open + reader.GetInt32(1), overdue + reader.GetInt32(2));
        }

        var days = new DashboardDay[Days];
        var (opened, late) = steps.GetValueOrDefault(-1);
        for (var i = 0; i < Days; i++)
        {
            var step = steps.GetValueOrDefault(i);
            (opened, late) = (opened + step.Open, late + step.Overdue);
            days[i] = new DashboardDay(firstDay.AddDays(i), opened, late);
        }

        await reader.CloseAsync();
        var partners = await slowest.RankAsync(db, schema, changes, channels, now, ct);
        DashboardList ListOf(string name, int count) => new(count, [.. rows.GetValueOrDefault(name) ?? []]);
        return new DashboardResource(
            now, ListOf("new", counts[0]), ListOf("mail", counts[1]), ListOf("due", counts[2]), ListOf("overdue", counts[3]), ListOf("awaiting", counts[4]),
            counts[5], partners, days) { NotDelivered = ListOf("undelivered", counts[6]) };
    }

    /// <summary>
    /// <see cref="Needs.Overdue"/> counted without reading the backlog: the open items late since before today are summed
    /// from <see cref="OpenItemCounts"/>; those whose late day is today (a deadline passed today, or an item registered
    /// today past its deadline) are read through the deadline and registration indexes.
    /// </summary>
    private static string OverdueCount(string items, string counted) => $"""
        ((select coalesce(sum(open), 0) from {counted} where channel = any($1) and late_day < $7)
         + (select count(*) from {items} d where channel = any($1) and d.is_open and d.due_by >= $5 and d.due_by < $3)
         + (select count(*) from {items} d where channel = any($1) and d.is_open and d.registered_at >= $5 and d.due_by < $5))
        """;
}
