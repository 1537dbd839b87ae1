using System.Diagnostics.Metrics;

namespace Ncp.Worker.Infrastructure.Observability;

/// <summary>
/// The Worker's counters and the lateness of its wake-ups, each counted where the thing is recorded. Static, so that the
/// place where a mail is handed over or marked sent counts it in one line and no constructor changes for it; OpenTelemetry
/// listens to a meter by its name, wherever it was made. (The backlog gauges read the database: <see cref="BacklogGauges"/>.)
/// </summary>
public static class WorkerMetrics
{
    public const string MeterName = "Ncp.Worker";

    private const string Reason = "reason";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Received =
        Meter.CreateCounter<long>("ncp.mail.received", "{mail}", "Partners' mails judged and handed to the Api");

    private static readonly Counter<long> Quarantined =
        Meter.CreateCounter<long>("ncp.mail.quarantined", "{mail}", "Inbound mails held in quarantine, by reason");

    private static readonly Counter<long> Sent =
        Meter.CreateCounter<long>("ncp.mail.sent", "{mail}", "Mails to partners taken by the SMTP server");

    private static readonly Counter<long> NotDelivered =
        Meter.CreateCounter<long>("ncp.mail.not_delivered", "{mail}", "Mails to partners given up, by reason");

    private static readonly Counter<long> LeaseLost = Meter.CreateCounter<long>(
        "ncp.mail.lease_lost", "{mail}", "Mails left to another Worker because this one's lease ran out before their turn");

    // Seconds from a tenth (the loop's usual delay) to an hour (the Worker was down): the default buckets are for milliseconds.
    private static readonly Histogram<double> Lateness = Meter.CreateHistogram(
        "ncp.timers.lateness", "s", "How long after its due time each wake-up fired", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600] });

    public static void MailReceived() => Received.Add(1);

    public static void MailQuarantined(string reason) => Quarantined.Add(1, new KeyValuePair<string, object?>(Reason, reason));

    public static void MailsSent(int count) => Sent.Add(count);

    public static void MailLeaseLost() => LeaseLost.Add(1);

    public static void MailNotDelivered(string reason) => NotDelivered.Add(1, new KeyValuePair<string, object?>(Reason, reason));

    public static void WakeUpFired(DateTimeOffset dueAt, DateTimeOffset firedAt) =>
        Lateness.Record(Math.Max(0, (firedAt - dueAt).TotalSeconds));

    /// <summary>An observable gauge on the process's meter (see <see cref="BacklogGauges"/> for why not one per host).</summary>
    public static void Gauge(string name, string unit, string description, Func<IEnumerable<Measurement<double>>> observe) =>
        Meter.CreateObservableGauge(name, observe, unit, description);
}
