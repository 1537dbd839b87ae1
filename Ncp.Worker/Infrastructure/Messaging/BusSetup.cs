using MassTransit;
using Ncp.Conventions;
using Ncp.Worker.Mail.Incoming;
using Ncp.Worker.Mail.Outgoing;
using Ncp.Worker.Partners;
using Ncp.Worker.Notifications;
using Ncp.Worker.Timers;

namespace Ncp.Worker.Infrastructure.Messaging;

public static class BusSetup
{
    /// <summary>All of the Worker's consumers, each with its definition (retry, concurrency).</summary>
    public static IServiceCollection AddNcpMessaging(this IServiceCollection services, IConfiguration configuration) =>
        services.AddNcpBus(configuration, bus =>
        {
            bus.AddConsumer<ItemRegisteredConsumer, ItemRegisteredConsumerDefinition>();
            bus.AddConsumer<WakeUpRequestedConsumer, WakeUpRequestedConsumerDefinition>();
            bus.AddConsumer<WakeUpCancelledConsumer, WakeUpCancelledConsumerDefinition>();
            bus.AddConsumer<EscalationRaisedConsumer, EscalationRaisedConsumerDefinition>();
            bus.AddConsumer<ItemAssignedConsumer, ItemAssignedConsumerDefinition>();
            bus.AddConsumer<ItemChannelSetConsumer, ItemChannelSetConsumerDefinition>();
            bus.AddConsumer<PartnerDirectoryChangedConsumer, PartnerDirectoryChangedConsumerDefinition>();
            bus.AddConsumer<PartnerKeyImportedConsumer, PartnerKeyImportedConsumerDefinition>();
            bus.AddConsumer<PartnerKeyRemovedConsumer, PartnerKeyRemovedConsumerDefinition>();
            bus.AddConsumer<PartnerMailRequestedConsumer, PartnerMailRequestedConsumerDefinition>();
            bus.AddConsumer<QuarantineDecidedConsumer, QuarantineDecidedConsumerDefinition>();
            bus.AddConsumer<PartnerMailHeldConsumer, PartnerMailHeldConsumerDefinition>();
            bus.AddConsumer<HeldMailOriginalRequestedConsumer, HeldMailOriginalRequestedConsumerDefinition>();
        });
}
