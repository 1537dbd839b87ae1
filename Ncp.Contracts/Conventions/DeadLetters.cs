// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): both processes see the same error queues, count them for
// their health and metrics, and move them back the same way.
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Ncp.Conventions;

/// <summary>An error queue (a consumer's endpoint name with <c>_error</c>) holding messages that faulted after every retry.</summary>
public sealed record DeadLetterQueue(string Queue, string Endpoint, long Messages);

/// <summary>One dead letter as MassTransit left it: which message, which consumer, why, when.</summary>
public sealed record DeadLetter(
    string Queue, string? MessageId, string? MessageType, string? Consumer, string? ExceptionType, string? Reason, DateTimeOffset? FaultedAt);

/// <summary>
/// The error queues of this deployment (the RabbitMQ virtual host, and the name prefix when one is set), read through
/// RabbitMQ's management API (counts, a look at the letters without taking them) and moved back to their endpoints over
/// AMQP with publisher confirms: a letter is taken off the error queue only once the broker holds it again.
/// </summary>
public sealed class DeadLetterBox(RabbitMqSettings rabbit, HttpClient http)
{
    private const string ErrorSuffix = "_error";

    // The most the management API gives in one page.
    private const int PageSize = 500;

    private string Vhost => Uri.EscapeDataString(rabbit.VirtualHost);

    /// <summary>The deployment's queue name prefix ("" when none).</summary>
    public string Prefix => rabbit.Prefix ?? "";

    /// <summary>Error queues that hold letters, largest first.</summary>
    public async Task<IReadOnlyList<DeadLetterQueue>> QueuesAsync(CancellationToken ct) => ErrorQueues(await DepthsAsync(ct));

    /// <summary>Every queue of this deployment with the messages waiting in it (the error queues among them).</summary>
    public async Task<IReadOnlyDictionary<string, long>> DepthsAsync(CancellationToken ct)
    {
        var queues = new List<(string Name, long Messages)>();
        // The broker filters by name, a page at a time: a virtual host shared with other deployments (or test runs) may hold
        // thousands of queues, and listing them all every 15 s made the management API slow for everyone.
        var filter = string.IsNullOrEmpty(rabbit.Prefix) ? "" : $"&name={Uri.EscapeDataString("^" + Regex.Escape(rabbit.Prefix + "-"))}&use_regex=true";
        for (int page = 1, pages = 1; page <= pages; page++)
        {
            var path = $"api/queues/{Vhost}?page={page}&page_size={PageSize}&columns=name,messages{filter}";
            using var response = await SendAsync(() => Request(HttpMethod.Get, path), ct);
            response.EnsureSuccessStatusCode();
            var listing = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            pages = listing.GetProperty("page_count").GetInt32();
            queues.AddRange(listing.GetProperty("items").EnumerateArray().Select(q => (
                Name: q.GetProperty("name").GetString() ?? "",
                Messages: q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0)));
        }

        return queues
            .Where(q => string.IsNullOrEmpty(rabbit.Prefix) || q.Name.StartsWith(rabbit.Prefix + "-", StringComparison.Ordinal))
            // The management API may list a queue twice while it is deleted and declared again (tests' hosts do it).
            .GroupBy(q => q.Name)
            .ToDictionary(g => g.Key, g => g.Max(q => q.Messages));
    }

    public static IReadOnlyList<DeadLetterQueue> ErrorQueues(IReadOnlyDictionary<string, long> depths) =>
        [.. depths.Where(q => q.Value > 0 && q.Key.EndsWith(ErrorSuffix, StringComparison.Ordinal))
            .Select(q => new DeadLetterQueue(q.Key, q.Key[..^ErrorSuffix.Length], q.Value))
            .OrderByDescending(q => q.Messages)];

    /// <summary>Whether <paramref name="queue"/> is an error queue of this deployment.</summary>
    public bool IsOurs(string queue) =>
        queue.EndsWith(ErrorSuffix, StringComparison.Ordinal)
        && (string.IsNullOrEmpty(rabbit.Prefix) || queue.StartsWith(rabbit.Prefix + "-", StringComparison.Ordinal));

