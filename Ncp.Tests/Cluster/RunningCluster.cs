using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Infrastructure.Mail;
using Npgsql;

namespace Ncp.Tests.Cluster;

/// <summary>
/// The cluster <c>./ncp up --cluster</c> started (infra/cluster/): its settings from <c>cluster.env</c>, its front door
/// (HAProxy), and its script, through which the tests kill one of a kind and start again what is missing.
/// </summary>
public sealed class RunningCluster
{
    public RunningCluster()
    {
        var dir = Environment.GetEnvironmentVariable("NCP_CLUSTER_DIR") is { Length: > 0 } set
            ? set
            : Path.Combine(TestServers.RepositoryRoot, ".data", "cluster");
        var file = Path.Combine(dir, "cluster.env");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{file} is missing: start the cluster with ./ncp up --cluster (./ncp test --cluster does).");
        }

        var values = File.ReadAllLines(file)
            .Select(l => l.StartsWith("export ", StringComparison.Ordinal) ? l[7..] : l)
            .Where(l => !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('\'', '"'));
        Directory = dir;
        Settings = values;
        Url = new Uri(values["NCP_CLUSTER_URL"]);
        Postgres = values["ConnectionStrings__Postgres"];
        ApiPorts = values["NCP_CLUSTER_API_PORTS"].Split(' ', '\\').Where(p => p.Length > 0).Select(int.Parse).ToArray();
    }

    public string Directory { get; }

    /// <summary>HAProxy: where officers and clients reach the Api instances.</summary>
    public Uri Url { get; }

    /// <summary>Both PostgreSQL nodes, primary wanted: the connection string the instances use.</summary>
    public string Postgres { get; }

    public int[] ApiPorts { get; }

    /// <summary>Every setting of <c>cluster.env</c>, as the instances get them (Smtp__Host, Imap__Port, Mail__Password...).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>A mailbox on the cluster's own IMAP server (Dovecot), reached the way the Worker reaches its own.</summary>
    public ImapSettings ImapAs(string login) => new()
    {
        Host = Settings["Imap__Host"], Port = int.Parse(Settings["Imap__Port"], CultureInfo.InvariantCulture), Username = login,
        Password = Settings["Mail__Password"], TrustedCaFile = Settings["Imap__TrustedCaFile"],
    };

    /// <summary>Runs <c>infra/cluster/cluster.sh</c> with the arguments; its output is returned, a failure throws with it.</summary>
    public async Task<string> ScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(TestServers.RepositoryRoot, "infra", "cluster", "cluster.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["NCP_CLUSTER_DIR"] = Directory },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await error;
        Assert.True(process.ExitCode == 0, $"cluster.sh {string.Join(' ', arguments)} exited {process.ExitCode}: {text}");
        return text;
    }

    public async Task<T?> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)Convert.ChangeType(result, typeof(T), CultureInfo.InvariantCulture);
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what) =>
        Assert.True(await HoldsWithinAsync(condition, TimeSpan.FromSeconds(90)), $"Not within 90 s: {what}");

    /// <summary>The suite's one polling loop (<see cref="NcpSystem.EventuallyAsync"/>), answering false at the deadline.</summary>
    public static async Task<bool> HoldsWithinAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        try
        {
            return await NcpSystem.EventuallyAsync(condition, holds => holds, within);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Whether the Worker has taken the item in: it went Api → event log → RabbitMQ → a Worker → PostgreSQL.</summary>
    public async Task<bool> WorkerKnowsAsync(Guid itemId)
    {
        try
        {
            return await QueryAsync<long>("select count(*) from worker.items where item_id = @id", ("id", itemId)) == 1;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}

/// <summary>
/// A client of the cluster as a browser is one: it keeps HAProxy's cookie (so it stays on one Api instance) and signs in
/// again when an instance answers 401 (a demo token is signed by the instance that issued it, so one that took over from a
/// dead instance does not know it).
/// </summary>
public sealed class ClusterClient : IDisposable
{
    private readonly HttpClient http;
    private readonly string user;
    private string? token;

    /// <param name="user">The demo user signed in as (<c>duty</c>, <c>admin</c>...).</param>
    public ClusterClient(Uri url, int? port = null, string user = "duty")
    {
        this.user = user;
        http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true })
        {
            BaseAddress = port is { } p ? new UriBuilder(url) { Port = p }.Uri : url,
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    /// <summary>Registers an outgoing request; the item's id and number when the answer was 201, null otherwise.</summary>
    public async Task<(Guid Id, string Number)?> TryRegisterAsync(string subject)
    {
        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "/api/items")
            {
                Content = JsonContent.Create(ItemsApi.OutgoingRequest(subject: subject)),
            });
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return null;
            }

            var item = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return (item.GetProperty("id").GetGuid(), item.Number());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Sends <paramref name="body"/> as JSON (none: a GET) and reads the answer; null when no instance answered in time,
    /// as happens while one is being killed.
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)?> TrySendAsync(string url, object? body = null)
    {
        try
        {
            using var response = await SendAsync(() => body is null
                ? new HttpRequestMessage(HttpMethod.Get, url)
                : new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) });
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    public async Task<HttpStatusCode> StatusOfAsync(string url)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url));
        return response.StatusCode;
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request)
    {
        for (var attempt = 0; ; attempt++)
        {
            token ??= await SignInAsync();
            using var message = request();
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await http.SendAsync(message);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0)
            {
                return response;
            }

            response.Dispose();
            token = null;
        }
    }

    private async Task<string> SignInAsync()
    {
        using var response = await http.PostAsJsonAsync("/dev/sign-in", new JsonObject { ["user"] = user });
        // While no instance is ready HAProxy answers 503: a refusal like any other, tried again by the caller.
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"sign-in answered {(int)response.StatusCode}", null, response.StatusCode);
        }

        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Str("accessToken");
    }

    public void Dispose() => http.Dispose();
}
