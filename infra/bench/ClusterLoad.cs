// The load of ./ncp bench cluster (infra/bench/cluster.sh), run as a .NET file-based app: `dotnet run ClusterLoad.cs -- ...`.
// Officers as browsers are: each its own HTTP client keeping HAProxy's cookie, so it stays on the Api instance it first
// reached (a demo token is signed by the instance that issued it), each registering an outgoing request and sending it
// to the partner, one after the other, as fast as the cluster answers. curl in a loop costs more CPU than the Api it
// measures, and hey cannot chain a registration to its send.
//
//   partner URL CODE ADDRESS CERTIFICATE.pem CA.pem   the bench's partner (S/MIME) through the Api, as an administrator
//                                                      would enter it; nothing is done when it exists already
//   load URL PARTNER OFFICERS WARM-UP-S SECONDS        prints one line: start end registered failed p50 p95 sent
//                                                      send-failed send-p50 send-p95 cpu (times in ms, start/end in
//                                                      Unix s, cpu: its own in the window),
//                                                      and "measuring", "measured" on standard error when the window
//                                                      opens and closes
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return args switch
{
    ["partner", var url, var code, var address, var certificate, var ca] => await Bench.PartnerAsync(new Uri(url), code, address,
        await File.ReadAllTextAsync(certificate), await File.ReadAllTextAsync(ca)),
    ["load", var url, var partner, var officers, var warmUp, var seconds] => await Bench.LoadAsync(new Uri(url), partner,
        int.Parse(officers, CultureInfo.InvariantCulture), TimeSpan.FromSeconds(int.Parse(warmUp, CultureInfo.InvariantCulture)),
        TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture))),
    _ => Bench.Usage(),
};

internal static class Bench
{
    public static int Usage()
    {
        Console.Error.WriteLine(
            "usage: ClusterLoad.cs partner URL CODE ADDRESS CERTIFICATE.pem CA.pem | load URL PARTNER OFFICERS WARM-UP-S SECONDS");
        return 2;
    }

    public static async Task<int> PartnerAsync(Uri url, string code, string address, string certificate, string ca)
    {
        using var admin = new Officer(url, "admin");
        var entry = new JsonObject
        {
            ["code"] = code, ["name"] = "Cluster bench partner", ["country"] = "NO", ["channels"] = new JsonArray("24-7"),
            ["addresses"] = new JsonArray(address), ["languages"] = new JsonArray("en"), ["timeZone"] = "Europe/Oslo",
            ["officeHours"] = new JsonObject
            {
                ["from"] = "08:00", ["to"] = "16:00", ["days"] = new JsonArray("mon", "tue", "wed", "thu", "fri"),
            },
            ["retentionDays"] = new JsonObject { ["subscriber-data"] = 365, ["traffic-data"] = 90, ["content-data"] = 30 },
            ["preservationDays"] = 60, ["encryption"] = "smime", ["fallbackChannel"] = "interpol", ["trustAnchors"] = new JsonArray(ca),
        };
        if (await admin.SendAsync(HttpMethod.Get, $"/api/partners/{code}") is (HttpStatusCode.OK, _))
        {
            return 0;
        }

        var (created, _) = await admin.PostAsync("/api/partners", entry);
        var (imported, _) = created == HttpStatusCode.Created
            ? await admin.PostAsync($"/api/partners/{code}/keys", new JsonObject { ["scheme"] = "smime", ["certificate"] = certificate }, 1)
            : (created, null);
        Console.Error.WriteLine($"partner {code}: entered {(int)created}, key {(int)imported}");
        return (int)imported is >= 200 and < 300 ? 0 : 1;
    }