    /// <summary>Up to <paramref name="max"/> letters of one queue, looked at and left in place (requeued by the broker).</summary>
    public async Task<IReadOnlyList<DeadLetter>> PeekAsync(string queue, int max, CancellationToken ct)
    {
        using var response = await SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, $"api/queues/{Vhost}/{Uri.EscapeDataString(queue)}/get");
            request.Content = JsonContent.Create(new { count = max, ackmode = "ack_requeue_true", encoding = "auto", truncate = 1 });
            return request;
        }, ct);
        response.EnsureSuccessStatusCode();
        var letters = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return [.. letters.EnumerateArray().Select(l => Letter(queue, l.GetProperty("properties")))];
    }

    private static DeadLetter Letter(string queue, JsonElement properties)
    {
        var headers = properties.TryGetProperty("headers", out var h) ? h : default;
        string? Header(string name) => headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(name, out var v) ? v.ToString() : null;
        return new DeadLetter(
            queue, properties.TryGetProperty("message_id", out var id) ? id.GetString() : null, Header("MT-Fault-MessageType"), Header("MT-Fault-ConsumerType"),
            Header("MT-Fault-ExceptionType"), Header("MT-Fault-Message"),
            DateTimeOffset.TryParse(Header("MT-Fault-Timestamp"), System.Globalization.CultureInfo.InvariantCulture, out var at) ? at : null);
    }

    /// <summary>
    /// Moves the letters now in <paramref name="queue"/> back to the endpoint they faulted in, once each: a letter that
    /// faults again lands behind them and is not moved twice by this call. Consumers are idempotent, so a letter moved
    /// twice after a crash in between does no harm.
    /// </summary>
    /// <returns>How many were moved.</returns>
    public async Task<int> RedriveAsync(string queue, CancellationToken ct)
    {
        if (!IsOurs(queue))
        {
            throw new ArgumentException($"{queue} is not an error queue of this deployment.", nameof(queue));
        }

        var factory = new ConnectionFactory
        {
            HostName = rabbit.Host, Port = rabbit.Port, VirtualHost = rabbit.VirtualHost, UserName = rabbit.Username, Password = rabbit.Password,
            ClientProvidedName = "ncp-redrive",
        };
        // Any node of a cluster will do; the one broker otherwise.
        await using var connection = await factory.CreateConnectionAsync(rabbit.NodeList.Select(AmqpTcpEndpoint.Parse).ToList(), ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var endpoint = queue[..^ErrorSuffix.Length];
        var moved = 0;
        long left = 1;
        while (left > 0 && await channel.BasicGetAsync(queue, autoAck: false, ct) is { } letter)
        {
            left = moved == 0 ? letter.MessageCount : left - 1;
            var properties = new BasicProperties(letter.BasicProperties);
            if (properties.Headers is { } headers)
            {
                // The fault's own headers would follow the letter into its next life and mislead whoever reads a new fault.
                foreach (var key in headers.Keys.Where(k => k.StartsWith("MT-Fault-", StringComparison.Ordinal) || k == "MT-Reason").ToList())
                {
                    headers.Remove(key);
                }

                headers["NCP-Redriven-At"] = Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O"));
            }

            await channel.BasicPublishAsync("", endpoint, mandatory: true, properties, letter.Body, ct);
            await channel.BasicAckAsync(letter.DeliveryTag, multiple: false, ct);
            moved++;
        }

        return moved;
    }

    /// <summary>
    /// Sends to the management API of the node that answered last, and to the next one when it does not answer (a node of
    /// the cluster down must not make the dead letters unreadable, nor their health "cannot ask"); an answer with an error
    /// status is the broker's word and is not asked elsewhere.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, CancellationToken ct)
    {
        var urls = rabbit.ManagementUrls;
        var first = answering;
        for (var i = 0; ; i++)
        {
            var at = (first + i) % urls.Length;
            using var request = make();
            request.RequestUri = new Uri(urls[at], request.RequestUri!);
            try
            {
                var response = await http.SendAsync(request, ct);
                answering = at;
                return response;
            }
            catch (HttpRequestException) when (i < urls.Length - 1)
            {
            }
            catch (TaskCanceledException) when (i < urls.Length - 1 && !ct.IsCancellationRequested)
            {
                // The client's own timeout: the node is there but does not answer.
            }
        }
    }

    // The management API that answered last: asked first next time.
    private int answering;

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rabbit.Username}:{rabbit.Password}")));
        return request;
    }
}

