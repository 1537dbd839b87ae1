using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Cases;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Mail.Outgoing;
using RabbitMQ.Client;

namespace Ncp.Tests.Infrastructure.Messaging;

/// <summary>
/// On a first installation the Api may publish before the Worker has ever run. The Worker's <c>migrate</c> declares its
/// queues and bindings, so that such messages wait for it instead of meeting an exchange with nobody listening.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class BusTopologyTests(NcpSystem ncp)
{
    [Fact]
    public async Task What_is_published_after_the_workers_migrate_and_before_its_first_start_waits_in_its_queue()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var queue = new KebabCaseEndpointNameFormatter(prefix, includeNamespace: false).Consumer<ItemRegisteredConsumer>();
        var worker = new Dictionary<string, string?>(ncp.WorkerSettings) { ["RabbitMq:Prefix"] = prefix, ["RabbitMq:DeployTopologyOnly"] = "true" };
        await using (var app = Ncp.Worker.Program.Build(NcpSystem.AsArgs(worker)))
        {
            await Ncp.Worker.Program.DeployBusTopologyAsync(app, CancellationToken.None);
        }

        // The Api's bus under the same names; nothing else of the Api runs.
        var api = new Dictionary<string, string?>(ncp.ApiSettings) { ["RabbitMq:Prefix"] = prefix };
        await using (var app = Ncp.Api.Program.Build(NcpSystem.AsArgs(api)))
        {
            var bus = app.Services.GetRequiredService<IBusControl>();
            await bus.StartAsync(TimeSpan.FromSeconds(30));
            try
            {
                await bus.Publish(new ItemRegistered(
                    Guid.CreateVersion7(), Guid.CreateVersion7(), "KZ-NCP-2026-700001", "request", "outgoing", "NL-CYBER247", "24-7", "Before the Worker",
                    "high", "officer-1", DateTimeOffset.UtcNow));
            }
            finally
            {
                await bus.StopAsync();
            }
        }

        var servers = ncp.Servers;
        var factory = new ConnectionFactory
        {
            HostName = servers.RabbitHost, Port = servers.RabbitPort, VirtualHost = servers.RabbitVirtualHost, UserName = servers.RabbitUser, Password = servers.RabbitPassword,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var waiting = await NcpSystem.EventuallyAsync(async () => (await channel.QueueDeclarePassiveAsync(queue)).MessageCount, n => n == 1);
        Assert.Equal(1u, waiting);
        await RunTopology.DeleteAsync(servers, prefix);
    }
}
