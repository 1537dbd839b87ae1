using System.Globalization;
using Ncp.Worker.Infrastructure.Database;
using Npgsql;

namespace Ncp.Worker.Infrastructure.Observability;

/// <summary>How late is too late for each of the Worker's tables of work (<c>Health:*</c>).</summary>
public sealed class HealthSettings
{
    public const string Section = "Health";

    /// <summary>A mail stored this long ago and still not judged: the intake is not advancing past it.</summary>
    public TimeSpan InboundStallAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A mail to a partner still pending this long after it was due for an attempt.</summary>
    public TimeSpan DispatchLateAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A wake-up not fired this long after it was due.</summary>
    public TimeSpan TimersLateAfter { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// One table of work as a health check and a gauge see it: the SQL that picks what waits and when it became due (each
/// an indexed column under a partial index on the waiting predicate), and the words that say so.
/// </summary>
/// <param name="Waiting">Phrase with the count ({0}) and the time ({1}), e.g. "{0} due since {1} and not fired".</param>
/// <param name="NeverTried">Said of the oldest when no attempt was counted on it; <c>null</c> for tables without attempts.</param>
public sealed record BacklogKind(
    string Name, string Table, string DueColumn, string Predicate, string AttemptsColumn, string ErrorColumn,
    string One, string Many, string Waiting, string? NeverTried, Func<HealthSettings, TimeSpan> LateAfter)
{
    public static readonly BacklogKind InboundMail = new(
        "inbound-mail", "inbound_mail", "received_at", "status = 'new'", "attempts", "last_error",
        "mail", "mails", "{0} waiting since {1}", "the oldest was never opened", s => s.InboundStallAfter);

    public static readonly BacklogKind Dispatches = new(
        "dispatches", "dispatches", "next_attempt_at", "status = 'pending'", "attempts", "last_error",
        "mail to a partner", "mails to partners", "{0} due since {1} and not sent", "the oldest was never tried",
        s => s.DispatchLateAfter);

    public static readonly BacklogKind Timers = new(
        "timers", "timers", "due_at", "fired_at is null", "0", "null::text",
        "wake-up", "wake-ups", "{0} due since {1} and not fired", null, s => s.TimersLateAfter);

    public static readonly IReadOnlyList<BacklogKind> All = [InboundMail, Dispatches, Timers];
}

/// <summary>What waits in one table: how many are late, how many are due at all, and the oldest.</summary>
public sealed record Backlog(int Late, int Due, DateTimeOffset? Oldest, int OldestAttempts, string? OldestError)
{
    public static readonly Backlog None = new(0, 0, null, 0, null);

    public TimeSpan AgeAt(DateTimeOffset now) => Oldest is { } at && at < now ? now - at : TimeSpan.Zero;
}

/// <summary>
/// Reads how far behind the Worker's loops are, for the readiness checks and the gauges. Each read is one statement that
/// walks a partial index from its oldest entry and stops after <see cref="Cap"/> rows, so a huge backlog costs no more
/// than a large one.
/// </summary>
public sealed class Backlogs(WorkerDatabase database, HealthSettings settings, TimeProvider time)
{
    public const int Cap = 10_000;

    public TimeProvider Time => time;

    /// <summary>The schema read: the label that tells Workers of different deployments (or test runs) in one process apart.</summary>
    public string Schema => database.Schema;

    public async Task<Backlog> ReadAsync(BacklogKind kind, CancellationToken ct)
    {
        await using var command = Command(kind);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : Backlog.None;
    }

    /// <summary>The same, blocking: metric callbacks are synchronous, and Npgsql's own synchronous path beats waiting on a task.</summary>
    public Backlog Read(BacklogKind kind)
    {
        using var command = Command(kind);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : Backlog.None;
    }

    /// <summary>
    /// "3 mails waiting since 04:10 UTC; the oldest was tried 2 times, last: hand-over failed". Of the last error only
    /// the words before its first colon: our own phrase or an exception's type, never its message, which may quote a mail.
    /// </summary>
    public string Describe(BacklogKind kind, Backlog backlog)
    {
        var count = backlog.Late >= Cap ? $"{Cap} or more" : backlog.Late.ToString(CultureInfo.InvariantCulture);
        var what = string.Format(CultureInfo.InvariantCulture, kind.Waiting, $"{count} {(backlog.Late == 1 ? kind.One : kind.Many)}",
            Since(backlog.Oldest ?? time.GetUtcNow()));
        if (kind.NeverTried is null)
        {
            return what;
        }

        var attempts = backlog.OldestAttempts;
        return attempts == 0
            ? $"{what}; {kind.NeverTried}"
            : $"{what}; the oldest was tried {attempts} time{(attempts == 1 ? "" : "s")}"
                + (backlog.OldestError is { } error ? $", last: {Gist(error)}" : "");
    }

    private NpgsqlCommand Command(BacklogKind kind)
    {
        var command = database.DataSource.CreateCommand($"""
            with w as (
                select {kind.DueColumn} as due, {kind.AttemptsColumn} as attempts, {kind.ErrorColumn} as error
                from {database.Schema}.{kind.Table} where {kind.Predicate} and {kind.DueColumn} <= $1
                order by {kind.DueColumn} limit {Cap})
            select (select count(*) from w where due <= $2)::int, (select count(*) from w)::int, due, attempts, error
            from w order by due limit 1
            """);
        var now = time.GetUtcNow();
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(now - kind.LateAfter(settings));
        return command;
    }

    private static Backlog Read(NpgsqlDataReader reader) => new(
        reader.GetInt32(0), reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt32(3),
        reader.IsDBNull(4) ? null : reader.GetString(4));

    private string Since(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        var format = utc.Date == time.GetUtcNow().UtcDateTime.Date ? "HH:mm" : "yyyy-MM-dd HH:mm";
        return utc.ToString(format, CultureInfo.InvariantCulture) + " UTC";
    }

    private static string Gist(string error)
    {
        var gist = error.Split(':', 2)[0].Trim();
        return gist.Length <= 60 ? gist : gist[..60];
    }
}
