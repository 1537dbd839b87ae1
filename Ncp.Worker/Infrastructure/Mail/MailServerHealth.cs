using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ncp.Conventions;
using Ncp.Worker.Keys;

namespace Ncp.Worker.Infrastructure.Mail;

/// <summary>
/// Opens a session with the mail server the way the gateway does (TLS, certificate check, login) and closes it. Degraded,
/// not unhealthy, when it fails: the Worker keeps its other work and the ledger keeps the mail until the server is back.
/// </summary>
public sealed class MailServerCheck(MailServerSettings server, Func<CancellationToken, Task> session) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(server.Host))
        {
            return HealthCheckResult.Healthy($"not used ({server.SettingsSection}:Host is empty)");
        }

        try
        {
            await session(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (MailTransportException e)
        {
            // The reason alone: it names what is wrong without the certificate's names or the files of this machine.
            return new HealthCheckResult(context.Registration.FailureStatus, $"{server}: {e.Reason}");
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or MailKit.ProtocolException
                                       or MailKit.CommandException or MailKit.Security.AuthenticationException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{server}: no session", e);
        }
    }
}

public static class MailServerHealth
{
    /// <summary>The checks <c>smtp</c> and <c>imap</c> of <c>/health/ready</c>.</summary>
    public static IServiceCollection AddMailServerHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .Add(Registration("smtp", sp =>
            {
                var smtp = sp.GetRequiredService<SmtpSettings>();
                return new MailServerCheck(smtp, async ct =>
                {
                    using var client = await MailServers.ConnectSmtpAsync(smtp, ct);
                    await client.DisconnectAsync(true, ct);
                });
            }))
            .Add(Registration("imap", sp =>
            {
                var imap = sp.GetRequiredService<ImapSettings>();
                var password = sp.GetRequiredService<GatewaySettings>().Password;
                return new MailServerCheck(imap, async ct =>
                {
                    using var client = await MailServers.ConnectImapAsync(imap, password, ct);
                    await client.DisconnectAsync(true, ct);
                });
            }));
        return services;
    }

    private static HealthCheckRegistration Registration(string name, Func<IServiceProvider, IHealthCheck> check) =>
        new(name, check, HealthStatus.Degraded, [HealthConventions.ReadyTag], TimeSpan.FromSeconds(5));
}
