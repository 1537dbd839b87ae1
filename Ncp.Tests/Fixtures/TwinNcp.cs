using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// Two Api and two Worker hosts on the run's schemas and queues, configured as for the cluster on the single-node servers:
/// each connection string and the RabbitMQ node list name a dead port first (the processes must go on to the live one),
/// and the consumer queues are quorum queues. Shows that two of each do each thing once and share what they must share.
/// </summary>
public sealed class TwinNcp : NcpSystem
{
    /// <summary>A port nothing listens on: a standby that is down, a broker node that is gone.</summary>
    public int DeadPort { get; } = LocalIssuerNcp.FreePort();

    public WebApplicationFactory<Ncp.Api.Program> Api2 { get; private set; } = null!;

    public WebApplicationFactory<Ncp.Worker.Program> Worker2 { get; private set; } = null!;

    /// <summary>The Npgsql multi-host string a cluster gives both processes: any host, the primary wanted.</summary>
    public string MultiHostPostgres
    {
        get
        {
            var live = new NpgsqlConnectionStringBuilder(Servers.Postgres);
            return new NpgsqlConnectionStringBuilder(Servers.Postgres)
            {
                Host = $"127.0.0.1:{DeadPort},{live.Host}:{live.Port}",
                TargetSessionAttributes = "primary",
            }.ConnectionString;
        }
    }

    protected override IDictionary<string, string?> SharedOverrides(IDictionary<string, string?> settings)
    {
        settings["ConnectionStrings:Postgres"] = MultiHostPostgres;
        settings["RabbitMq:Nodes"] = $"127.0.0.1:{DeadPort},{Servers.RabbitHost}:{Servers.RabbitPort}";
        settings["RabbitMq:QuorumQueues"] = "true";
        return settings;
    }

    // Small batches and short naps: both Workers claim wake-ups at the same time, as under load.
    protected override void WorkerOverrides(IDictionary<string, string?> settings)
    {
        settings["Timers:BatchSize"] = "10";
        settings["Timers:MaxSleep"] = "00:00:00.100";
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // One after the other, as the first pair: a factory takes the host built while it starts for its own.
        Api2 = Host<Ncp.Api.Program>(ApiSettings, RouteUiToTestServer);
        Api2.StartServer();
        Worker2 = Host<Ncp.Worker.Program>(WorkerSettings);
        Worker2.StartServer();
        await Task.WhenAll(BusReadyAsync(Api2.Services), BusReadyAsync(Worker2.Services));
    }

    public override async Task DisposeAsync()
    {
        await Worker2.DisposeAsync();
        await Api2.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>Hosts of their own, started in sequence: run alone, after the parallel collections (see <see cref="OwnHostsCollection"/>).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TwinCollection : ICollectionFixture<TwinNcp>
{
    public const string Name = "twins";
}
