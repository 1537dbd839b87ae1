using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Cases;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Cluster;

/// <summary>
/// RabbitMq:QuorumQueues on (the run's own queue prefix, so no classic queue of the same name is in the way) and a node list
/// whose first node is gone: the bus reaches the live node, its consumer queues are quorum queues, messages go through.
/// </summary>
[Collection(TwinCollection.Name)]
public sealed class QuorumQueueTests(TwinNcp ncp)
{
    private sealed record Queue(string Name, string Type, bool Durable, bool AutoDelete);

    [Fact]
    public async Task The_consumer_queues_are_quorum_queues_and_each_Apis_own_live_queue_stays_a_temporary_classic_one()
    {
        var queues = await QueuesAsync();

        var durable = queues.Where(q => q.Durable && !q.AutoDelete).ToArray();
        Assert.Contains(durable, q => q.Name.EndsWith("-item-registered", StringComparison.Ordinal));
        Assert.Contains(durable, q => q.Name.EndsWith("-wake-up-due", StringComparison.Ordinal));
        Assert.All(durable, q => Assert.Equal((q.Name, "quorum"), (q.Name, q.Type)));
        // Two broadcasters in each of the two Apis (more while another test has a third Api up).
        var perInstance = queues.Where(q => q.Name.Contains("broadcaster", StringComparison.Ordinal)).ToArray();
        Assert.True(perInstance.Length >= 4, string.Join(", ", queues.Select(q => q.Name)));
        // Not durable and gone a minute after its Api (MassTransit sets x-expires on a temporary queue instead of auto-delete).
        Assert.All(perInstance, q => Assert.Equal((q.Name, "classic", false), (q.Name, q.Type, q.Durable)));
    }

    [Fact]
    public async Task A_registration_reaches_the_Worker_through_its_quorum_queue_once()
    {
        var consumed = new ConsumeCounter();
        using var one = ncp.Worker.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);
        using var two = ncp.Worker2.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);

        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest());

        var id = item.GetProperty("id").GetGuid();
        await NcpSystem.EventuallyAsync(() => Task.FromResult(consumed.Count<ItemRegistered>(m => m.ItemId == id)), n => n >= 1);
        Assert.Equal(1, consumed.Count<ItemRegistered>(m => m.ItemId == id));
    }

    /// <summary>
    /// The queues the run's hosts consume from. Listed through the consumers: the shared test vhost holds thousands of
    /// queues of earlier runs, and listing them all takes the management API minutes.
    /// </summary>
    private async Task<Queue[]> QueuesAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(ncp.Servers.RabbitManagement) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ncp.Servers.RabbitUser}:{ncp.Servers.RabbitPassword}")));
        var vhost = Uri.EscapeDataString(ncp.Servers.RabbitVirtualHost);
        var consumers = await http.GetFromJsonAsync<JsonElement>($"api/consumers/{vhost}");
        var names = consumers.EnumerateArray().Select(c => c.GetProperty("queue").GetProperty("name").GetString()!)
            .Where(name => name.StartsWith(ncp.RunId + "-", StringComparison.Ordinal))
            .Distinct();
        var queues = new List<Queue>();
        foreach (var name in names)
        {
            var q = await http.GetFromJsonAsync<JsonElement>($"api/queues/{vhost}/{Uri.EscapeDataString(name)}?columns=name,type,durable,auto_delete");
            queues.Add(new Queue(name, q.GetProperty("type").GetString()!, q.GetProperty("durable").GetBoolean(), q.GetProperty("auto_delete").GetBoolean()));
        }

        return [.. queues];
    }
}
