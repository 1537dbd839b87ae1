using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Docs;

/// <summary>
/// Directory.Packages.props and Directory.Build.props keep the dependencies honest: one version per package family, and
/// NuGet's vulnerability audit failing the build on a high or critical advisory unless it is accepted by name.
/// </summary>
public sealed class DependencyTests
{
    /// <summary>Packages published apart from the family their name suggests, each with the reason.</summary>
    private static readonly Dictionary<string, string> OwnVersioning = new()
    {
        // The VSTest adapter has its own releases: its 3.x runs xunit 2.x tests.
        ["xunit.runner.visualstudio"] = "xunit's VSTest adapter, released apart from xunit",
    };

    /// <summary>Families whose names do not share a first word, released together.</summary>
    private static readonly string[][] Companions = [["MailKit", "MimeKit"]];

    [Fact]
    public void Every_package_family_is_on_one_version()
    {
        var versions = XDocument.Load(Path.Combine(TestServers.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Select(p => (Id: (string)p.Attribute("Include")!, Version: (string)p.Attribute("Version")!))
            .Where(p => !OwnVersioning.ContainsKey(p.Id))
            .ToList();

        var split = versions
            .GroupBy(p => Family(p.Id))
            .Where(g => g.Select(p => p.Version.Split('-')[0]).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(p => $"{p.Id} {p.Version}"))}");

        Assert.Contains(versions, p => p.Id == "Marten.AspNetCore");
        Assert.Empty(split);
    }

    // The first word of the name, or the first two of Microsoft's (Microsoft.AspNetCore, Microsoft.Extensions, ...).
    private static string Family(string id)
    {
        var words = id.Split('.');
        var family = words[0] == "Microsoft" && words.Length > 1 ? $"{words[0]}.{words[1]}" : words[0];
        return Companions.FirstOrDefault(c => c.Contains(family))?[0] ?? family;
    }

    [Theory]
    [InlineData(3, "critical", false)]
    [InlineData(2, "high", false)]
    [InlineData(1, "moderate", true)]
    public void An_advisory_fails_the_restore_when_high_or_critical_and_only_warns_below(int severity, string name, bool restores)
    {
        using var feed = new AdvisoryFeed("MimeKit", severity);

        var run = RestoreProbe(feed, suppressed: false);

        Assert.True(restores == (run.ExitCode == 0), $"A {name} advisory: restore exited {run.ExitCode}\n{run.OutputText}");
        Assert.Contains($"NU190{severity + 1}", run.OutputText, StringComparison.Ordinal);
        Assert.Contains(feed.AdvisoryUrl, run.OutputText, StringComparison.Ordinal);
    }

    [Fact]
    public void An_advisory_accepted_by_name_in_NuGetAuditSuppress_no_longer_fails_the_restore()
    {
        using var feed = new AdvisoryFeed("MimeKit", severity: 3);

        var run = RestoreProbe(feed, suppressed: true);

        Assert.True(run.ExitCode == 0, run.OutputText);
        Assert.DoesNotContain("NU1904", run.OutputText, StringComparison.Ordinal);
    }

    /// <summary>
    /// A project under the repository's own Directory.Build.props and Directory.Packages.props that uses MimeKit (in the
    /// NuGet cache already), restored with an audit source that publishes one advisory for it.
    /// </summary>
    private static ToolRun RestoreProbe(AdvisoryFeed feed, bool suppressed)
    {
        var root = TestServers.RepositoryRoot;
        var folder = Directory.CreateTempSubdirectory("ncp-audit-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "Directory.Build.props"),
                $"""<Project><Import Project="{root}/Directory.Build.props" /></Project>""");
            File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"),
                $"""<Project><Import Project="{root}/Directory.Packages.props" /></Project>""");
            var suppress = suppressed
                ? $"""
                   <ItemGroup><!-- Accepted for this test: the advisory is made up. -->
                   <NuGetAuditSuppress Include="{feed.AdvisoryUrl}" /></ItemGroup>
                   """
                : "";
            File.WriteAllText(Path.Combine(folder, "Probe.csproj"),
                $"""<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="MimeKit" /></ItemGroup>{suppress}</Project>""");
            File.WriteAllText(Path.Combine(folder, "nuget.config"),
                $"""
                 <configuration><auditSources><clear />
                 <add key="advisories" value="{feed.Index}" allowInsecureConnections="true" /></auditSources></configuration>
                 """);
            return Tool.Run("dotnet", ["restore", "--force", "-nologo"], folder, patience: TimeSpan.FromMinutes(3));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>NuGet's vulnerability resource (VulnerabilityInfo/6.7.0) with one advisory, served on loopback.</summary>
    private sealed class AdvisoryFeed : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Dictionary<string, string> files;

        public AdvisoryFeed(string package, int severity)
        {
            var port = FreePort();
            // A path of its own each time: NuGet caches what a URL answered.
            var root = $"http://127.0.0.1:{port}/{Guid.NewGuid():N}/";
            Index = root + "index.json";
            AdvisoryUrl = $"https://github.com/advisories/GHSA-ncp{severity}-test-{Guid.NewGuid().ToString("N")[..4]}";
            files = new()
            {
                ["index.json"] =
                    $$"""{"version":"3.0.0","resources":[{"@id":"{{root}}vulnerability/index.json","@type":"VulnerabilityInfo/6.7.0"}]}""",
                ["vulnerability/index.json"] =
                    $$"""[{"@name":"base","@id":"{{root}}vulnerability/base.json","@updated":"2026-01-01T00:00:00Z"}]""",
                ["vulnerability/base.json"] =
                    $$"""{"{{package.ToLowerInvariant()}}":[{"severity":{{severity}},"url":"{{AdvisoryUrl}}","versions":"(, 999.0.0)"}]}""",
            };
            listener.Prefixes.Add(root);
            listener.Start();
            _ = ServeAsync(root);
        }

        public string Index { get; }

        public string AdvisoryUrl { get; }

        private async Task ServeAsync(string root)
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var path = context.Request.Url!.AbsoluteUri[root.Length..];
                var found = files.TryGetValue(path, out var body);
                context.Response.StatusCode = found ? 200 : 404;
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(body ?? "");
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        public void Dispose() => listener.Close();
    }
}
