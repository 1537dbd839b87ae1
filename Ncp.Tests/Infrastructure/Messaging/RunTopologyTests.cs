using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Messaging;

/// <summary>
/// A test run's hosts declare their queues and exchanges in the shared test virtual host; the run removes them when it
/// ends, or a full suite leaves thousands and the management API (which health and the dead-letter screens read) slows down.
/// </summary>
[Collection(OwnHostsCollection.Name)]
public sealed class RunTopologyTests
{
    [Fact]
    public async Task A_systems_queues_and_exchanges_are_gone_from_the_broker_once_it_is_disposed()
    {
        var ncp = new NcpSystem();
        await ncp.InitializeAsync();
        var declared = await NamesAsync(ncp.Servers, ncp.RunId);
        await ncp.DisposeAsync();

        Assert.Contains(declared.Queues, q => q.EndsWith("-item-registered", StringComparison.Ordinal));
        Assert.NotEmpty(declared.Exchanges);
        var left = await NamesAsync(ncp.Servers, ncp.RunId);
        Assert.Empty(left.Queues);
        Assert.Empty(left.Exchanges);
    }

    private static async Task<(List<string> Queues, List<string> Exchanges)> NamesAsync(TestServers servers, string prefix)
    {
        using var http = new HttpClient { BaseAddress = new Uri(servers.RabbitManagement) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{servers.RabbitUser}:{servers.RabbitPassword}")));
        async Task<List<string>> Of(string kind)
        {
            var all = await http.GetFromJsonAsync<JsonElement>($"api/{kind}/{Uri.EscapeDataString(servers.RabbitVirtualHost)}?columns=name");
            return [.. all.EnumerateArray().Select(e => e.GetProperty("name").GetString() ?? "").Where(n => n.StartsWith(prefix, StringComparison.Ordinal))];
        }

        return (await Of("queues"), await Of("exchanges"));
    }
}
