using System.Diagnostics;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure;

/// <summary>
/// The systemd units of docs/deployment.md (<c>infra/deploy/</c>), checked by systemd's own <c>systemd-analyze verify</c>:
/// it needs no running systemd, reads the files as systemd would, and names unknown settings and missing programs.
/// </summary>
public sealed class DeploymentUnitTests
{
    private static string Deploy => Path.Combine(TestServers.RepositoryRoot, "infra", "deploy");

    [Theory]
    [InlineData("ncp-api.service")]
    [InlineData("ncp-worker.service")]
    public async Task The_unit_passes_systemd_analyze_verify_without_a_warning(string unit)
    {
        var (exit, said) = await VerifyAsync(Path.Combine(Deploy, unit));

        Assert.True(exit == 0 && said.Length == 0, $"systemd-analyze verify {unit} exited {exit}:\n{said}");
    }

    [Fact]
    public async Task A_misspelled_setting_in_a_unit_is_caught_by_the_same_check()
    {
        var folder = Directory.CreateTempSubdirectory("ncp-units-").FullName;
        try
        {
            var broken = Path.Combine(folder, "ncp-api.service");
            var text = await File.ReadAllTextAsync(Path.Combine(Deploy, "ncp-api.service"));
            await File.WriteAllTextAsync(broken, text.Replace("Restart=always", "Restart=allways", StringComparison.Ordinal)
                .Replace("TimeoutStopSec=", "TimeoutStoppSec=", StringComparison.Ordinal));

            var (_, said) = await VerifyAsync(broken);

            Assert.Contains("Unknown key 'TimeoutStoppSec'", said, StringComparison.Ordinal);
            Assert.Contains("allways", said, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int Exit, string Said)> VerifyAsync(string unitFile)
    {
        const string Tool = "/usr/bin/systemd-analyze";
        Assert.True(File.Exists(Tool), $"{Tool} is missing: apt-get install -y systemd (the units cannot be checked without it)");
        var start = new ProcessStartInfo(Tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("verify");
        start.ArgumentList.Add(unitFile);
        using var process = Process.Start(start)!;
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
