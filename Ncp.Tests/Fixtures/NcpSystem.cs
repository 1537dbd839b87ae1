using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Worker.Infrastructure.Database;
using Npgsql;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// The Api and the Worker, each in its own host, against the real servers. Every test run gets its own
/// PostgreSQL schemas and its own RabbitMQ name prefix, so runs never see each other's data or messages.
/// </summary>
public class NcpSystem : IAsyncLifetime
{
    public string RunId { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    public string ApiSchema => $"api_{RunId}";

    public string WorkerSchema => $"worker_{RunId}";

    public NcpSystem()
        : this(TestServers.Current)
    {
    }

    /// <summary>A system on servers other than the shared ones (a PostgreSQL of its own, say).</summary>
    protected NcpSystem(TestServers servers) => Servers = servers;

    public TestServers Servers { get; }

    /// <summary>The folder of revocation lists both hosts read (<c>Mail:RevocationLists</c>); a test writes the lists of its own CAs.</summary>
    public string RevocationListsFolder => Path.Combine(Path.GetTempPath(), $"ncp-{RunId}", "crl");

    public WebApplicationFactory<Ncp.Api.Program> Api { get; private set; } = null!;

    public WebApplicationFactory<Ncp.Worker.Program> Worker { get; private set; } = null!;

    public IDictionary<string, string?> ApiSettings => SharedOverrides(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = Servers.Postgres,
        // The test output is for test failures; the hosts' own chatter (Marten's schema SQL above all) drowns them.
        ["Logging:LogLevel:Default"] = "Warning",
        ["Marten:Schema"] = ApiSchema,
        ["RabbitMq:Host"] = Servers.RabbitHost,
        ["RabbitMq:Port"] = Servers.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RabbitMq:VirtualHost"] = Servers.RabbitVirtualHost,
        ["RabbitMq:Username"] = Servers.RabbitUser,
        ["RabbitMq:Password"] = Servers.RabbitPassword,
        ["RabbitMq:Prefix"] = RunId,
        ["RabbitMq:ManagementUrl"] = Servers.RabbitManagement,
        ["Attachments:MaxBytes"] = "65536",
        // Two of the largest files allowed are too many for one mail: the limit of a mail's files is met with small files.
        ["Correspondence:MaxAttachmentBytes"] = "100000",
        // The suite's partners open more new items in an hour than a real one may (20): the limit's own test reads this value.
        ["Filing:NewItemsPerPartnerPerHour"] = "40",
        ["Mail:RevocationLists"] = RevocationListsFolder,
        // The in-memory test server has no address of its own; the UI's Api client is routed to it (see RouteUiToTestServer).
        ["Ui:ApiBaseAddress"] = "http://localhost/",
    });

    public IDictionary<string, string?> WorkerSettings
    {
        get
        {
            var settings = ApiSettings;
            settings.Remove("Marten:Schema");
            settings.Remove("Attachments:MaxBytes");
            settings["WorkerDatabase:Schema"] = WorkerSchema;
            settings["Smtp:Host"] = Servers.SmtpHost;
            settings["Smtp:Port"] = Servers.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // The gateway reads its own folder of the NCP mailbox: mail to ncp+<run>@ncp.example lands there.
            settings["Imap:Host"] = Servers.ImapHost;
            settings["Imap:Port"] = Servers.ImapPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Imap:Folder"] = RunId;
            settings["Imap:SentFolder"] = $"{RunId}-sent";
            settings["Smtp:TrustedCaFile"] = Servers.MailCaFile;
            settings["Imap:TrustedCaFile"] = Servers.MailCaFile;
            settings["Mail:Password"] = Servers.MailPassword;
            // Delivery reports about the run's mail come back to the run's own folder, where its gateway reads them.
            settings["Mail:ReturnPath"] = $"ncp+{RunId}@ncp.example";
            // Our keys: the current S/MIME identity and the one rotated to (newer: it signs; both decrypt), our OpenPGP key.
            var pki = Crypto.TestPki.Shared;
            settings["Mail:SmimeKeys:0:Pfx"] = pki.Ncp.Pfx;
            settings["Mail:SmimeKeys:0:Password"] = pki.Ncp.PfxPassword;
            settings["Mail:SmimeKeys:1:Pfx"] = pki.NcpNext.Pfx;
            settings["Mail:SmimeKeys:1:Password"] = pki.NcpNext.PfxPassword;
            settings["Mail:OpenPgpKeys:0:SecretKey"] = pki.Pgp.Ncp.SecretArmored;
            settings["Mail:OpenPgpKeys:0:Passphrase"] = pki.Pgp.Ncp.Passphrase;
            // A retry (a partner's key not there yet, a refused hand-over) comes after 1 s, not the 5 s of production.
            settings["Mail:FirstBackoff"] = "00:00:01";
            settings["Mail:Limits:MaxMessageBytes"] = "2000000";
            settings["Mail:Limits:MaxArchiveExpandedBytes"] = "10000000";
            settings["Mail:Limits:MaxExpandedBytes"] = "10000000";
            settings["Notifications:DutyMailbox"] = "duty@ncp.example";
            settings["Notifications:People:0:Id"] = DevelopmentSignIn.Users.Single(u => u.Login == "supervisor").ObjectId.ToString();
            settings["Notifications:People:0:Name"] = "Supervisor (demo)";
            settings["Notifications:People:0:Email"] = "supervisor@ncp.example";
            settings["Notifications:People:0:Roles:0"] = "supervisor";
            settings["Notifications:People:0:AlwaysReachable"] = "true";
            // Cleared for CSTO as the demo supervisor is in the Api (Ncp.Channel.Csto); the duty desk is not.
            settings["Notifications:People:0:Clearances:0"] = "csto";
            WorkerOverrides(settings);
            return settings;
        }
    }

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(RevocationListsFolder);

