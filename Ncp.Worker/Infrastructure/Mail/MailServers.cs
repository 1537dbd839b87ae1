using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Ncp.Worker.Infrastructure.Mail;

/// <summary>How a session with a mail server is protected.</summary>
public enum MailTransportSecurity
{
    /// <summary>Implicit TLS on the ports made for it (465, 993), STARTTLS on any other; never without TLS.</summary>
    Auto,

    /// <summary>STARTTLS, required: a server that does not offer it is refused.</summary>
    StartTls,

    /// <summary>TLS from the first byte.</summary>
    Implicit,

    /// <summary>No TLS, allowed only when the host is this machine (a relay on loopback); refused for any other host.</summary>
    PlainOnLoopback,
}

/// <summary>Where a mail server is and how the Worker trusts it (<c>Smtp:*</c>, <c>Imap:*</c>).</summary>
public abstract class MailServerSettings
{
    /// <summary>Empty: this server is not used (no mail leaves, or none is read).</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; }

    public string? Password { get; set; }

    public MailTransportSecurity Security { get; set; } = MailTransportSecurity.Auto;

    /// <summary>
    /// A PEM file of the CA certificates that may issue the server's certificate, trusted instead of the system's roots
    /// (the development CA of <c>infra/keys.sh</c>, a unit's own CA). Empty: the system's trust store.
    /// </summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>The configuration section these settings come from, to name them in errors.</summary>
    public abstract string SettingsSection { get; }

    public override string ToString() => $"{SettingsSection} server {Host}:{Port}";
}

public sealed class SmtpSettings : MailServerSettings
{
    public const string Section = "Smtp";

    public SmtpSettings() => Port = 2525;

    public override string SettingsSection => Section;

    public string? Username { get; set; }
}

public sealed class ImapSettings : MailServerSettings
{
    public const string Section = "Imap";

    public ImapSettings() => Port = 10143;

    public override string SettingsSection => Section;

    /// <summary>The gateway's mailbox login; its password comes from <c>Mail:Password</c> unless set here.</summary>
    public string Username { get; set; } = "ncp@ncp.example";

    /// <summary>The folder partners' mail arrives in.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>The folder a copy of every mail sent goes to.</summary>
    public string SentFolder { get; set; } = "Sent";

    /// <summary>How often to look when the server offers no IDLE, and the longest IDLE before it is renewed.</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Use IDLE where the server offers it; off: poll every <see cref="PollEvery"/> (for a server whose IDLE misbehaves).</summary>
    public bool Idle { get; set; } = true;
}

/// <summary>
/// A mail server the Worker will not talk to: no TLS offered, a certificate it does not trust, a setting not allowed.
/// <see cref="Reason"/> is short and safe to show anyone (health); the message adds what an operator needs to fix it.
/// </summary>
public sealed class MailTransportException(MailServerSettings server, string reason, string detail, Exception? inner = null)
    : Exception($"{server} refused: {reason}{detail}", inner)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// Opens SMTP and IMAP sessions the same way everywhere: over TLS (STARTTLS or implicit) with a certificate that chains to
/// a trusted root and names the host. Mail to partners and the gateway's mailbox cross networks we do not control; a
/// server that offers no TLS, or a certificate we cannot trust, is a downgrade or an interception, not a server to use.
/// </summary>
public static class MailServers
{
    public static Task<SmtpClient> ConnectSmtpAsync(SmtpSettings smtp, CancellationToken ct) => ConnectSmtpAsync<SmtpClient>(smtp, ct);

