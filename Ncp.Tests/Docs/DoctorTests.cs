using System.Net;
using System.Net.Sockets;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Docs;

/// <summary><c>./ncp doctor</c>: what the README assumes of the machine, one line each, run as a newcomer runs it.</summary>
public sealed class DoctorTests
{
    [Fact]
    public void A_port_held_by_another_program_is_a_failure_naming_the_variable_that_moves_it()
    {
        using var stranger = new TcpListener(IPAddress.Loopback, 0);
        stranger.Start();
        var taken = ((IPEndPoint)stranger.LocalEndpoint).Port;

        var run = Doctor(("NCP_API_PORT", taken.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Lines, l => l.Contains($"port {taken} ", StringComparison.Ordinal));
        Assert.StartsWith("FAIL", line, StringComparison.Ordinal);
        Assert.Contains("not ours", line, StringComparison.Ordinal);
        Assert.Contains("set NCP_API_PORT to a free port", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_check_is_one_line_that_says_ok_warn_or_fail_and_our_own_servers_holding_their_ports_are_ok()
    {
        var pgPort = new Npgsql.NpgsqlConnectionStringBuilder(TestServers.Current.Postgres).Port;

        var run = Doctor(("NCP_PG_PORT", pgPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.All(run.Lines, l => Assert.Matches("^(ok  |warn|FAIL) [^:]+: ", l));
        foreach (var check in new[] { ".NET SDK:", "port ", "apt:", "Chromium:", "Playwright:", "disk:" })
        {
            Assert.Contains(run.Lines, l => l[5..].StartsWith(check, StringComparison.Ordinal));
        }

        Assert.Equal(run.Lines.Any(l => l.StartsWith("FAIL", StringComparison.Ordinal)) ? 1 : 0, run.ExitCode);
        var sdk = run.Lines.Single(l => l.Contains(".NET SDK:", StringComparison.Ordinal));
        Assert.StartsWith("ok   .NET SDK: 10.", sdk, StringComparison.Ordinal);
        // The tests' PostgreSQL is the one infra/servers.sh started for this checkout's .data.
        var ours = $"ok   port {pgPort} (PostgreSQL, NCP_PG_PORT): taken by our own";
        Assert.Contains(run.Lines, l => l.StartsWith(ours, StringComparison.Ordinal));
    }

    private static (int ExitCode, string[] Lines) Doctor(params (string Name, string Value)[] environment)
    {
        var run = Tool.Run("bash", ["ncp", "doctor"], TestServers.RepositoryRoot,
            environment.Select(e => new KeyValuePair<string, string?>(e.Name, e.Value)), TimeSpan.FromMinutes(2));
        Assert.Empty(run.Errors);
        return (run.ExitCode, run.OutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
