using Ncp.Worker.Infrastructure.Mail;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ started by <c>infra/servers.sh</c> listen. <c>./ncp test</c> exports these;
/// when a test is run from an IDE, the same values are read from <c>.data/servers.env</c>. The mail servers speak TLS
/// with a certificate from the development CA in <see cref="MailCaFile"/>.
/// </summary>
public sealed record TestServers(
    string Postgres, string RabbitHost, ushort RabbitPort, string RabbitVirtualHost, string RabbitUser, string RabbitPassword,
    string SmtpHost, int SmtpPort, string ImapHost, int ImapPort, string MailPassword, string RabbitManagement, string MailCaFile)
{
    // Lazy: the cluster's tests use RepositoryRoot beside a cluster of their own, where no single-node servers.env exists.
    private static readonly Lazy<TestServers> current = new(Load);

    public static TestServers Current => current.Value;

    /// <summary>The project's SMTP server, reached the way the Worker reaches it (STARTTLS, the development CA).</summary>
    public SmtpSettings Smtp => new() { Host = SmtpHost, Port = SmtpPort, TrustedCaFile = MailCaFile };

    /// <summary>A mailbox on the project's IMAP server, reached the way the Worker reaches its own.</summary>
    public ImapSettings ImapAs(string login) =>
        new() { Host = ImapHost, Port = ImapPort, Username = login, Password = MailPassword, TrustedCaFile = MailCaFile };

    private static TestServers Load()
    {
        var values = ReadEnvFile();
        string Get(string key) =>
            Environment.GetEnvironmentVariable(key) ?? values.GetValueOrDefault(key)
            ?? throw new InvalidOperationException(
                $"{key} is not set and .data/servers.env was not found. Run the tests with ./ncp test, which starts the servers.");

        return new TestServers(
            Get("ConnectionStrings__PostgresTest"),
            Get("RabbitMq__Host"),
            ushort.Parse(Get("RabbitMq__Port"), System.Globalization.CultureInfo.InvariantCulture),
            Get("RabbitMq__TestVirtualHost"),
            Get("RabbitMq__Username"),
            Get("RabbitMq__Password"),
            Get("Smtp__Host"),
            int.Parse(Get("Smtp__Port"), System.Globalization.CultureInfo.InvariantCulture),
            Get("Imap__Host"),
            int.Parse(Get("Imap__Port"), System.Globalization.CultureInfo.InvariantCulture),
            Get("Mail__Password"),
            Get("RabbitMq__ManagementUrl"),
            Environment.GetEnvironmentVariable("Smtp__TrustedCaFile") ?? values.GetValueOrDefault("Smtp__TrustedCaFile")
            ?? throw new InvalidOperationException(
                "Smtp__TrustedCaFile is not set: the mail servers predate TLS. Run infra/servers.sh start again (it adds TLS and writes it)."));
    }

    /// <summary>The checkout the tests were built in (the folder of <c>Ncp.sln</c>): where <c>artifacts/</c> goes.</summary>
    public static string RepositoryRoot { get; } =
        AncestorWith("Ncp.sln") ?? throw new InvalidOperationException($"No Ncp.sln above {AppContext.BaseDirectory}.");

    private static string? AncestorWith(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Path.Exists(Path.Combine(dir.FullName, relativePath)))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static Dictionary<string, string> ReadEnvFile()
    {
        var values = new Dictionary<string, string>();
        if (AncestorWith(Path.Combine(".data", "servers.env")) is not { } root)
        {
            return values;
        }

        foreach (var line in File.ReadAllLines(Path.Combine(root, ".data", "servers.env")))
        {
            var text = line.StartsWith("export ", StringComparison.Ordinal) ? line[7..] : line;
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && !text.StartsWith('#'))
            {
                values[text[..eq].Trim()] = text[(eq + 1)..].Trim().Trim('\'', '"');
            }
        }

        return values;
    }
}