/// <summary>
/// Counts the error queues every <see cref="Every"/> and keeps what it saw, for the health check, the metrics and the
/// screens, so that none of them asks the broker on its own; a broker it cannot ask is reported as such, not as zero.
/// </summary>
public sealed class DeadLetterWatch : BackgroundService, IHealthCheck
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    private readonly TaskCompletionSource firstLook = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // One meter for the process, each live watch a series: OpenTelemetry listens to every meter of a name in the process,
    // so instruments made per host would clash when two hosts share one (the tests' in-memory hosts).
    private static readonly Meter Meter = new(TelemetryConventions.MeterPrefix + "Bus");
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<DeadLetterWatch, byte> Live = new();

    private readonly DeadLetterBox box;
    private readonly ILogger<DeadLetterWatch> logger;
    private IReadOnlyDictionary<string, long> depths = new Dictionary<string, long>();

    static DeadLetterWatch()
    {
        // As of the last look (every 15 s); nothing when the broker could not be asked, rather than a stale or a false zero.
        Meter.CreateObservableGauge(
            "ncp.dead_letters",
            () => Live.Keys.Where(w => w.Queues is not null).Select(w => new Measurement<long>(w.Total, new KeyValuePair<string, object?>("prefix", w.box.Prefix))),
            "{message}", "Messages that faulted after every retry, waiting in error queues");
        Meter.CreateObservableGauge(
            "ncp.queue.depth",
            () => Live.Keys.Where(w => w.Queues is not null)
                .SelectMany(w => w.depths.Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key)))),
            "{message}", "Messages waiting in each queue of the deployment");
    }

    public DeadLetterWatch(DeadLetterBox box, ILogger<DeadLetterWatch> logger)
    {
        (this.box, this.logger) = (box, logger);
        Live[this] = 0;
    }

    /// <summary>The queues seen last, or <c>null</c> when the broker's management API could not be asked.</summary>
    public IReadOnlyList<DeadLetterQueue>? Queues { get; private set; } = [];

    public string? Error { get; private set; }

    public long Total => Queues?.Sum(q => q.Messages) ?? 0;

    /// <summary>Looks now (after a redrive, say) instead of at the next tick.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        try
        {
            depths = await box.DepthsAsync(ct);
            Queues = DeadLetterBox.ErrorQueues(depths);
            Error = null;
        }
        // Counting is a look, not a duty: whatever goes wrong is said in health and the next tick tries again; a throw here
        // would stop the whole host (a listing with a queue twice once did).
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Could not count the error queues: {Error}", e.Message);
            (Queues, Error) = (null, e.Message);
        }

        firstLook.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        do
        {
            await RefreshAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        Live.TryRemove(this, out _);
        base.Dispose();
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await firstLook.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        return Queues switch
        {
            null => HealthCheckResult.Degraded("The broker's management API does not answer, so dead letters cannot be counted."),
            [] => HealthCheckResult.Healthy("No dead letters."),
            var queues => HealthCheckResult.Degraded(
                $"{Total} dead letter(s): {string.Join(", ", queues.Take(5).Select(q => $"{q.Endpoint} ({q.Messages})"))}. " +
                "Read them at /api/dead-letters (administrators) and move them back with ./ncp redrive once the cause is fixed."),
        };
    }
}

public static class DeadLetterSetup
{
    /// <summary>The dead-letter box and watch, and the "dead-letters" readiness check (Degraded, never Unhealthy: the process still works).</summary>
    public static IServiceCollection AddNcpDeadLetters(this IServiceCollection services)
    {
        services.AddHttpClient<DeadLetterBox>(http => http.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton(sp => RabbitMqSettings.From(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
        services.AddSingleton<DeadLetterWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadLetterWatch>());
        services.AddHealthChecks().AddCheck<DeadLetterWatch>("dead-letters", HealthStatus.Degraded, [HealthConventions.ReadyTag]);
        return services;
    }
}