    public static async Task<TClient> ConnectSmtpAsync<TClient>(SmtpSettings smtp, CancellationToken ct)
        where TClient : SmtpClient, new()
    {
        var client = new TClient();
        try
        {
            await ConnectAsync(client, smtp, ct);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
            }

            // SIZE makes MailKit write each mail once more just to count its bytes, for a server that checks the size
            // as it receives them anyway: a mail too large is still refused (552), only after its data, not before.
            client.Capabilities &= ~SmtpCapabilities.Size;
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static async Task<ImapClient> ConnectImapAsync(ImapSettings imap, string? fallbackPassword, CancellationToken ct)
    {
        var client = new ImapClient();
        try
        {
            await ConnectAsync(client, imap, ct);
            await client.AuthenticateAsync(imap.Username, imap.Password ?? fallbackPassword ?? "", ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Accepts the server's certificate only when it names the host and chains to <see cref="MailServerSettings.TrustedCaFile"/>
    /// (or, without one, to the system's roots); <paramref name="refused"/> hears why not (a reason and its detail).
    /// </summary>
    public static RemoteCertificateValidationCallback CertificateCheck(MailServerSettings server, Action<string, string> refused)
    {
        var roots = LoadRoots(server);
        return (_, certificate, chain, errors) =>
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            {
                refused("it sent no certificate", "");
                return false;
            }

            using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                refused($"its certificate is not for {server.Host}", $" ({presented.Subject})");
                return false;
            }

            if (roots is null)
            {
                return errors == SslPolicyErrors.None || Refuse(refused, presented, chain?.ChainStatus ?? [], "the system's trust store");
            }

            using var own = new X509Chain();
            own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            own.ChainPolicy.CustomTrustStore.AddRange(roots);
            // A development or unit CA publishes no revocation list the Worker could reach; its certificates are short-lived.
            own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            foreach (var element in chain?.ChainElements.Skip(1) ?? [])
            {
                own.ChainPolicy.ExtraStore.Add(element.Certificate);
            }

            return own.Build(presented) || Refuse(refused, presented, own.ChainStatus, $"{server.SettingsSection}:TrustedCaFile ({server.TrustedCaFile})");
        };
    }

    private static bool Refuse(Action<string, string> refused, X509Certificate2 presented, X509ChainStatus[] status, string trustedBy)
    {
        var why = string.Join(", ", status.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct());
        refused("its certificate is not trusted", $" ({presented.Subject}, issued by {presented.Issuer}) by {trustedBy}: {why}");
        return false;
    }

    private static X509Certificate2Collection? LoadRoots(MailServerSettings server)
    {
        if (string.IsNullOrEmpty(server.TrustedCaFile))
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(server.TrustedCaFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new MailTransportException(server, $"{server.SettingsSection}:TrustedCaFile cannot be read", $" ({server.TrustedCaFile}: {e.Message})", e);
        }

        return roots.Count > 0
            ? roots
            : throw new MailTransportException(server, $"{server.SettingsSection}:TrustedCaFile holds no certificate", $" ({server.TrustedCaFile})");
    }

    private static async Task ConnectAsync(MailService client, MailServerSettings server, CancellationToken ct)
    {
        var options = Options(server);
        (string Reason, string Detail)? refusal = null;
        client.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        client.ServerCertificateValidationCallback = CertificateCheck(server, (reason, detail) => refusal = (reason, detail));
        var socket = await OpenSocketAsync(server.Host, server.Port, ct);
        try
        {
            await client.ConnectAsync(socket, server.Host, server.Port, options, ct);
        }
        catch (Exception e) when (e is SslHandshakeException or System.Security.Authentication.AuthenticationException)
        {
            socket.Dispose();
            var (reason, detail) = refusal ?? ("the TLS handshake failed", $" ({e.GetBaseException().Message})");
            throw new MailTransportException(server, reason, detail, e);
        }
        catch (NotSupportedException e) when (options == SecureSocketOptions.StartTls)
        {
            socket.Dispose();
            throw new MailTransportException(
                server, "it does not offer STARTTLS", $", and mail goes only over TLS ({server.SettingsSection}:Security)", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static SecureSocketOptions Options(MailServerSettings server) => server.Security switch
    {
        MailTransportSecurity.Auto when server.Port is 465 or 993 => SecureSocketOptions.SslOnConnect,
        MailTransportSecurity.Auto or MailTransportSecurity.StartTls => SecureSocketOptions.StartTls,
        MailTransportSecurity.Implicit => SecureSocketOptions.SslOnConnect,
        MailTransportSecurity.PlainOnLoopback when IsLoopback(server.Host) => SecureSocketOptions.None,
        MailTransportSecurity.PlainOnLoopback => throw new MailTransportException(
            server, "a session without TLS is allowed only on loopback",
            $" ({server.SettingsSection}:Security=PlainOnLoopback, for a server on 127.0.0.1, ::1 or localhost)"),
        _ => throw new MailTransportException(server, $"{server.SettingsSection}:Security={server.Security} is not a known setting", ""),
    };

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    // Nagle's algorithm holds the last small write of each command until the server's delayed ACK (40 ms on Linux):
    // with it on, one mail takes 50 ms to hand over; with it off, 2 ms.
    private static async Task<Socket> OpenSocketAsync(string host, int port, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task<IMailFolder> OpenOrCreateAsync(ImapClient client, string name, FolderAccess access, CancellationToken ct)
    {
        IMailFolder? folder;
        if (string.Equals(name, "INBOX", StringComparison.OrdinalIgnoreCase))
        {
            folder = client.Inbox;
        }
        else
        {
            var personal = client.GetFolder(client.PersonalNamespaces[0]);
            try
            {
                folder = await personal.GetSubfolderAsync(name, ct)
                    ?? await personal.CreateAsync(name, isMessageFolder: true, ct);
            }
            catch (FolderNotFoundException)
            {
                folder = await personal.CreateAsync(name, isMessageFolder: true, ct);
            }

            ArgumentNullException.ThrowIfNull(folder);
        }

        await folder.OpenAsync(access, ct);
        return folder;
    }
}
