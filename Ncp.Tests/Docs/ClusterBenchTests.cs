using System.Globalization;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Docs;

/// <summary>
/// What <c>./ncp bench cluster</c> (infra/bench/cluster.sh) says beside its figures, through the functions of common.sh it
/// uses: where the CPU of the two cores went, read from /proc for whole process trees, and why a figure grew or did
/// not from one Api and Worker to two of each.
/// </summary>
public sealed class ClusterBenchTests
{
    [Fact]
    public void A_figure_that_does_not_grow_on_busy_cores_is_called_CPU_bound_naming_where_the_CPU_went()
    {
        var reason = Reason("registrations 4.7 3.6 2 190 31 24 97 3");

        Assert.Equal(
            "registrations × 0.77 with two of each: does not grow, CPU-bound: with one of each the 2 cores were already 95 % busy "
            + "(Api + Worker 31 %, servers 24 %, processes outside the cluster 97 % of one core); a second Api and Worker share the same cores",
            reason);
    }

    [Fact]
    public void A_figure_that_does_not_grow_while_the_cores_wait_on_disks_is_called_disk_bound()
    {
        Assert.StartsWith("registrations × 1.05 with two of each: does not grow: the cores were 60 % busy and waited on disks 60 %",
            Reason("registrations 4 4.2 2 120 31 24 50 60"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_figure_that_grows_by_half_or_more_is_said_to_grow_and_one_that_does_not_on_idle_cores_points_elsewhere()
    {
        Assert.StartsWith("mails × 2.55 with two of each: grows", Reason("mails 1.1 2.8 2 143 31 24 97 3"), StringComparison.Ordinal);
        Assert.Contains("only 50 % busy with one of each: the limit is elsewhere", Reason("mails 4 4.2 2 100 31 24 40 5"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_CPU_of_a_process_tree_counts_what_its_children_used_and_an_empty_group_counts_nothing()
    {
        // A subshell (the root) whose child spends CPU, then sleeps; the tree is read once the child sleeps.
        var run = Bash("""
            ( sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done; exec sleep 30' & wait ) & root=$!
            sleep 0.2; child=$(pgrep -P "$root")
            until [[ $(cat "/proc/$child/comm") == sleep ]]; do sleep 0.1; done
            echo "$(cpu_trees_ms "tree=$root" "none=") child=$(cpu_ms "$child")"
            kill "$child" "$root"
            """);

        var figures = run.OutputText.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('='))
            .ToDictionary(f => f[0], f => int.Parse(f[1], CultureInfo.InvariantCulture));
        Assert.True(figures["child"] > 0, run.OutputText + run.Errors);
        Assert.True(figures["tree"] >= figures["child"], run.OutputText);
        Assert.Equal(0, figures["none"]);
    }

    private static string Reason(string arguments) => Bash($"growth_reason {arguments}").OutputText.Trim();

    private static ToolRun Bash(string script) =>
        Tool.Run("bash", ["-c", "set -euo pipefail; source infra/bench/common.sh; " + script], TestServers.RepositoryRoot).OrThrow();
}
