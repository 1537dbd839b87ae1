using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Docs;

/// <summary>
/// What README.md and docs/operations.md show, run against a system of the tests' own (the Api on a real port), so that a
/// renamed table, field, command or partner code breaks a test and not the reader. A block fenced <c>```sh example</c>
/// runs as written in bash: <c>./ncp</c> lines are checked, not run (they install, build and start servers, or run for
/// minutes): the command must be one <c>./ncp help</c> lists and every <c>NCP_*</c> variable one the scripts read;
/// <c>dotnet Ncp.Api.dll</c> and <c>dotnet Ncp.Worker.dll</c> run from the host's build folder with the system's
/// settings as environment; 127.0.0.1:5080 is the system's port. A <c>```sql example</c> runs on the system's
/// schemas (<c>api.</c>, <c>worker.</c>) for an item registered first, and must give a row without a null. Any other
/// block in a shell or query language says why it is not run (<c>```sh not-run: reason</c>).
/// </summary>
public sealed partial class DocumentedExamplesTests(BrowserNcp ncp) : IClassFixture<BrowserNcp>
{
    private static readonly string[] Documents = ["README.md", "docs/operations.md"];

    private static readonly string[] RunnableLanguages = ["sh", "bash", "http", "sql"];

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var block in Documents.SelectMany(Markdown.Blocks).Where(b => b.IsExample))
        {
            data.Add($"{block.File}:{block.Line}");
        }

        return data;
    }

    [Fact]
    public void Every_command_block_of_the_readme_and_the_operations_guide_is_an_example_or_says_why_it_is_not_run()
    {
        var blocks = Documents.SelectMany(Markdown.Blocks).ToList();
        var silent = blocks
            .Where(b => RunnableLanguages.Contains(b.Language) && !b.IsExample && !b.Info.Contains("not-run: ", StringComparison.Ordinal))
            .Select(b => b.ToString());

        Assert.Empty(silent);
        Assert.Contains(blocks, b => b.Name == "try-it");
        Assert.Empty(blocks.Where(b => b.IsExample && !RunnableLanguages.Contains(b.Language)).Select(b => b.ToString()));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task A_documented_example_runs_as_written(string where)
    {
        var block = Documents.SelectMany(Markdown.Blocks).Single(b => $"{b.File}:{b.Line}" == where);

        switch (block.Language)
        {
            case "sql":
                await RunSqlAsync(block);
                break;
            default:
                RunShell(block);
                break;
        }
    }

    [Fact]
    public void The_try_it_that_ncp_up_prints_is_the_readme_example_on_the_port_of_that_run()
    {
        var readme = Documents.SelectMany(Markdown.Blocks).Single(b => b.Name == "try-it");
        var root = TestServers.RepositoryRoot;

        // ./ncp up prints it with its function try_it, taken here from the script as it is.
        var printed = Tool.Run("bash", ["-c", "source <(sed -n '/^try_it() {/,/^}/p' ncp) && try_it"], root,
            [new("ROOT", root), new("API_PORT", "5999")]).OrThrow().OutputText;

        var expected = string.Join(
            '\n', readme.Text.Split('\n').Select(l => "    " + l.Replace("127.0.0.1:5080", "127.0.0.1:5999", StringComparison.Ordinal)));
        Assert.Equal(expected.TrimEnd(), printed.TrimEnd());
    }

    [Fact]
    public void Every_endpoint_the_readme_and_the_operations_guide_name_is_one_the_hosts_map()
    {
        var routes = new[] { ncp.Api.Services, ncp.Worker.Services }
            .SelectMany(s => s.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
            .Select(e => (
                Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods, Path: Normalised(e.RoutePattern.RawText ?? "")))
            .ToList();

        var named = Documents
            .SelectMany(d => EndpointMention().Matches(Markdown.Read(d))
                .Select(m => (Doc: d, Method: m.Groups[1].Value, Path: m.Groups[2].Value)))
            .ToList();
        var unknown = named
            .Where(n => !routes.Any(r => r.Path == Normalised(n.Path) && (r.Methods is null || r.Methods.Contains(n.Method))))
            .Select(n => $"{n.Doc}: {n.Method} {n.Path}");

        Assert.NotEmpty(named);
        Assert.Empty(unknown);
    }

    private void RunShell(FencedBlock block)
    {
        var (checkedLines, script) = SplitNcpLines(block.Text);
        foreach (var line in checkedLines)
        {
            CheckNcpLine(block, line);
        }

        if (string.IsNullOrWhiteSpace(script))
        {
            return;
        }

        var root = TestServers.RepositoryRoot;
        var port = $"127.0.0.1:{ncp.BaseAddress.Port}";
        var run = Tool.Run("bash", ["-c", Prelude + script.Replace("127.0.0.1:5080", port, StringComparison.Ordinal)], root, Environment(),
            TimeSpan.FromMinutes(5));
        var output = run.OutputText;

        Assert.True(run.ExitCode == 0, $"{block} exited {run.ExitCode}:\n{output}\n{run.Errors}");
        var statuses = HttpStatus().Matches(output)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (script.Contains("curl ", StringComparison.Ordinal))
        {
            Assert.True(statuses.Count > 0 && statuses.All(s => s is >= 200 and < 300), $"{block} answered:\n{output}\n{run.Errors}");
        }
    }

    // The hosts of a deployment run from their own folders, with their appsettings.json beside them.
    private const string Prelude = """
        set -euo pipefail
        dotnet() {
          case ${1:-} in
            Ncp.Api.dll) (cd "$NCP_EXAMPLE_API_BIN" && command dotnet "$@") ;;
            Ncp.Worker.dll) (cd "$NCP_EXAMPLE_WORKER_BIN" && command dotnet "$@") ;;
            *) command dotnet "$@" ;;
          esac
        }

        """;

    private IEnumerable<KeyValuePair<string, string?>> Environment()
    {
        var settings = new Dictionary<string, string?>(ncp.WorkerSettings);
        foreach (var (key, value) in ncp.ApiSettings)
        {
            settings.TryAdd(key, value);
        }

        var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string Bin(string project)
        {
            var bin = Path.Combine(TestServers.RepositoryRoot, project, "bin", configuration, "net10.0");
            Assert.True(
                File.Exists(Path.Combine(bin, $"{project}.dll")), $"{bin} has no {project}.dll: build Ncp.sln ({configuration}) first");
            return bin;
        }

        return settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value))
            .Append(new("ASPNETCORE_ENVIRONMENT", "Development"))
            .Append(new("NCP_EXAMPLE_API_BIN", Bin("Ncp.Api")))
            .Append(new("NCP_EXAMPLE_WORKER_BIN", Bin("Ncp.Worker")));
    }

    /// <summary>The <c>./ncp</c> lines (checked only) and the rest of the block (run), continuation lines joined.</summary>
    private static (List<string> NcpLines, string Script) SplitNcpLines(string text)
    {
        var ncpLines = new List<string>();
        var script = new List<string>();
        // A line ending in a backslash goes on in the next: the two are one command.
        var joined = text.Replace("\\\n", "\\\u0001", StringComparison.Ordinal);
        foreach (var line in joined.Split('\n').Select(l => l.Replace("\\\u0001", "\\\n", StringComparison.Ordinal)))
        {
            (NcpCommand().IsMatch(line) ? ncpLines : script).Add(line);
        }

        return (ncpLines, string.Join('\n', script));
    }

    private static void CheckNcpLine(FencedBlock block, string line)
    {
        var root = TestServers.RepositoryRoot;
        var usage = Tool.Run("bash", ["ncp", "help"], root).OrThrow().OutputText;
        var commands = UsageCommand().Matches(usage).Select(m => m.Groups[1].Value).ToHashSet();
        var command = NcpCommand().Match(line).Groups[1].Value;
        Assert.True(
            commands.Contains(command), $"{block}: `./ncp {command}` is not a command of ./ncp help ({string.Join(", ", commands)})");

        var scripts = string.Join('\n', Directory.EnumerateFiles(Path.Combine(root, "infra"), "*.sh", SearchOption.AllDirectories)
            .Append(Path.Combine(root, "ncp")).Select(File.ReadAllText));
        foreach (var variable in NcpVariable().Matches(line).Select(m => m.Value))
        {
            Assert.True(scripts.Contains(variable, StringComparison.Ordinal), $"{block}: {variable} is read by no script (ncp, infra/)");
        }
    }

    private async Task RunSqlAsync(FencedBlock block)
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: "A documented query"));
        var sql = RegisterNumber().Replace(block.Text, item.Number());
        sql = SchemaName().Replace(sql, m => (m.Groups[1].Value == "api" ? ncp.ApiSchema : ncp.WorkerSchema) + ".");

        // The Worker hears of the registration through RabbitMQ: its rows come a moment later.
        var rows = await NcpSystem.EventuallyAsync(
            () => ncp.QueryRowsAsync(sql),
            rows => rows.Count > 0 && rows.All(r => r.All(v => v is not null)),
            TimeSpan.FromSeconds(60));
        Assert.NotEmpty(rows);
    }

    private static string Normalised(string path) =>
        Placeholder().Replace(path.Split('?')[0].TrimEnd('.', ',', ':', ';'), "{}").Trim('/');

    [GeneratedRegex(@"\b(GET|POST|PUT|PATCH|DELETE) (/[A-Za-z0-9_\-/{}<>.]+)")]
    private static partial Regex EndpointMention();

    [GeneratedRegex(@"\{[^}]*\}|<[^>]*>")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^HTTP/[0-9.]+ ([0-9]{3})", RegexOptions.Multiline)]
    private static partial Regex HttpStatus();

    [GeneratedRegex(@"^\s*(?:[A-Z_]+=\S+\s+)*\./ncp\s+([a-z]+)")]
    private static partial Regex NcpCommand();

    [GeneratedRegex(@"^  ([a-z]+)\b", RegexOptions.Multiline)]
    private static partial Regex UsageCommand();

    [GeneratedRegex(@"\bNCP_[A-Z_]+\b")]
    private static partial Regex NcpVariable();

    [GeneratedRegex(@"KZ-NCP-[0-9]{4}-[0-9]{6}")]
    private static partial Regex RegisterNumber();

    [GeneratedRegex(@"\b(api|worker)\.")]
    private static partial Regex SchemaName();
}
