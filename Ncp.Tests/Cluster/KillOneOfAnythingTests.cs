using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ncp.Tests.Fixtures;
using Xunit.Abstractions;

namespace Ncp.Tests.Cluster;

/// <summary>
/// Issue 19's promise on the cluster of <c>./ncp up --cluster</c>: one of anything may die (kill -9) while officers
/// register items through HAProxy, and nothing acknowledged is lost. Run by <c>./ncp test --cluster</c> only.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class KillOneOfAnythingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(90);
    private readonly RunningCluster cluster = new();

    [Fact]
    public async Task An_item_registered_through_HAProxy_is_read_back_from_either_Api_instance()
    {
        using var officer = new ClusterClient(cluster.Url);
        var item = await officer.TryRegisterAsync("Registered through the front door");
        Assert.NotNull(item);

        foreach (var port in cluster.ApiPorts)
        {
            using var direct = new ClusterClient(cluster.Url, port);
            Assert.Equal(HttpStatusCode.OK, await direct.StatusOfAsync($"/api/items/{item.Value.Number}"));
        }

        await RunningCluster.EventuallyAsync(() => cluster.WorkerKnowsAsync(item.Value.Id), "the Worker took the item in");
    }

    [Fact]
    public async Task Killing_an_Api_a_Worker_a_RabbitMQ_node_and_the_PostgreSQL_primary_under_load_loses_no_acknowledged_registration()
    {
        var acknowledged = new ConcurrentBag<(Guid Id, string Number)>();
        var refused = 0;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            using var officer = new ClusterClient(cluster.Url);
            // A registration every 0.25 s: the load's pace, not a wait for anything.
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            for (var i = 0; !stop.IsCancellationRequested && await pace.WaitForNextTickAsync(); i++)
            {
                if (await officer.TryRegisterAsync($"Cluster load {i}") is { } item)
                {
                    acknowledged.Add(item);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });

        var figures = new List<string>();
        var stalled = new List<string>();
        try
        {
            // rabbit1 is the node the instances name first (RabbitMq:Host/Port): they must carry on over the other two.
            // NCP_CLUSTER_KILLS names fewer, to look at one kind alone.
            var targets = Environment.GetEnvironmentVariable("NCP_CLUSTER_KILLS") is { Length: > 0 } named
                ? named.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                : ["api1", "worker1", "rabbit1", "pg-primary"];
            foreach (var target in targets)
            {
                if (!await RecoverFromAsync(target, figures, failover: target == "pg-primary"))
                {
                    stalled.Add(target);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await load;
            var report = string.Join('\n', figures);
            output.WriteLine(report);
            await File.AppendAllTextAsync(Path.Combine(cluster.Directory, "recovery.tsv"), report + "\n");
        }

        output.WriteLine($"{acknowledged.Count} registrations acknowledged (201), {refused} not acknowledged during the kills");
        Assert.True(stalled.Count == 0, $"Work did not flow again within {RecoveryLimit.TotalSeconds:F0} s after killing {string.Join(", ", stalled)}");
        Assert.NotEmpty(acknowledged);
        using var reader = new ClusterClient(cluster.Url);
        var missing = new List<string>();
        foreach (var (_, number) in acknowledged)
        {
            if (await reader.StatusOfAsync($"/api/items/{number}") != HttpStatusCode.OK)
            {
                missing.Add(number);
            }
        }

        Assert.True(missing.Count == 0, $"Acknowledged but missing: {string.Join(", ", missing)}");
        foreach (var (id, number) in acknowledged)
        {
            await RunningCluster.EventuallyAsync(() => cluster.WorkerKnowsAsync(id), $"the Worker took {number} in");
        }
    }

    /// <summary>
    /// Kills one, and times how long until a registration made through HAProxy is acknowledged and reaches a Worker again
    /// without the killed one; then starts it again, as a supervisor would, for the next kill. False when work did not flow.
    /// </summary>
    private async Task<bool> RecoverFromAsync(string target, List<string> figures, bool failover)
    {
        var clock = Stopwatch.StartNew();
        await cluster.ScriptAsync("kill", target);
        var promoted = TimeSpan.Zero;
        if (failover)
        {
            await cluster.ScriptAsync("promote");
            promoted = clock.Elapsed;
        }

        using var probe = new ClusterClient(cluster.Url);
        (Guid Id, string Number)? probed = null;
        var flowing = await RunningCluster.HoldsWithinAsync(
                async () => (probed = await probe.TryRegisterAsync($"Probe after killing {target}")) is not null, RecoveryLimit - clock.Elapsed)
            && await RunningCluster.HoldsWithinAsync(() => cluster.WorkerKnowsAsync(probed!.Value.Id), RecoveryLimit - clock.Elapsed);

        var recovered = clock.Elapsed;
        var outcome = flowing
            ? string.Create(CultureInfo.InvariantCulture, $"work flowing again after {recovered.TotalSeconds:F1} s")
            : string.Create(CultureInfo.InvariantCulture, $"NOT flowing after {RecoveryLimit.TotalSeconds:F0} s");
        var promotion = failover ? string.Create(CultureInfo.InvariantCulture, $" (promoted {promoted.TotalSeconds:F1} s after the kill)") : "";
        var line = $"kill -9 {target}\t{outcome}{promotion}";
        figures.Add(line);
        output.WriteLine(line);

        var restart = Stopwatch.StartNew();
        await cluster.ScriptAsync("start");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {target} back (cluster.sh start) in {restart.Elapsed.TotalSeconds:F1} s"));
        return flowing;
    }
}
