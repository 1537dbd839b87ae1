using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ncp.Api.Infrastructure.Messaging;

public sealed class RabbitMqSettings
{
    public const string Section = "RabbitMq";

    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "";

    /// <summary>Prefixes exchange and queue names, so that test runs sharing a virtual host stay apart.</summary>
    public string? Prefix { get; set; }
}

public static class MessagingSetup
{
    public static IServiceCollection AddNcpMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        var rabbit = configuration.GetSection(RabbitMqSettings.Section).Get<RabbitMqSettings>() ?? new RabbitMqSettings();

        services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(rabbit.Prefix, includeNamespace: false));
            bus.ConfigureHealthCheckOptions(h =>
            {
                h.Name = "rabbitmq";
                h.MinimalFailureStatus = HealthStatus.Unhealthy;
                h.Tags.Add("ready");
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

                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }
}