    public static async Task<int> LoadAsync(Uri url, string partner, int officers, TimeSpan warmUp, TimeSpan measured)
    {
        var clock = Stopwatch.StartNew();
        var from = warmUp;
        var to = warmUp + measured;
        var registrations = new Tally();
        var sends = new Tally();
        var run = Enumerable.Range(1, officers).Select(n => Task.Run(async () =>
        {
            using var officer = new Officer(url, "duty");
            for (var i = 0; clock.Elapsed < to; i++)
            {
                var subject = string.Create(CultureInfo.InvariantCulture, $"Cluster bench, officer {n}, item {i}");
                var started = clock.Elapsed;
                var (status, item) = await officer.PostAsync("/api/items", Request(partner, subject));
                registrations.Add(started, clock.Elapsed, from, to, status == HttpStatusCode.Created);
                if (status != HttpStatusCode.Created || item?["registerNumber"]?.GetValue<string>() is not { } number)
                {
                    continue;
                }

                started = clock.Elapsed;
                (status, _) = await officer.PostAsync($"/api/items/{number}/send", new JsonObject());
                sends.Add(started, clock.Elapsed, from, to, status == HttpStatusCode.OK);
            }
        })).ToArray();
        var began = DateTimeOffset.UtcNow - clock.Elapsed;
        // The bench reads each process's CPU time at these two marks.
        await Task.Delay(Until(from));
        await Console.Error.WriteLineAsync("measuring");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(Until(to));
        await Console.Error.WriteLineAsync("measured");
        // Its own CPU in the window, which the bench cannot read once it has ended: the load's share of the two cores.
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        await Task.WhenAll(run);
        var (registered, failed, p50, p95) = registrations.Figures();
        var (sent, sendFailed, sendP50, sendP95) = sends.Figures();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(began + from).ToUnixTimeMilliseconds() / 1000.0:F3} {(began + to).ToUnixTimeMilliseconds() / 1000.0:F3} "
            + $"{registered} {failed} {p50:F1} {p95:F1} {sent} {sendFailed} {sendP50:F1} {sendP95:F1} {cpu.TotalMilliseconds:F0}"));
        return 0;
        TimeSpan Until(TimeSpan moment) => moment > clock.Elapsed ? moment - clock.Elapsed : TimeSpan.Zero;
    }

    private static JsonObject Request(string partner, string subject) => new()
    {
        ["kind"] = "request", ["partnerCode"] = partner, ["subject"] = subject, ["crimeCategory"] = "internet-fraud",
        ["priority"] = "urgent", ["criminalCaseNumber"] = "261500031000123", ["requestedData"] = new JsonArray("subscriber-data"),
        ["dataPeriod"] = new JsonObject { ["from"] = "2026-10-01", ["to"] = "2026-10-31" },
    };
}

/// <summary>Requests that ended inside the measured window: how many answered as hoped, how many not, and their times.</summary>
internal sealed class Tally
{
    private readonly List<double> times = [];
    private int failed;

    public void Add(TimeSpan started, TimeSpan ended, TimeSpan from, TimeSpan to, bool succeeded)
    {
        // A request counts in the window it ended in: started in the warm-up it still took the measured cluster's time.
        if (ended < from || ended > to)
        {
            return;
        }

        lock (times)
        {
            if (succeeded)
            {
                times.Add((ended - started).TotalMilliseconds);
            }
            else
            {
                failed++;
            }
        }
    }

    public (int Succeeded, int Failed, double P50, double P95) Figures()
    {
        times.Sort();
        return (times.Count, failed, At(0.50), At(0.95));
        double At(double share) => times.Count == 0 ? 0 : times[Math.Min(times.Count - 1, (int)(times.Count * share))];
    }
}

/// <summary>
/// One officer as a browser is one: HAProxy's cookie kept, a demo token from the instance the cookie leads to, signed in
/// again when an instance answers 401. A request that failed to connect or timed out answers 0.
/// </summary>
internal sealed class Officer(Uri url, string user) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true })
    {
        BaseAddress = url,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private string? token;

    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, JsonObject body, long? ifMatch = null) =>
        SendAsync(HttpMethod.Post, path, body, ifMatch);

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(
        HttpMethod method, string path, JsonObject? body = null, long? ifMatch = null)
    {
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                token ??= await SignInAsync();
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (ifMatch is { } version)
                {
                    request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
                }

                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    token = null;
                    continue;
                }

                var text = await response.Content.ReadAsStringAsync();
                return (response.StatusCode, response.IsSuccessStatusCode && text.Length > 0 ? JsonNode.Parse(text) : null);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, null);
        }
    }

    private async Task<string> SignInAsync()
    {
        using var response = await http.PostAsync("/dev/sign-in", Json(new JsonObject { ["user"] = user }));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }

    // As text: a file-based app is compiled for native AOT, where JsonContent.Create's reflection is refused.
    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    public void Dispose() => http.Dispose();
}
