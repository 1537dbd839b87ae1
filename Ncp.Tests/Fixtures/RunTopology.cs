using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// The queues and exchanges a test run declared in the shared test virtual host (every name starts with the run's prefix),
/// deleted when the run ends. Left behind, a full suite leaves thousands: the management API then answers every listing
/// slowly, and the tests that count error queues through it timed out.
/// </summary>
public static class RunTopology
{
    public static async Task DeleteAsync(TestServers servers, string prefix)
    {
        try
        {
            await DeleteNamedAsync(servers, prefix);
        }
        // Tidying is not what a test checks: a broker that is gone (a cluster test killed it) leaves the names behind, harmlessly.
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"The queues of run {prefix} were not deleted: {e.Message}");
        }
    }

    private static async Task DeleteNamedAsync(TestServers servers, string prefix)
    {
        using var http = new HttpClient { BaseAddress = new Uri(servers.RabbitManagement), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{servers.RabbitUser}:{servers.RabbitPassword}")));
        var vhost = Uri.EscapeDataString(servers.RabbitVirtualHost);
        foreach (var kind in new[] { "queues", "exchanges" })
        {
            foreach (var name in await NamesAsync(http, $"api/{kind}/{vhost}", prefix))
            {
                // Gone already (auto-delete, or a host that removed its own) is as good as deleted.
                using var _ = await http.DeleteAsync($"api/{kind}/{vhost}/{Uri.EscapeDataString(name)}");
            }
        }
    }

    private static async Task<List<string>> NamesAsync(HttpClient http, string path, string prefix)
    {
        var names = new List<string>();
        // Queues are named "<prefix>-endpoint", MassTransit's message-type exchanges "<prefix>.Namespace:Type".
        var filter = Uri.EscapeDataString($"^{prefix}[-.]");
        for (int page = 1, pages = 1; page <= pages; page++)
        {
            var listing = await http.GetFromJsonAsync<JsonElement>($"{path}?page={page}&page_size=500&columns=name&name={filter}&use_regex=true");
            pages = listing.GetProperty("page_count").GetInt32();
            names.AddRange(listing.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("name").GetString() ?? "")
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
        }

        return names;
    }
}
