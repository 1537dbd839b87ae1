using MassTransit;
using Ncp.Conventions;

namespace Ncp.Api.Infrastructure.Messaging;

public static class MessagingSetup
{
    /// <summary>
    /// The Api publishes from the event log (see <see cref="IntegrationEventPublisher"/>) and consumes the Worker's reports:
    /// wake-ups now; mail sent and mail received with the mail gateway.
    /// </summary>
    public static IServiceCollection AddNcpMessaging(this IServiceCollection services, IConfiguration configuration) =>
        services.AddIntegrationEvents().AddNcpBus(configuration, bus =>
        {
            bus.AddConsumer<Deadlines.WakeUpDueConsumer, Deadlines.WakeUpDueConsumerDefinition>();
            bus.AddConsumer<Cases.Corresponding.PartnerMailSentConsumer, Cases.Corresponding.PartnerMailSentConsumerDefinition>();
            bus.AddConsumer<Cases.Corresponding.PartnerMailNotDeliveredConsumer, Cases.Corresponding.PartnerMailNotDeliveredConsumerDefinition>();
            bus.AddConsumer<Cases.Corresponding.PartnerMailBouncedConsumer, Cases.Corresponding.PartnerMailBouncedConsumerDefinition>();
            bus.AddConsumer<Cases.Corresponding.PartnerMailReceivedConsumer, Cases.Corresponding.PartnerMailReceivedConsumerDefinition>();
            bus.AddConsumer<Quarantine.MailQuarantinedConsumer, Quarantine.MailQuarantinedConsumerDefinition>();
            bus.AddConsumer<Cases.Linking.IdentifiersRecordedConsumer, Cases.Linking.IdentifiersRecordedConsumerDefinition>();
            // Asked of the Worker while an officer waits: a stopped Worker is told within seconds, not after HTTP's timeout.
            bus.AddRequestClient<Contracts.Mail.HeldMailOriginalRequested>(Quarantine.QuarantineEndpoints.OriginalTimeout);
            // Each instance needs its own copy of every escalation and change for the screens connected to it.
            bus.AddConsumer<Live.EscalationRaisedBroadcaster, Live.BroadcasterDefinition<Live.EscalationRaisedBroadcaster>>().Endpoint(PerInstance);
            bus.AddConsumer<Live.ChangesRecordedBroadcaster, Live.BroadcasterDefinition<Live.ChangesRecordedBroadcaster>>().Endpoint(PerInstance);
        });

    /// <summary>What each feature's events become on the bus, in this order (the order of one event's messages and so their ids).</summary>
    private static IServiceCollection AddIntegrationEvents(this IServiceCollection services) => services
        .AddSingleton<IIntegrationEvents, Cases.WorkItemIntegration>()
        .AddSingleton<IIntegrationEvents, Deadlines.DeadlineIntegration>()
        .AddSingleton<IIntegrationEvents, Quarantine.QuarantineIntegration>()
        .AddSingleton<IIntegrationEvents, Cases.Corresponding.PartnerMailRequests>()
        .AddSingleton<IIntegrationEvents, Partners.PartnerIntegration>()
        .AddSingleton<IIntegrationEvents, Cases.Chaining.PreservationIntegration>()
        .AddSingleton<IIntegrationEvents, Cases.Linking.SameIdentifiersIntegration>();

    /// <summary>A temporary queue of this instance's own.</summary>
    private static void PerInstance(IEndpointRegistrationConfigurator endpoint)
    {
        endpoint.InstanceId = Guid.NewGuid().ToString("N")[..8];
        endpoint.Temporary = true;
    }
}
