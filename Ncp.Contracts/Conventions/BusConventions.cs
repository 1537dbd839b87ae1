// Compiled into Ncp.Api and Ncp.Worker, not into Ncp.Contracts (which stays package-free): the two processes
// can only talk if they name exchanges and queues the same way, so this is part of the contract between them.
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ncp.Conventions;

public sealed class RabbitMqSettings
{
    public const string Section = "RabbitMq";

    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "";

    /// <summary>Prefixes exchange and queue names, so that test runs sharing a virtual host stay apart. Equal in both processes.</summary>
    public string? Prefix { get; set; }

    /// <summary>
    /// RabbitMQ's management API (counts and letters of the error queues): one URL, or several comma-separated (one per node
    /// of a cluster, asked in turn when one does not answer). Empty: the default port on each node's host.
    /// </summary>
    public string? ManagementUrl { get; set; }

    /// <summary>The management API's addresses to try, in order: <see cref="ManagementUrl"/>'s, or port 15672 of each node.</summary>
    public Uri[] ManagementUrls => string.IsNullOrWhiteSpace(ManagementUrl)
        ? [.. NodeList.Select(node => new Uri($"http://{HostOf(node)}:15672/"))]
        : [.. ManagementUrl.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u.EndsWith('/') ? u : u + "/"))];

    /// <summary>
    /// The nodes of a RabbitMQ cluster, comma-separated <c>host:port</c> (<c>10.0.0.1:5672,10.0.0.2:5672</c>): the bus connects
    /// to any of them and moves to another when its node goes. Empty: the one broker at <see cref="Host"/>:<see cref="Port"/>.
    /// </summary>
    public string? Nodes { get; set; }

    /// <summary>
    /// Declares the durable consumer queues as quorum queues (replicated across the cluster's nodes). Off by default: a queue
    /// declared classic cannot be declared again as quorum (PRECONDITION_FAILED), see docs/deployment.md for the migration.
    /// </summary>
    public bool QuorumQueues { get; set; }

    /// <summary>The cluster's nodes, or the one broker.</summary>
    public string[] NodeList => string.IsNullOrWhiteSpace(Nodes)
        ? [$"{Host}:{Port}"]
        : [.. Nodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string HostOf(string node) => node.LastIndexOf(':') is var colon and > 0 ? node[..colon] : node;

    /// <summary>Set by <c>migrate</c>: the bus declares its exchanges, queues and bindings and consumes nothing.</summary>
    public bool DeployTopologyOnly { get; set; }

    public static RabbitMqSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<RabbitMqSettings>() ?? new RabbitMqSettings();
}

public static class BusConventions
{
    /// <summary>
    /// Declares the process's queues and their bindings and returns, consuming nothing (for <c>migrate</c>): from then on
    /// what the other process publishes waits in the queues, even before this one first starts.
    /// </summary>
    public static async Task DeployTopologyAsync(IServiceProvider services, CancellationToken ct)
    {
        var rabbit = RabbitMqSettings.From(services.GetRequiredService<IConfiguration>());
        try
        {
            await services.GetRequiredService<IBusControl>().DeployAsync(ct);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"Could not declare the queues on RabbitMQ at {string.Join(", ", rabbit.NodeList)} (virtual host {rabbit.VirtualHost}): {e.Message}", e);
        }
    }

    /// <summary>
    /// MassTransit on RabbitMQ the way both processes use it: kebab-case endpoints, the optional prefix,
    /// a 3 s connect timeout, and a "rabbitmq" readiness check. <paramref name="registrations"/> adds the process's consumers.
    /// </summary>
    public static IServiceCollection AddNcpBus(
        this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> registrations)
    {
        var rabbit = RabbitMqSettings.From(configuration);
        services.AddNcpDeadLetters();
        services.AddSingleton(configuration.GetSection(ConsumerRetrySettings.Section).Get<ConsumerRetrySettings>() ?? new ConsumerRetrySettings());
        services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(rabbit.Prefix, includeNamespace: false));
            // MassTransit reports usage to its vendor over the internet by default; a police system sends nothing out.
            bus.DisableUsageTelemetry();
            registrations(bus);
            if (rabbit.QuorumQueues)
            {
                bus.AddConfigureEndpointsCallback(AsQuorumQueue);
            }

            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = "rabbitmq";
                health.MinimalFailureStatus = HealthStatus.Unhealthy;
                health.Tags.Add(HealthConventions.ReadyTag);
            });
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                    h.RequestedConnectionTimeout(TimeSpan.FromSeconds(3));
                    if (!string.IsNullOrWhiteSpace(rabbit.Nodes))
                    {
                        h.UseCluster(cluster =>
                        {
                            foreach (var node in rabbit.NodeList)
                            {
                                cluster.Node(node);
                            }
                        });
                    }
                });
                if (!string.IsNullOrEmpty(rabbit.Prefix))
                {
                    cfg.MessageTopology.SetEntityNameFormatter(
                        new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, rabbit.Prefix + "."));
                }

                cfg.DeployTopologyOnly = rabbit.DeployTopologyOnly;
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    /// <summary>
    /// A durable consumer queue becomes a quorum queue. A temporary one (an Api instance's own live-update queue, declared
    /// auto-delete and not durable before this runs) stays classic: quorum queues are always durable and never auto-delete.
    /// </summary>
    private static void AsQuorumQueue(string queueName, IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit
            && endpoint is MassTransit.RabbitMqTransport.Configuration.IRabbitMqReceiveEndpointConfiguration { Settings: { Durable: true, AutoDelete: false } })
        {
            rabbit.SetQuorumQueue();
        }
    }
}
