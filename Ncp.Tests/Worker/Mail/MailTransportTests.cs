using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Infrastructure.Mail;

namespace Ncp.Tests.Worker.Mail;

/// <summary>
/// The Worker talks to mail servers only over TLS with a certificate it trusts. The project's Postfix and Dovecot have
/// certificates from the development CA (infra/keys.sh), which the tests' Worker trusts through Smtp/Imap:TrustedCaFile.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class MailTransportTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_gateway_reaches_the_project_mail_servers_over_tls_trusting_the_development_ca()
    {
        using var smtp = await MailServers.ConnectSmtpAsync(ncp.Servers.Smtp, CancellationToken.None);
        using var imap = await MailServers.ConnectImapAsync(ncp.Servers.ImapAs("ncp@ncp.example"), null, CancellationToken.None);
        var health = await ReadyChecksAsync(ncp.Worker.CreateClient());

        Assert.True(smtp.IsSecure, "SMTP session without TLS");
        Assert.True(imap.IsSecure, "IMAP session without TLS");
        Assert.True(imap.IsAuthenticated);
        Assert.Equal("Healthy", health.GetProperty("smtp").Str("status"));
        Assert.Equal("Healthy", health.GetProperty("imap").Str("status"));
        await smtp.DisconnectAsync(true);
        await imap.DisconnectAsync(true);
    }

    [Theory]
    [InlineData("smtp")]
    [InlineData("imap")]
    public async Task A_server_whose_certificate_chains_to_another_ca_is_refused_and_the_reason_named(string protocol)
    {
        // The test PKI's CA issues partners' S/MIME certificates; it never issued the mail servers' certificate.
        var otherCa = MailGateway.Pki.Ca.CertPem;

        var refused = await Assert.ThrowsAsync<MailTransportException>(() => protocol == "smtp"
            ? MailServers.ConnectSmtpAsync(Smtp(otherCa), CancellationToken.None)
            : MailServers.ConnectImapAsync(Imap(otherCa), null, CancellationToken.None));

        Assert.Equal("its certificate is not trusted", refused.Reason);
        Assert.Contains("(CN=mail.ncp.example, issued by CN=NCP development CA)", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"{char.ToUpperInvariant(protocol[0])}{protocol[1..]}:TrustedCaFile", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smtp")]
    [InlineData("imap")]
    public async Task A_server_that_does_not_offer_starttls_is_refused(string protocol)
    {
        await using var plain = protocol == "smtp" ? PlainServer.Smtp() : PlainServer.Imap();

        var refused = await Assert.ThrowsAsync<MailTransportException>(() => protocol == "smtp"
            ? MailServers.ConnectSmtpAsync(Smtp(ncp.Servers.MailCaFile, plain.Port), CancellationToken.None)
            : MailServers.ConnectImapAsync(Imap(ncp.Servers.MailCaFile, plain.Port), null, CancellationToken.None));

        Assert.Equal("it does not offer STARTTLS", refused.Reason);
        Assert.DoesNotContain(plain.Heard, line => line.StartsWith("MAIL", StringComparison.Ordinal) || line.Contains("LOGIN", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_session_without_tls_is_allowed_only_on_loopback_and_only_when_configured()
    {
        await using var relay = PlainServer.Smtp();
        var onLoopback = Smtp(null, relay.Port);
        onLoopback.Security = MailTransportSecurity.PlainOnLoopback;
        var elsewhere = Smtp(null, relay.Port);
        elsewhere.Security = MailTransportSecurity.PlainOnLoopback;
        elsewhere.Host = "192.0.2.25";

        using var local = await MailServers.ConnectSmtpAsync(onLoopback, CancellationToken.None);
        var remote = await Assert.ThrowsAsync<MailTransportException>(() => MailServers.ConnectSmtpAsync(elsewhere, CancellationToken.None));

        Assert.False(local.IsSecure);
        Assert.Equal("a session without TLS is allowed only on loopback", remote.Reason);
    }

    private SmtpSettings Smtp(string? caFile, int? port = null)
    {
        var smtp = ncp.Servers.Smtp;
        smtp.TrustedCaFile = caFile;
        smtp.Port = port ?? smtp.Port;
        return smtp;
    }

    private ImapSettings Imap(string caFile, int? port = null)
    {
        var imap = ncp.Servers.ImapAs("ncp@ncp.example");
        imap.TrustedCaFile = caFile;
        imap.Port = port ?? imap.Port;
        return imap;
    }

    public static async Task<JsonElement> ReadyChecksAsync(HttpClient worker) =>
        (await worker.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks");
}

/// <summary>The Worker's own mail servers present a certificate from a CA it was not told to trust.</summary>
public sealed class UntrustedMailServersNcp : NcpSystem
{
    protected override void WorkerOverrides(IDictionary<string, string?> settings)
    {
        settings["Smtp:TrustedCaFile"] = MailGateway.Pki.Ca.CertPem;
        settings["Imap:TrustedCaFile"] = MailGateway.Pki.Ca.CertPem;
        settings["Mail:MaxSendAttempts"] = "2";
        settings["Mail:FirstBackoff"] = "00:00:00.200";
    }
}

[CollectionDefinition(Name)]
public sealed class UntrustedMailServersCollection : ICollectionFixture<UntrustedMailServersNcp>
{
    public const string Name = "untrusted-mail-servers";
}

[Collection(UntrustedMailServersCollection.Name)]
public sealed class UntrustedMailServerTests(UntrustedMailServersNcp ncp)
{
    [Fact]
    public async Task With_an_untrusted_server_certificate_no_mail_goes_out_the_item_says_why_and_health_names_both_servers()
    {
        var de = await ncp.PartnerAsync("de");
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(de.Code, "Not through an interceptor"));
        await duty.ActAsync(item.Number(), "send");

        var failed = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{item.Number()}"), i => i.GetProperty("delivery").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(60));
        var health = await MailTransportTests.ReadyChecksAsync(ncp.Worker.CreateClient());

        Assert.Equal("not-delivered", failed.Str("delivery"));
        Assert.Contains("its certificate is not trusted", failed.GetProperty("mail")[0].Str("detail"), StringComparison.Ordinal);
        Assert.Equal("Degraded", health.GetProperty("smtp").Str("status"));
        Assert.Equal($"Smtp server {ncp.Servers.SmtpHost}:{ncp.Servers.SmtpPort}: its certificate is not trusted", health.GetProperty("smtp").Str("description"));
        Assert.Equal("Degraded", health.GetProperty("imap").Str("status"));
        Assert.EndsWith(": its certificate is not trusted", health.GetProperty("imap").Str("description"), StringComparison.Ordinal);
    }
}

/// <summary>
/// A mail server on loopback that speaks only in clear and never offers STARTTLS: a downgraded server (an attacker who
/// strips STARTTLS from the capabilities looks the same to the client), or a relay on this machine.
/// </summary>
internal sealed class PlainServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;

    private PlainServer(string greeting, Func<string, (string Reply, bool Close)> answer)
    {
        listener.Start();
        serving = ServeAsync(greeting, answer);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>What clients sent, line by line.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Heard { get; } = new();

    public static PlainServer Smtp() => new("220 plain.example ESMTP\r\n", line => line.ToUpperInvariant() switch
    {
        var l when l.StartsWith("EHLO", StringComparison.Ordinal) => ("250-plain.example\r\n250 8BITMIME\r\n", false),
        var l when l.StartsWith("QUIT", StringComparison.Ordinal) => ("221 bye\r\n", true),
        _ => ("250 OK\r\n", false),
    });

    public static PlainServer Imap() => new("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plain.example ready\r\n", line =>
    {
        var tag = line.Split(' ')[0];
        return line.Contains("LOGOUT", StringComparison.OrdinalIgnoreCase)
            ? ($"* BYE\r\n{tag} OK LOGOUT\r\n", true)
            : ($"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n", false);
    });

    private async Task ServeAsync(string greeting, Func<string, (string Reply, bool Close)> answer)
    {
        while (!stop.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(greeting), stop.Token);
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                Heard.Enqueue(line);
                var (reply, close) = answer(line);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), stop.Token);
                if (close)
                {
                    break;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await serving;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Stopped while serving: expected.
        }

        stop.Dispose();
    }
}
