using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using Npgsql;
using Xunit.Abstractions;

namespace Ncp.Tests.Infrastructure;

/// <summary>
/// The restore drill: <c>./ncp backup</c> and <c>./ncp restore --to TIME</c> run as an administrator runs them, on a
/// PostgreSQL of the test's own that <c>infra/servers.sh</c> starts with WAL archiving (the shared server is never
/// stopped or reconfigured), with the Api and the Worker writing to it.
/// </summary>
[Collection(OwnHostsCollection.Name)]
public sealed class BackupRestoreTests(BackupDrillNcp ncp, ITestOutputHelper output) : IClassFixture<BackupDrillNcp>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task A_restore_to_a_moment_brings_back_the_events_items_attachments_and_mail_of_that_moment_and_nothing_later()
    {
        var duty = ncp.ClientFor("duty");
        var de = await ncp.PartnerAsync("de");

        // Mail both ways: the S/MIME request the gateway sent, and the partner's signed and encrypted reply it read.
        var (sent, messageId) = await ncp.SendRequestAsync(de, "Backup drill: subscriber data for 203.0.113.7");
        var partner = MailGateway.Pki.Partner("de");
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nThe subscriber is known to us.", de.Address, "ncp@ncp.example", "Re: backup drill",
            partner.CertPem, partner.KeyPem, MailGateway.Pki.Ncp.CertPem,
            headers: new Dictionary<string, string> { ["In-Reply-To"] = $"<{messageId}>", ["Message-ID"] = $"<{Guid.NewGuid():N}@partner.example>" }));
        await ncp.ReceivedAsync(sent.Number());
        var before = await RegisterWithAttachmentAsync(duty, "Backup drill: in the base backup");
        var shared = RandomNumberGenerator.GetBytes(4096);
        var beforeAtT = await duty.AttachAsync(before.Number(), shared, "shared.bin");

        await ncp.RunAsync("backup", "full");

        // Written after the base backup: only the archived WAL brings these back.
        var fromWal = await RegisterWithAttachmentAsync(duty, "Backup drill: only in the WAL");
        await duty.AttachAsync(fromWal.Number(), shared, "shared-again.bin");
        var (asOfT, moment) = await QuietMomentAsync();

        await duty.ActAsync(before.Number(), "withdraw", new { reason = "Withdrawn after the moment restored to" });
        var later = await RegisterWithAttachmentAsync(duty, "Backup drill: after the moment");
        var liveAfter = await SourceState.ReadAsync(ncp.Servers.Postgres, ncp);
        Assert.NotEqual(asOfT.Events, liveAfter.Events);

        var clock = Stopwatch.StartNew();
        var restored = await ncp.RestoreAsync(moment);
        clock.Stop();
        var state = await SourceState.ReadAsync(restored, ncp);

        output.WriteLine(
            $"restored to {moment:O} in {clock.Elapsed.TotalSeconds:F1} s: {state.EventCount} events in {state.Items.Count} items, " +
            $"{state.Attachments.Count} attachments, {state.Mail.Count} mails compared");
        Assert.Equal(asOfT.Events, state.Events);
        Assert.Equal(asOfT.Items, state.Items);
        Assert.Equal(asOfT.Attachments, state.Attachments);
        Assert.Equal(asOfT.Mail, state.Mail);
        Assert.Contains(state.Items, i => i.StartsWith($"{fromWal.GetProperty("id").GetGuid()} ", StringComparison.Ordinal));
        Assert.DoesNotContain(state.Items, i => i.StartsWith($"{later.GetProperty("id").GetGuid()} ", StringComparison.Ordinal));
        // The item withdrawn after T is back as it was at T; the live one has moved on.
        var atT = $"{before.GetProperty("id").GetGuid()} {beforeAtT.Version()} |";
        Assert.Contains(state.Items, i => i.StartsWith(atT, StringComparison.Ordinal));
        Assert.DoesNotContain(liveAfter.Items, i => i.StartsWith(atT, StringComparison.Ordinal));
        Assert.Equal(3, state.Attachments.Count);
        Assert.All(state.Attachments, a => Assert.Equal(a[..64], a[65..129]));
        Assert.Contains(Hash(shared), state.Attachments.Select(a => a[..64]));
        Assert.DoesNotContain(later.GetProperty("attachments")[0].Str("sha256"), state.Attachments.Select(a => a[..64]));
        Assert.Contains(state.Mail, m => m.StartsWith("in ", StringComparison.Ordinal));
        Assert.Contains(state.Mail, m => m.StartsWith("out ", StringComparison.Ordinal));
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<System.Text.Json.JsonElement> RegisterWithAttachmentAsync(HttpClient duty, string subject)
    {
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: subject));
        return await duty.AttachAsync(item.Number(), RandomNumberGenerator.GetBytes(20_000), "evidence.bin");
    }

    /// <summary>
    /// The state of the source at a moment T when nothing was written for a while either side of it, so what was read
    /// before and after T is the state at T (the daemon and the gateway's loops write on their own).
    /// </summary>
    private async Task<(SourceState State, DateTimeOffset Moment)> QuietMomentAsync()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var first = await SourceState.ReadAsync(ncp.Servers.Postgres, ncp);
            await Task.Delay(Quiet);
            var moment = await ncp.DatabaseNowAsync();
            await Task.Delay(Quiet);
            var second = await SourceState.ReadAsync(ncp.Servers.Postgres, ncp);
            if (first == second)
            {
                return (first, moment);
            }
        }

        throw new TimeoutException("The source never stayed unchanged for 3 s");
    }
}