        // Schemas are applied the way a deployment does it (the migrate commands), before any host starts.
        await using (var api = Ncp.Api.Program.Build(AsArgs(ApiSettings)))
        {
            await MartenSetup.MigrateAsync(api.Services);
        }

        await using (var worker = Ncp.Worker.Program.Build(AsArgs(WorkerSettings)))
        {
            await worker.Services.GetRequiredService<WorkerDatabase>().MigrateAsync(CancellationToken.None);
        }

        Api = Host<Ncp.Api.Program>(ApiSettings, services =>
        {
            Override(services);
            RouteUiToTestServer(services);
        });
        Worker = Host<Ncp.Worker.Program>(WorkerSettings, Override);
        ServeApi(Api);
        Api.StartServer();
        Worker.StartServer();

        // The hosts return before MassTransit has declared and bound their queues: a message published in that moment
        // (the first test's registration, say) reaches an exchange nobody listens on yet and is gone. Wait for both.
        await Task.WhenAll(BusReadyAsync(Api.Services), BusReadyAsync(Worker.Services));
    }

    protected static Task BusReadyAsync(IServiceProvider services) =>
        EventuallyAsync(
            () => Task.FromResult(services.GetRequiredService<MassTransit.IBusControl>().CheckHealth().Status),
            status => status == MassTransit.BusHealthStatus.Healthy,
            TimeSpan.FromSeconds(60));

    public virtual async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Api.DisposeAsync();
        await using var connection = new NpgsqlConnection(Servers.Postgres);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists {ApiSchema} cascade; drop schema if exists {WorkerSchema} cascade", connection);
        await drop.ExecuteNonQueryAsync();
        await MailGateway.DeleteRunFoldersAsync(this);
        await RunTopology.DeleteAsync(Servers, RunId);
        if (Path.GetDirectoryName(RevocationListsFolder) is { } keys && Directory.Exists(keys))
        {
            Directory.Delete(keys, recursive: true);
        }
    }

    public static WebApplicationFactory<T> Host<T>(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
        where T : class =>
        new WebApplicationFactory<T>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }

            if (services is not null)
            {
                web.ConfigureServices(services);
            }
        });

    /// <summary>
    /// The web UI calls the Api over HTTP at the server's own address; a TestServer has none, so the UI's client is
    /// handed the in-memory server's handler instead. On a real port (<see cref="ServeApi"/>) it calls that port.
    /// </summary>
    public static void RouteUiToTestServer(IServiceCollection services) =>
        services.AddHttpClient(Ncp.Api.Ui.Infrastructure.NcpApiClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(provider =>
                provider.GetRequiredService<IServer>() is TestServer server ? server.CreateHandler() : new SocketsHttpHandler())
            .ConfigureHttpClient((provider, http) =>
            {
                if (provider.GetRequiredService<IServer>() is not TestServer
                    && provider.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } address)
                {
                    http.BaseAddress = new Uri(address.TrimEnd('/') + "/");
                }
            });

    /// <summary>Settings a derived system changes in both hosts.</summary>
    protected virtual IDictionary<string, string?> SharedOverrides(IDictionary<string, string?> settings) => settings;

    /// <summary>Settings a derived system changes in the Worker.</summary>
    protected virtual void WorkerOverrides(IDictionary<string, string?> settings)
    {
    }

    /// <summary>How a derived system serves the Api, before it starts (on a real port for a browser, say); in memory by default.</summary>
    protected virtual void ServeApi(WebApplicationFactory<Ncp.Api.Program> api)
    {
    }

    /// <summary>What a derived system replaces in both hosts (a simulated clock, say).</summary>
    protected virtual void Override(IServiceCollection services)
    {
    }

    public HttpClient ClientFor(string demoUser) => ClientFor(Api, demoUser);

    public static HttpClient ClientFor(WebApplicationFactory<Ncp.Api.Program> api, string demoUser)
    {
        var client = api.CreateClient();
        var signIn = api.Services.GetRequiredService<DevelopmentSignIn>();
        var token = signIn.Issue(DevelopmentSignIn.Users.Single(u => u.Login == demoUser));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<T?> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Servers.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    public async Task<IReadOnlyList<object?[]>> QueryRowsAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Servers.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add([.. row.Select(v => v is DBNull ? null : v)]);
        }

        return rows;
    }

    /// <summary>
    /// Polls until <paramref name="condition"/> holds; asynchronous hand-offs (daemon, bus) have no event to await across
    /// processes. The default wait is long: it is spent only when something fails, and on a two-core machine running the
    /// whole suite a hand-off that takes a second alone can take twenty.
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan? within = null)
    {
        within ??= TimeSpan.FromSeconds(40);
        var deadline = DateTime.UtcNow + within.Value;
        // Asked again every 50 ms, however long a probe takes.
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met within {within}; last value: {value}");
            }

            await pace.WaitForNextTickAsync();
        }
    }

    public static string[] AsArgs(IDictionary<string, string?> settings) =>
        settings.Select(s => $"--{s.Key}={s.Value}").ToArray();
}

[CollectionDefinition(Name)]
public sealed class NcpCollection : ICollectionFixture<NcpSystem>
{
    public const string Name = "ncp";
}

/// <summary>
/// Tests that build hosts of their own while they run (or run the Api's <c>Main</c>): run alone, after the others.
/// WebApplicationFactory finds the host it starts by listening to every host built in the process, so a host built
/// beside a starting fixture can be taken for the fixture's, which then answers from a disposed one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OwnHostsCollection : ICollectionFixture<NcpSystem>
{
    public const string Name = "own-hosts";
}
