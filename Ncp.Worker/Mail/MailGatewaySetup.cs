using Ncp.Worker.Infrastructure.Mail;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Crypto;
using Ncp.Worker.Mail.Incoming;
using Ncp.Worker.Mail.Outgoing;
using Ncp.Worker.Partners;

namespace Ncp.Worker.Mail;

public static class MailGatewaySetup
{
    /// <summary>The secure mail gateway: our keys, the partners' keys, the dispatch ledger and sender, the IMAP intake and processor.</summary>
    public static IServiceCollection AddMailGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(GatewaySettings.Section).Get<GatewaySettings>() ?? new GatewaySettings());
        services.AddSingleton(configuration.GetSection(ImapSettings.Section).Get<ImapSettings>() ?? new ImapSettings());
        services.AddSingleton<OwnKeys>();
        services.AddSingleton<PartnerBook>();
        services.AddSingleton<MailCrypto>();
        services.AddSingleton<DispatchLedger>();
        services.AddSingleton<DispatchLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<DispatchLoop>());
        services.AddSingleton<InboundStore>();
        services.AddSingleton<InboundProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundProcessor>());
        services.AddSingleton<KeyExpiryWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyExpiryWatch>());
        services.AddSingleton<ImapIntake>();
        services.AddHostedService(sp => sp.GetRequiredService<ImapIntake>());
        return services;
    }
}