/// <summary>What a restore must bring back: every stream's version, each item's state, each attachment's and mail's bytes (as hashes).</summary>
public sealed record SourceState(long EventCount, string Events, IReadOnlyList<string> Items, IReadOnlyList<string> Attachments, IReadOnlyList<string> Mail)
{
    public static async Task<SourceState> ReadAsync(string connectionString, NcpSystem ncp)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        var (api, worker) = (ncp.ApiSchema, ncp.WorkerSchema);
        var events = await RowsAsync(db, $"select count(*) || ' events, last seq ' || coalesce(max(seq_id), 0) from {api}.mt_events");
        var streams = await RowsAsync(db, $"select id || ' ' || version from {api}.mt_streams order by id");
        var items = await RowsAsync(db,
            $"select s.id || ' ' || s.version || ' |' || (d.data ->> 'Status') || '|' || (d.data ->> 'Subject') || '|' || " +
            $"jsonb_array_length(d.data -> 'Attachments') from {api}.mt_doc_itemdetails d join {api}.mt_streams s on s.id = d.id order by s.id");
        var attachments = await RowsAsync(db,
            $"select sha256 || ' ' || encode(sha256(content), 'hex') || ' ' || size from {api}.attachment_contents order by sha256");
        var mail = await RowsAsync(db,
            $"select 'in ' || id || ' ' || status || ' ' || encode(sha256(raw), 'hex') from {worker}.inbound_mail " +
            $"union all select 'out ' || dispatch_id || ' ' || status || ' ' || coalesce(encode(sha256(mime), 'hex'), '-') from {worker}.dispatches order by 1");
        return new SourceState(
            long.Parse(events[0].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture),
            events[0] + "; " + string.Join(",", streams), items, attachments, mail);
    }

    private static async Task<List<string>> RowsAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    public bool Equals(SourceState? other) =>
        other is not null && Events == other.Events && Items.SequenceEqual(other.Items) && Attachments.SequenceEqual(other.Attachments)
        && Mail.SequenceEqual(other.Mail);

    public override int GetHashCode() => Events.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// An Ncp whose PostgreSQL is the test's own: <c>infra/servers.sh start postgres</c> in a folder and on a port of its own,
/// so the archiving configuration it writes is the one the project's server gets, and backups go to that folder.
/// </summary>
public sealed class BackupDrillNcp : NcpSystem
{
    private readonly string folder;
    private readonly int port;

    public BackupDrillNcp()
        : this(Path.Combine(Path.GetTempPath(), $"ncp-backup-{Guid.NewGuid():N}"[..24]), FreePort())
    {
    }

    private BackupDrillNcp(string folder, int port)
        : base(TestServers.Current with
        {
            Postgres = $"Host=127.0.0.1;Port={port};Database=ncp_test;Username=ncp;Password={OwnPassword(folder)}",
        })
    {
        this.folder = folder;
        this.port = port;
    }

    private string RestoredFolder => Path.Combine(folder, "restored");

    // servers.sh keeps a password it finds (ensure_secret), so the connection string is known before the server starts.
    private static string OwnPassword(string folder)
    {
        var secrets = Directory.CreateDirectory(Path.Combine(folder, "secrets"));
        if (!OperatingSystem.IsWindows())
        {
            // PostgreSQL runs as postgres, which must enter the folder the test (root) made.
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(Path.Combine(secrets.FullName, "postgres-ncp.password"), password + "\n");
        return password;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override async Task InitializeAsync()
    {
        await ScriptAsync("infra/servers.sh", "start", "postgres");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            if (File.Exists(Path.Combine(RestoredFolder, "data", "postmaster.pid")))
            {
                await ScriptAsync("/usr/sbin/runuser", "-u", "postgres", "--", PgBin("pg_ctl"), "stop", "-D", Path.Combine(RestoredFolder, "data"), "-m", "immediate");
            }

            await ScriptAsync("infra/servers.sh", "stop", "postgres");
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs <c>./ncp COMMAND ...</c> against this system's PostgreSQL; fails the test with its output when it fails.</summary>
    public Task<string> RunAsync(params string[] arguments) => ScriptAsync("ncp", arguments);

    /// <summary><c>./ncp restore --to MOMENT</c> into a fresh folder on a free port; returns the restored server's connection string.</summary>
    public async Task<string> RestoreAsync(DateTimeOffset moment)
    {
        var restoredPort = FreePort();
        await RunAsync("restore", "--to", moment.ToString("yyyy-MM-dd HH:mm:ss.ffffffzzz", System.Globalization.CultureInfo.InvariantCulture),
            "--into", RestoredFolder, "--port", restoredPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new NpgsqlConnectionStringBuilder(Servers.Postgres) { Port = restoredPort }.ConnectionString;
    }

    public Task<DateTimeOffset> DatabaseNowAsync() => QueryAsync<DateTime>("select clock_timestamp()")
        .ContinueWith(t => new DateTimeOffset(t.Result, TimeSpan.Zero), TaskScheduler.Default);

    private static string PgBin(string tool) =>
        Path.Combine(Environment.GetEnvironmentVariable("NCP_PG_BIN") ?? "/usr/lib/postgresql/15/bin", tool);

    private async Task<string> ScriptAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(script.StartsWith('/') ? script : Path.Combine(TestServers.RepositoryRoot, script))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestServers.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NCP_DATA_DIR"] = folder;
        start.Environment["NCP_PG_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // ./ncp test starts the suite's own server without archiving and exports that choice; this server is the drill's.
        start.Environment["NCP_PG_ARCHIVE"] = "on";
        using var process = Process.Start(start)!;
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        var said = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"{script} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{said}");
        return said;
    }
}
