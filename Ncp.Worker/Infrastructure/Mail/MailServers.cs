using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using System.Net.Sockets;
using MailKit.Security;

namespace Ncp.Worker.Infrastructure.Mail;

public sealed class SmtpSettings
{
    public const string Section = "Smtp";

    /// <summary>Empty: no mail leaves (it waits, visible, in the outbox and the dispatch ledger).</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 2525;

    public string? Username { get; set; }

    public string? Password { get; set; }
}

public sealed class ImapSettings
{
    public const string Section = "Imap";

    /// <summary>Empty: no mail is read.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 10143;

    /// <summary>The gateway's mailbox login; its password comes from <c>Mail:Password</c> unless set here.</summary>
    public string Username { get; set; } = "ncp@ncp.example";

    public string? Password { get; set; }

    /// <summary>The folder partners' mail arrives in.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>The folder a copy of every mail sent goes to.</summary>
    public string SentFolder { get; set; } = "Sent";

    /// <summary>How often to look when the server offers no IDLE, and the longest IDLE before it is renewed.</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Use IDLE where the server offers it; off: poll every <see cref="PollEvery"/> (for a server whose IDLE misbehaves).</summary>
    public bool Idle { get; set; } = true;
}

/// <summary>Opens SMTP and IMAP sessions the same way everywhere: TLS whenever the server offers it.</summary>
public static class MailServers
{
    public static async Task<SmtpClient> ConnectSmtpAsync(SmtpSettings smtp, CancellationToken ct)
    {
        var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(await OpenSocketAsync(smtp.Host, smtp.Port, ct), smtp.Host, smtp.Port, SecureSocketOptions.StartTlsWhenAvailable, ct);
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
            await client.ConnectAsync(await OpenSocketAsync(imap.Host, imap.Port, ct), imap.Host, imap.Port, SecureSocketOptions.StartTlsWhenAvailable, ct);
            await client.AuthenticateAsync(imap.Username, imap.Password ?? fallbackPassword ?? "", ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

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
