using System.Text;
using Ncp.Conventions;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Infrastructure.Hosting;

namespace Ncp.Worker.Notifications;

/// <summary>
/// Tells the duty desk, once, of messages that faulted after every retry in either process: a mail in the outbox listing
/// the new ones, where they wait and why. Each letter is told of once (by its message id), however long it waits.
/// </summary>
public sealed class DeadLetterAlarm(
    DeadLetterWatch watch, DeadLetterBox box, WorkerDatabase database, NotificationSettings settings, NotificationSender sender, TimeProvider time,
    ILogger<DeadLetterAlarm> logger)
    : PollingLoop(time, logger)
{
    private const int LettersPerQueue = 50;

    protected override async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        if (watch.Queues is not { Count: > 0 } queues)
        {
            return DeadLetterWatch.Every;
        }

        var letters = new List<DeadLetter>();
        foreach (var queue in queues)
        {
            letters.AddRange((await box.PeekAsync(queue.Queue, LettersPerQueue, ct)).Where(l => l.MessageId is not null));
        }

        await TellAsync(letters, ct);
        return DeadLetterWatch.Every;
    }

    private async Task TellAsync(List<DeadLetter> letters, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var now = Time.GetUtcNow();
        var fresh = new List<DeadLetter>();
        await using (var record = new Npgsql.NpgsqlCommand(
            $"""
            insert into {database.Schema}.dead_letter_alarms (message_id, queue, told_at)
            select l.message_id, l.queue, $3 from unnest($1::text[], $2::text[]) as l(message_id, queue)
            on conflict (message_id) do nothing returning message_id
            """,
            connection, transaction))
        {
            record.Parameters.AddWithValue(letters.Select(l => l.MessageId!).ToArray());
            record.Parameters.AddWithValue(letters.Select(l => l.Queue).ToArray());
            record.Parameters.AddWithValue(now);
            await using var reader = await record.ExecuteReaderAsync(ct);
            var ids = new HashSet<string>();
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetString(0));
            }

            fresh.AddRange(letters.Where(l => ids.Contains(l.MessageId!)).DistinctBy(l => l.MessageId));
        }

        if (fresh.Count > 0)
        {
            await using var notify = new Npgsql.NpgsqlCommand(
                $"""
                insert into {database.Schema}.notifications (id, event_id, recipient, subject, body, send_after, created_at)
                values ($1, $1, $2, $3, $4, $5, $5)
                """,
                connection, transaction);
            notify.Parameters.AddWithValue(Guid.CreateVersion7(now));
            notify.Parameters.AddWithValue(settings.DutyMailbox);
            notify.Parameters.AddWithValue($"Ncp: {fresh.Count} message(s) failed after every retry");
            notify.Parameters.AddWithValue(BodyOf(fresh, watch.Total));
            notify.Parameters.AddWithValue(now);
            await notify.ExecuteNonQueryAsync(ct);
            logger.LogError("{Count} new dead letters; the duty desk is told", fresh.Count);
        }

        await transaction.CommitAsync(ct);
        if (fresh.Count > 0)
        {
            sender.Nudge();
        }
    }

    private static string BodyOf(List<DeadLetter> fresh, long total)
    {
        var body = new StringBuilder();
        body.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
            $"{fresh.Count} message(s) between Ncp's processes failed after every retry and wait in error queues ({total} in all).");
        body.AppendLine("Nothing is lost: they are kept until an administrator moves them back (dashboard, or ./ncp redrive) once the cause is fixed.");
        body.AppendLine();
        foreach (var letter in fresh.Take(20))
        {
            body.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"- {letter.FaultedAt:yyyy-MM-dd HH:mm} UTC, {letter.MessageType?.Split('.').Last()} in {letter.Queue}: {letter.Reason}");
        }

        if (fresh.Count > 20)
        {
            body.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"... and {fresh.Count - 20} more.");
        }

        return body.ToString();
    }
}
