using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Ncp.Contracts.Partners;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Infrastructure.Hosting;
using Ncp.Worker.Notifications;

namespace Ncp.Worker.Keys;

/// <summary>
/// Looks every hour for keys and certificates, ours and the partners', that expire within 30 days, and warns the
/// administrators (or the duty desk, when none is named) once per key: a lapsed key stops the mail to that partner.
/// </summary>
public sealed class KeyExpiryWatch(
    WorkerDatabase database, OwnKeys own, NotificationSettings notifications, IBus bus, TimeProvider time, ILogger<KeyExpiryWatch> logger)
    : PollingLoop(time, logger)
{
    public static readonly TimeSpan Warning = TimeSpan.FromDays(30);

    protected override async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var expiring = new List<(string Owner, string Scheme, string Fingerprint, DateTimeOffset NotAfter)>();
        expiring.AddRange(own.Smime.Select(i => ("NCP", "smime", i.Fingerprint, (DateTimeOffset)new DateTimeOffset(i.Certificate.NotAfter, TimeSpan.Zero))));
        expiring.AddRange(own.OpenPgp.Select(i => (Owner: "NCP", Scheme: "openpgp", i.Fingerprint, NotAfter: OpenPgpKeys.ExpiresAt(i.Ring.GetPublicKey())))
            .Where(k => k.NotAfter is not null).Select(k => (k.Owner, k.Scheme, k.Fingerprint, k.NotAfter!.Value)));
        await using (var partners = database.DataSource.CreateCommand(
            $"select partner_code, scheme, fingerprint, not_after from {database.Schema}.partner_keys where removed_at is null and not_after is not null"))
        {
            await using var reader = await partners.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                expiring.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }

        foreach (var key in expiring.Where(k => k.NotAfter - now <= Warning))
        {
            await WarnOnceAsync(key.Owner, key.Scheme, key.Fingerprint, key.NotAfter, now, ct);
        }

        return TimeSpan.FromHours(1);
    }

    private async Task WarnOnceAsync(string owner, string scheme, string fingerprint, DateTimeOffset notAfter, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var claim = new Npgsql.NpgsqlCommand(
            $"insert into {database.Schema}.key_warnings (owner, fingerprint, not_after, warned_at) values ($1, $2, $3, $4) on conflict do nothing", connection, transaction))
        {
            claim.Parameters.AddWithValue(owner);
            claim.Parameters.AddWithValue(fingerprint);
            claim.Parameters.AddWithValue(notAfter);
            claim.Parameters.AddWithValue(now);
            if (await claim.ExecuteNonQueryAsync(ct) == 0)
            {
                return;
            }
        }

        var lapsed = notAfter <= now;
        var subject = $"[Ncp] {(owner == "NCP" ? "Our" : owner + "'s")} {(scheme == "smime" ? "certificate" : "OpenPGP key")} {(lapsed ? "has expired" : $"expires on {notAfter:yyyy-MM-dd}")}";
        var body = $"""
            {(owner == "NCP" ? "The NCP's own" : $"Partner {owner}'s")} {(scheme == "smime" ? "S/MIME certificate" : "OpenPGP key")} {fingerprint}
            {(lapsed ? "expired" : "expires")} on {notAfter:yyyy-MM-dd HH:mm} UTC.

            {(owner == "NCP"
                ? "Make a new key, add it to Mail:SmimeKeys / Mail:OpenPgpKeys beside the old one, and send the new certificate or public key to the partners."
                : "Ask the partner for its new certificate or key and import it (POST /api/partners/" + owner + "/keys); without a valid one, no mail to it can be sent.")}
            """;
        var recipients = notifications.People.Where(p => p.Roles.Contains("administrator")).Select(p => p.Email).DefaultIfEmpty(notifications.DutyMailbox);
        var eventId = new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"key-expiry:{owner}:{fingerprint}")));
        foreach (var recipient in recipients)
        {
            await using var notify = new Npgsql.NpgsqlCommand($"""
                insert into {database.Schema}.notifications (id, event_id, recipient, subject, body, send_after, created_at)
                values ($1, $2, $3, $4, $5, $6, $6) on conflict (event_id, recipient) do nothing
                """, connection, transaction);
            notify.Parameters.AddWithValue(Guid.CreateVersion7(now));
            notify.Parameters.AddWithValue(eventId);
            notify.Parameters.AddWithValue(recipient);
            notify.Parameters.AddWithValue(subject);
            notify.Parameters.AddWithValue(body);
            notify.Parameters.AddWithValue(now);
            await notify.ExecuteNonQueryAsync(ct);
        }

        await bus.Publish(new KeyExpiryApproaching(owner, scheme, fingerprint, notAfter, now), ct);
        await transaction.CommitAsync(ct);
        logger.LogWarning("{Owner} {Scheme} key {Fingerprint} expires {NotAfter:u}: administrators warned", owner, scheme, fingerprint, notAfter);
    }
}
