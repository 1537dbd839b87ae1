using MailKit.Net.Smtp;
using MimeKit;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Infrastructure.Hosting;
using Ncp.Worker.Infrastructure.Mail;
using Npgsql;

namespace Ncp.Worker.Notifications;

/// <summary>
/// Sends what is due in the notification outbox by SMTP. A failed send is retried with growing pauses (up to an hour);
/// rows are claimed with SKIP LOCKED, so several Workers never send the same notification twice.
/// </summary>
public sealed class NotificationSender(
    WorkerDatabase database, NotificationSettings settings, SmtpSettings smtp, TimeProvider time, ILogger<NotificationSender> logger)
    : PollingLoop(time, logger)
{
    private const int BatchSize = 20;

    protected override async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(smtp.Host))
        {
            // No mail server configured: notifications wait in the outbox (visible, never lost) until one is.
            return TimeSpan.FromMinutes(1);
        }

        while (await SendDueAsync(ct) == BatchSize)
        {
        }

        await using var next = database.DataSource.CreateCommand($"select min(send_after) from {database.Schema}.notifications where sent_at is null");
        var due = await next.ExecuteScalarAsync(ct) is DateTime utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)) : (DateTimeOffset?)null;
        var nap = due is { } at ? at - Time.GetUtcNow() : settings.MaxSleep;
        return nap < settings.MaxSleep ? nap : settings.MaxSleep;
    }

    private async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var due = new List<(Guid Id, string To, string Subject, string Body, int Attempts)>();
        await using (var claim = new NpgsqlCommand($"""
            select id, recipient, subject, body, attempts from {database.Schema}.notifications
            where sent_at is null and send_after <= $1 order by send_after limit {BatchSize} for update skip locked
            """, connection, transaction))
        {
            claim.Parameters.AddWithValue(Time.GetUtcNow());
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                due.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
            }
        }

        if (due.Count == 0)
        {
            return 0;
        }

        SmtpClient? client = null;
        Exception? connectFailure = null;
        try
        {
            client = await MailServers.ConnectSmtpAsync(smtp, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            connectFailure = e;
        }

        foreach (var n in due)
        {
            var error = connectFailure?.Message;
            if (error is null)
            {
                try
                {
                    await client!.SendAsync(Message(n.To, n.Subject, n.Body, n.Id), ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    error = e.Message;
                }
            }

            await using var mark = new NpgsqlCommand(error is null
                ? $"update {database.Schema}.notifications set sent_at = $2, attempts = attempts + 1 where id = $1"
                : $"update {database.Schema}.notifications set attempts = attempts + 1, last_error = $3, send_after = $2 where id = $1",
                connection, transaction);
            mark.Parameters.AddWithValue(n.Id);
            mark.Parameters.AddWithValue(error is null ? Time.GetUtcNow() : Time.GetUtcNow() + Backoff(n.Attempts));
            if (error is not null)
            {
                mark.Parameters.AddWithValue(error);
                logger.LogWarning("Notification {Id} to {Recipient} not sent (attempt {Attempt}): {Error}", n.Id, n.To, n.Attempts + 1, error);
            }

            await mark.ExecuteNonQueryAsync(ct);
        }

        if (client is { IsConnected: true })
        {
            await client.DisconnectAsync(quit: true, ct);
        }

        client?.Dispose();

        await transaction.CommitAsync(ct);
        return due.Count;
    }

    private MimeMessage Message(string to, string subject, string body, Guid id)
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = body } };
        message.From.Add(new MailboxAddress("Ncp", settings.From));
        message.To.Add(MailboxAddress.Parse(to));
        // A resend after a crash carries the same Message-ID, so mail clients show it once.
        message.MessageId = $"{id:N}@ncp.notifications";
        message.Date = Time.GetUtcNow();
        return message;
    }

    private static TimeSpan Backoff(int attempts) => TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, attempts)));
}
