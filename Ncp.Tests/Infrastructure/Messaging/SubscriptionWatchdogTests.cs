using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Contracts.Cases;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Messaging;

/// <summary>
/// What a PostgreSQL failover does to the integration-event subscription, on one node: the new primary never received the
/// last progression update (asynchronous replication), so the stored progression is behind the daemon's and its next update
/// stops the shard with ProgressionProgressOutOfOrderException, which Marten's coordinator never restarts.
/// A system of its own: the shared simulated one may have lived a year ahead already (SimulatedYearTests), where the
/// demo tokens its clock issues are not yet valid to the Api's real-time check.
/// </summary>
public sealed class SubscriptionWatchdogTests(SimulatedNcp ncp) : IClassFixture<SimulatedNcp>
{
    private const string Shard = IntegrationEventPublisher.SubscriptionName + ":All";

    [Fact]
    public async Task A_subscription_stopped_by_a_progression_lost_in_a_failover_says_Degraded_then_is_restarted_and_publishes_what_waited()
    {
        var worker = new ConsumeCounter();
        using var observing = ncp.Worker.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(worker);
        var duty = ncp.ClientFor("duty");
        var before = await RegisterAsync(duty);
        await ReachedWorkerAsync(worker, before);

        // The failover's lost update: the row the daemon compares with is behind what it last wrote.
        await ncp.QueryAsync<long>(
            $"update {ncp.ApiSchema}.mt_event_progression set last_seq_id = last_seq_id - 1 where name = @name returning last_seq_id",
            ("name", Shard));
        await RegisterAsync(duty);
        var daemon = await NcpSystem.EventuallyAsync(() => DaemonHealthAsync(duty), h => h.Status == "Degraded", TimeSpan.FromSeconds(60));
        var meanwhile = await RegisterAsync(duty);
        // Long enough for the daemon to have published it had it been running (it publishes within a second).
        await Task.Delay(TimeSpan.FromSeconds(3));
        var beforeTheWatchdog = worker.Count<ItemRegistered>(m => m.ItemId == meanwhile);

        ncp.Clock.Advance(SubscriptionWatchdog.Every);
        await ReachedWorkerAsync(worker, meanwhile);
        var after = await NcpSystem.EventuallyAsync(() => DaemonHealthAsync(duty), h => h.Status == "Healthy", TimeSpan.FromSeconds(60));

        Assert.Contains(Shard, daemon.Description, StringComparison.Ordinal);
        Assert.Equal(0, beforeTheWatchdog);
        Assert.Equal("Healthy", after.Status);
        Assert.True(worker.Count<ItemRegistered>(m => m.ItemId == meanwhile) >= 1);
    }

    private static async Task<Guid> RegisterAsync(HttpClient client) =>
        (await client.RegisterAsync(ItemsApi.OutgoingRequest(subject: "While the subscription is watched"))).GetProperty("id").GetGuid();

    private static Task<int> ReachedWorkerAsync(ConsumeCounter worker, Guid item) =>
        NcpSystem.EventuallyAsync(() => Task.FromResult(worker.Count<ItemRegistered>(m => m.ItemId == item)), n => n >= 1, TimeSpan.FromSeconds(60));

    private static async Task<(string Status, string Description)> DaemonHealthAsync(HttpClient client)
    {
        var check = (await client.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks").GetProperty("daemon");
        return (check.GetProperty("status").GetString()!, check.GetProperty("description").GetString() ?? "");
    }
}
