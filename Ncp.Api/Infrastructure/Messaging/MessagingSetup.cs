using Ncp.Conventions;

namespace Ncp.Api.Infrastructure.Messaging;

public static class MessagingSetup
{
    /// <summary>
    /// The Api only publishes (from the event log, see <see cref="IntegrationEventPublisher"/>); the Worker's reports
    /// (mail sent, mail received, timer due) will get their consumers here.
    /// </summary>
    public static IServiceCollection AddNcpMessaging(this IServiceCollection services, IConfiguration configuration) =>
        services.AddNcpBus(configuration, _ => { });
}
