using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Worker.Infrastructure.Messaging;

public sealed class BrokerSettings
{
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "";

    /// <summary>Must equal the Api's <c>RabbitMq:Prefix</c>: both name exchanges and queues with it.</summary>
    public string? Prefix { get; set; }
}

public static class BusSetup
{
    /// <summary>All of the Worker's bus set-up: its consumers, their endpoints and the broker connection.</summary>
    public static IServiceCollection AddNcpMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        var broker = configuration.GetSection("RabbitMq").Get<BrokerSettings>() ?? new BrokerSettings();
        services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(broker.Prefix, includeNamespace: false));
            bus.AddConsumer<OutgoingRequestRegisteredConsumer, OutgoingRequestRegisteredConsumerDefinition>();
            bus.ConfigureHealthCheckOptions(h =>
            {
                h.Name = "rabbitmq";
                h.MinimalFailureStatus = HealthStatus.Unhealthy;
                h.Tags.Add("ready");
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker.Host, broker.Port, broker.VirtualHost, h =>
                {
                    h.Username(broker.Username);
                    h.Password(broker.Password);
                    h.RequestedConnectionTimeout(TimeSpan.FromSeconds(3));
                });
                if (!string.IsNullOrEmpty(broker.Prefix))
                {
                    rabbit.MessageTopology.SetEntityNameFormatter(
                        new PrefixEntityNameFormatter(rabbit.MessageTopology.EntityNameFormatter, broker.Prefix + "."));
                }

                rabbit.ConfigureEndpoints(context);
            });
        });
        return services;
    }
}
