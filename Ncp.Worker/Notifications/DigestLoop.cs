using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Infrastructure.Hosting;
using Npgsql;

namespace Ncp.Worker.Notifications;

/// <summary>
/// Every morning (<see cref="NotificationSettings.DigestAt"/>, each person's own time zone, on their working days; the
/// duty desk every day) a mail listing what falls due in the next 24 hours: the rungs of their assigned items, or of
/// all items for supervisors, heads of unit and the duty desk. One per person and day, whatever the number of Workers.
/// </summary>
public sealed class DigestLoop(WorkerDatabase database, NotificationSettings settings, NotificationSender sender, TimeProvider time, ILogger<DigestLoop> logger)
    : PollingLoop(time, logger)
{
    private static readonly string[] SeesEverything = ["supervisor", "head-of-unit", "duty-officer"];

    protected override async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var next = now + settings.MaxSleep;
        foreach (var person in Recipients())
        {
            var (due, nextDigest) = DigestMoment(person, now);
            if (due is { } localDate)
            {
                await ComposeAsync(person, localDate, now, ct);
            }

            next = nextDigest < next ? nextDigest : next;
        }

        return next - now;
    }

    /// <summary>Whether a digest is due now (its local date) and when the next one comes.</summary>
    public (DateOnly? Due, DateTimeOffset Next) DigestMoment(Person person, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(person.TimeZone);
        var at = TimeOnly.ParseExact(settings.DigestAt, "HH:mm", CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        bool Works(DateOnly day) => person.AlwaysReachable || person.Days.Contains(day.DayOfWeek.ToString()[..3].ToLowerInvariant());

        DateOnly? due = Works(today) && TimeOnly.FromDateTime(local.DateTime) >= at ? today : null;
        var day = today;
        DateTimeOffset next;
        do
        {
            next = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(at), zone), TimeSpan.Zero);
            day = day.AddDays(1);
        }
        while (next <= now || !Works(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(next, zone).DateTime)));

        return (due, next);
    }

    private IEnumerable<Person> Recipients() => settings.People.Append(settings.DutyDesk);

    private async Task ComposeAsync(Person person, DateOnly localDate, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var claim = new NpgsqlCommand(
            $"insert into {database.Schema}.digests (recipient, local_date, created_at) values ($1, $2, $3) on conflict do nothing", connection, transaction))
        {
            claim.Parameters.AddWithValue(person.Email);
            claim.Parameters.AddWithValue(localDate);
            claim.Parameters.AddWithValue(now);
            if (await claim.ExecuteNonQueryAsync(ct) == 0)
            {
                return;
            }
        }

        var everything = person.Roles.Any(SeesEverything.Contains);
        var lines = new List<string>();
        await using (var query = new NpgsqlCommand($"""
            select i.register_number, i.subject, i.partner_code, t.step, t.due_at
            from {database.Schema}.timers t join {database.Schema}.items i on i.item_id = t.item_id
            where t.fired_at is null and t.due_at > $1 and t.due_at <= $2 and ($3 or i.assigned_officer_id = $4)
              and (not i.restricted or i.channel = any($5))
            order by t.due_at
            """, connection, transaction))
        {
            query.Parameters.AddWithValue(now);
            query.Parameters.AddWithValue(now.AddHours(24));
            query.Parameters.AddWithValue(everything);
            query.Parameters.AddWithValue(person.Id);
            // A compartment's item is left out whole, not counted either: the number in the subject must not tell it exists.
            query.Parameters.AddWithValue(person.Clearances.Select(c => c.ToLowerInvariant()).ToArray());
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                lines.Add($"{reader.GetFieldValue<DateTimeOffset>(4):yyyy-MM-dd HH:mm} UTC  {reader.GetString(0)}  {reader.GetString(3)}  {reader.GetString(2)}: {reader.GetString(1)}");
            }
        }

        if (lines.Count > 0)
        {
            var texts = NotificationTexts.For(person.Language);
            var body = new StringBuilder(NotificationTexts.Format(texts.DigestHeader, lines.Count)).AppendLine().AppendLine();
            lines.ForEach(l => body.AppendLine(l));
            await using var outbox = new NpgsqlCommand($"""
                insert into {database.Schema}.notifications (id, event_id, recipient, subject, body, send_after, created_at)
                values ($1, $2, $3, $4, $5, $6, $6) on conflict (event_id, recipient) do nothing
                """, connection, transaction);
            outbox.Parameters.AddWithValue(Guid.CreateVersion7(now));
            outbox.Parameters.AddWithValue(DigestId(person.Email, localDate));
            outbox.Parameters.AddWithValue(person.Email);
            outbox.Parameters.AddWithValue(NotificationTexts.Format(texts.DigestSubject, localDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), lines.Count));
            outbox.Parameters.AddWithValue(body.ToString());
            outbox.Parameters.AddWithValue(now);
            await outbox.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        sender.Nudge();
    }

    private static Guid DigestId(string recipient, DateOnly date) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes($"digest:{recipient}:{date:yyyy-MM-dd}")));
}
