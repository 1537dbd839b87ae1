using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ncp.Conventions;
using Ncp.Worker.Infrastructure.Mail;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Crypto;
using Ncp.Worker.Mail.Incoming;
using Ncp.Worker.Mail.Outgoing;
using Ncp.Worker.Partners;

namespace Ncp.Worker.Mail;

public static class MailGatewaySetup
{
    private const string BouncyCastleRsaChecks = "Org.BouncyCastle.Rsa.MaxMRTests";

    /// <summary>The secure mail gateway: our keys, the partners' keys, the dispatch ledger and sender, the IMAP intake and processor.</summary>
    public static IServiceCollection AddMailGateway(this IServiceCollection services, IConfiguration configuration)
    {
        // BouncyCastle runs Miller-Rabin rounds on an RSA modulus every time it makes a key object, i.e. for every mail
        // (each partner key used to encrypt or verify): more than half of the gateway's CPU time in `./ncp bench mail`. What they
        // guard against, a crafted modulus, cannot hurt us here: a partner key is trusted only as imported through the
        // Api (by fingerprint), encrypting to a bad key only weakens its own owner's mail, and our private keys are ours.
        // The cheap structural checks stay. An operator's own setting wins.
        if (Environment.GetEnvironmentVariable(BouncyCastleRsaChecks) is null)
        {
            Environment.SetEnvironmentVariable(BouncyCastleRsaChecks, "0");
        }

        services.AddSingleton(configuration.GetSection(GatewaySettings.Section).Get<GatewaySettings>() ?? new GatewaySettings());
        services.AddSingleton(configuration.GetSection(ImapSettings.Section).Get<ImapSettings>() ?? new ImapSettings());
        services.AddSingleton(sp => new RevocationLists(sp.GetRequiredService<GatewaySettings>().RevocationLists));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            RevocationListCheck.Name, sp => new RevocationListCheck(sp.GetRequiredService<RevocationLists>(), sp.GetRequiredService<TimeProvider>()),
            HealthStatus.Degraded, [HealthConventions.ReadyTag], TimeSpan.FromSeconds(3)));
        services.AddSingleton<OwnKeys>();
        services.AddSingleton<PartnerBook>();
        services.AddSingleton<MailCrypto>();
        services.AddSingleton<DispatchLedger>();
        services.AddSingleton<DispatchLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<DispatchLoop>());
        services.AddSingleton<InboundStore>();
        services.AddSingleton<MailThreading>();
        services.AddSingleton<SignedContent>();
        services.AddSingleton<InboundProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundProcessor>());
        services.AddSingleton<KeyExpiryWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyExpiryWatch>());
        services.AddSingleton<ImapIntake>();
        services.AddHostedService(sp => sp.GetRequiredService<ImapIntake>());
        return services;
    }
}
