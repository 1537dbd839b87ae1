extern alias api;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Tests.Fixtures;
using DeadLetterBox = api::Ncp.Conventions.DeadLetterBox;
using RabbitMqSettings = api::Ncp.Conventions.RabbitMqSettings;

namespace Ncp.Tests.Infrastructure.Messaging;

/// <summary>
/// The dead letters are read through RabbitMQ's management API; in a cluster each node has one, and one node down must not
/// leave the dead-letter screen unreadable and its health check "cannot ask". Against the real broker, with a first address
/// where nothing listens (a node that is down).
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class ManagementFallbackTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_next_management_address_is_asked_when_the_first_node_does_not_answer()
    {
        var rabbit = RabbitMqSettings.From(ncp.Api.Services.GetRequiredService<IConfiguration>());
        var down = $"http://127.0.0.1:{ClosedPort()}/";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        rabbit.ManagementUrl = $"{down}, {ncp.Servers.RabbitManagement}";
        var box = new DeadLetterBox(rabbit, http);
        var depths = await box.DepthsAsync(default);
        Assert.NotEmpty(depths);
        // Asked again, the node that answered is asked first.
        Assert.Equal(depths.Keys.Order(), (await box.DepthsAsync(default)).Keys.Order());

        rabbit.ManagementUrl = down;
        await Assert.ThrowsAsync<HttpRequestException>(() => new DeadLetterBox(rabbit, http).DepthsAsync(default));
    }

    [Fact]
    public void Without_an_address_set_each_node_of_the_cluster_is_asked_on_the_management_port()
    {
        var cluster = new RabbitMqSettings { Nodes = "mq1:5672, mq2:5672,10.0.0.3:5673" };
        Assert.Equal(["http://mq1:15672/", "http://mq2:15672/", "http://10.0.0.3:15672/"], cluster.ManagementUrls.Select(u => u.ToString()));
        Assert.Equal(["http://broker:15672/"], new RabbitMqSettings { Host = "broker" }.ManagementUrls.Select(u => u.ToString()));
        Assert.Equal(["http://a:15673/", "http://b:15673/"], new RabbitMqSettings { ManagementUrl = "http://a:15673,http://b:15673/" }.ManagementUrls.Select(u => u.ToString()));
    }

    private static int ClosedPort()
    {
        // A port the system gave and took back: nothing listens there now.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
