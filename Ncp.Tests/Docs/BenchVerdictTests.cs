using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Docs;

/// <summary>
/// The benches (infra/bench) fail loudly: a row of requests with one not answered 2xx, or a figure not measured, makes the
/// bench exit 1 naming it. Run on rows in hey's own CSV form, through the functions every bench uses (common.sh).
/// </summary>
public sealed class BenchVerdictTests
{
    private const string Header = "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset";

    [Fact]
    public void A_row_with_a_request_answered_400_fails_the_bench_naming_the_row_and_the_count()
    {
        var rows = Enumerable.Range(0, 20).Select(i => $"0.0100,0,0,0,0.0100,0,{(i % 5 == 0 ? 400 : 200)},0.{i:00}");

        var run = Bench(rows, "report \"$(hey_row list-deep-page \"$CSV\" 20 0 1)\"; bench_verdict");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAILED list-deep-page: 4 of 20 requests failed", run.Errors, StringComparison.Ordinal);
        Assert.Contains("  list-deep-page: 4 of 20 requests failed (not answered, or not 2xx)", run.OutputText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_whose_requests_were_not_answered_and_an_empty_figure_fail_the_bench_as_not_measured()
    {
        var run = Bench([], "report \"$(hey_row list-newest \"$CSV\" 400 0 1)\"; check_measured 'pgbench -N baseline' ''; bench_verdict");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("list-newest: not measured: no request was answered", run.OutputText, StringComparison.Ordinal);
        Assert.Contains("pgbench -N baseline: could not be measured", run.OutputText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bench_whose_requests_were_all_answered_2xx_and_figures_measured_passes()
    {
        var rows = Enumerable.Range(0, 20).Select(i => $"0.0100,0,0,0,0.0100,0,201,0.{i:00}");

        var run = Bench(
            rows, "report \"$(hey_row register-full-speed \"$CSV\" 20 0 1)\"; check_measured 'pgbench -N baseline' 812.5; bench_verdict");

        Assert.True(run.ExitCode == 0, run.OutputText + run.Errors);
        Assert.Matches(@"register-full-speed\s+20\s+20\s", run.OutputText);
        Assert.DoesNotContain("FAILED", run.OutputText, StringComparison.Ordinal);
    }

    private static ToolRun Bench(IEnumerable<string> csvRows, string script)
    {
        var folder = Directory.CreateTempSubdirectory("ncp-bench-").FullName;
        try
        {
            var csv = Path.Combine(folder, "row.csv");
            File.WriteAllLines(csv, [Header, .. csvRows]);
            // What bench_setup sets, without starting the servers: the report and the list of failed figures.
            var setup = "set -euo pipefail; source infra/bench/common.sh; "
                + $"REPORT={folder}/report.txt FAILURES={folder}/failures CSV={csv}; ";
            return Tool.Run("bash", ["-c", setup + script], TestServers.RepositoryRoot);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
