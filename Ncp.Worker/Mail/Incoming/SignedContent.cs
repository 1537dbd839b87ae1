using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ncp.Contracts.Mail;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Crypto;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// The checks of what a partner signed, beyond the signature itself: what is shown and threaded is the protected headers
/// (the outer ones that differ are named on the mail); signed content the gateway has read before, in another mail, is
/// held as <c>replayed</c>; a signing time long before the mail arrived, or after it, is named on the mail.
/// </summary>
public sealed class SignedContent(WorkerDatabase database, GatewaySettings settings)
{
    public ValueTask<Fault?> ProtectedHeadersAsync(Examination e, CancellationToken ct)
    {
        var unwrapped = e.Unwrapped!;
        if (unwrapped.Encrypted || Signed(e))
        {
            if (ProtectedHeaders.Read(e.Message!, unwrapped.Content, Signed(e)) is { } reading)
            {
                e.Shown = reading.Shown;
                e.Unwrapped = unwrapped with { Content = reading.Content };
                foreach (var (words, coded) in reading.Mismatches)
                {
                    e.Warn(words, coded);
                }
            }
        }

        return ValueTask.FromResult<Fault?>(null);
    }

    // The same signed content in the same stored mail (read again after a crash, retried, released) is that mail, not a
    // replay: the first mail to carry a digest owns it. Run before the protected headers are taken off a wrapped
    // message, so that the digest covers them too.
    public async ValueTask<Fault?> ReplayedAsync(Examination e, CancellationToken ct)
    {
        if (!Signed(e))
        {
            return null;
        }

        await using var command = database.DataSource.CreateCommand($"""
            insert into {database.Schema}.signed_content (digest, inbound_id, message_id, received_at) values ($1, $2, $3, $4)
            on conflict (digest) do update set digest = excluded.digest
            returning inbound_id, message_id, received_at
            """);
        command.Parameters.AddWithValue(Digest(e.Unwrapped!));
        command.Parameters.AddWithValue(e.Mail.Id);
        command.Parameters.AddWithValue((object?)MailText.Header(e.Message!.MessageId) ?? DBNull.Value);
        command.Parameters.AddWithValue(e.Mail.ReceivedAt);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (reader.GetGuid(0) == e.Mail.Id)
        {
            return null;
        }

        var messageId = reader.IsDBNull(1) ? "no Message-ID" : $"Message-ID <{reader.GetString(1)}>";
        var first = reader.GetFieldValue<DateTimeOffset>(2);
        var replayed = $"The same signed content arrived before, on {Stamp(first)} ({messageId}): a copy sent again, by a mail server " +
            "that delivered it twice or by someone replaying the partner's mail.";
        if (settings.Replays == ReplayHandling.Flag)
        {
            e.Warn(replayed, new MailWarning("replayed", new()
            {
                ["firstAt"] = Iso(first), ["messageId"] = reader.IsDBNull(1) ? "" : reader.GetString(1),
            }));
            return null;
        }

        return new Fault("replayed", replayed);
    }

    // Noted, not held: a partner's client that queued the mail offline, or a clock set wrong, is far likelier than an
    // attack, and an answer that is held waits for an officer while its deadline runs. A copy of mail already read is
    // held (ReplayedAsync); an old signature that never reached us before is the officer's to judge, with the dates before them.
    public ValueTask<Fault?> SigningTimeAsync(Examination e, CancellationToken ct)
    {
        var arrived = e.Mail.ReceivedAt;
        foreach (var signedAt in e.Unwrapped!.Signers.Where(s => s.SignatureValid).Select(s => s.SignedAt).OfType<DateTimeOffset>().Distinct())
        {
            var early = arrived - signedAt;
            if (early > settings.SignedLongBefore)
            {
                var days = (int)early.TotalDays;
                e.Warn($"Signed on {Stamp(signedAt)}, {days} day{(days == 1 ? "" : "s")} before it arrived ({Stamp(arrived)}): " +
                    "an old mail sent late, or sent again.", new MailWarning("signed-long-before", new()
                    {
                        ["signedAt"] = Iso(signedAt), ["arrivedAt"] = Iso(arrived), ["days"] = days.ToString(CultureInfo.InvariantCulture),
                    }));
            }
            else if (-early > settings.SigningClockSkew)
            {
                e.Warn($"Signed on {Stamp(signedAt)}, {Span(-early)} after it arrived ({Stamp(arrived)}): the signer's clock is wrong, " +
                    "or the time was set ahead.", new MailWarning("signed-after-arrival", new()
                    {
                        ["signedAt"] = Iso(signedAt), ["arrivedAt"] = Iso(arrived),
                        ["minutes"] = ((int)(-early).TotalMinutes).ToString(CultureInfo.InvariantCulture),
                    }));
            }
        }

        return ValueTask.FromResult<Fault?>(null);
    }

    /// <summary>
    /// What identifies one signing: the signers (scheme, key, signing time) and the exact bytes they signed. The same
    /// content signed at the same moment by the same key is the same signature value (RSA and EdDSA sign
    /// deterministically), so this names it in every form a signature comes in (detached, opaque, inside OpenPGP
    /// encryption, inline) without each engine having to hand its signature bytes out.
    /// </summary>
    public static byte[] Digest(Unwrapped unwrapped)
    {
        using var sha = SHA256.Create();
        using (var hashing = new CryptoStream(Stream.Null, sha, CryptoStreamMode.Write, leaveOpen: true))
        {
            foreach (var s in unwrapped.Signers.Where(s => s.SignatureValid).OrderBy(s => s.Fingerprint, StringComparer.Ordinal))
            {
                hashing.Write(Encoding.UTF8.GetBytes($"{s.Scheme}|{s.Fingerprint}|{s.SignedAt?.UtcTicks.ToString(CultureInfo.InvariantCulture)}\n"));
            }

            unwrapped.Content.WriteTo(hashing);
        }

        return sha.Hash!;
    }

    private static bool Signed(Examination e) => e.SignatureFault is null && e.Unwrapped!.Signers.Any(s => s.SignatureValid);

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Span(TimeSpan span) => span.TotalDays >= 1 ? $"{(int)span.TotalDays} day(s)"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours} hour(s)" : $"{(int)span.TotalMinutes} minutes";
}
