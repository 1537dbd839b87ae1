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

    /// <summary>RabbitMQ's management API (counts and letters of the error queues); the default port on the broker's host.</summary>
    public string? ManagementUrl { get; set; }

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
                $"Could not declare the queues on RabbitMQ at {rabbit.Host}:{rabbit.Port} (virtual host {rabbit.VirtualHost}): {e.Message}", e);
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
}
