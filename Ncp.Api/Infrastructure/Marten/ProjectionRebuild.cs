using System.Globalization;
using JasperFx.Events.Projections;
using Marten;

namespace Ncp.Api.Infrastructure.Marten;

/// <summary>
/// <c>Ncp.Api rebuild [projection...]</c>: read models built again from the event log, through Marten's projection
/// daemon, which rebuilds inline projections as well as async ones (it empties the read model, then replays every event
/// up to the log's current end). Run with the Api stopped: see docs/operations.md.
/// </summary>
public static class ProjectionRebuild
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(2);

    // A large log takes a while to replay; Marten's default of five minutes a shard would fail a rebuild that is going well.
    private static readonly TimeSpan ShardTimeout = TimeSpan.FromHours(2);

    /// <summary>Projections kept in the database, in the order they are rebuilt when none is named. Live ones are folded on demand and have nothing to rebuild.</summary>
    public static string[] Names(IServiceProvider services) =>
        [.. services.GetRequiredService<StoreOptions>().Projections.All.Where(p => p.Lifecycle != ProjectionLifecycle.Live).Select(p => p.Name)];

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> requested, TextWriter output, CancellationToken ct)
    {
        var known = Names(services);
        var unknown = requested.Where(name => !known.Contains(name, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
        {
            await output.WriteLineAsync($"rebuild: no projection named {string.Join(", ", unknown)}; one of: {string.Join(", ", known)}");
            return Usage;
        }

        var store = services.GetRequiredService<IDocumentStore>();
        var time = services.GetRequiredService<TimeProvider>();
        var events = await EventCountAsync(store, ct);
        using var daemon = await store.BuildProjectionDaemonAsync();
        foreach (var name in requested.Count == 0 ? known : requested)
        {
            var started = time.GetTimestamp();
            await output.WriteLineAsync($"rebuild: {name} from {events} events...");
            using var progress = new CancellationTokenSource();
            var reporting = ReportAsync(store, name, events, output, time, progress.Token);
            try
            {
                await daemon.RebuildProjectionAsync(name, ShardTimeout, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await output.WriteLineAsync($"rebuild: {name} failed: {e.Message}");
                return Failed;
            }
            finally
            {
                await progress.CancelAsync();
                await reporting;
            }

            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture, $"rebuild: {name} done in {time.GetElapsedTime(started).TotalSeconds:0.0} s"));
        }

        return Done;
    }

    private static async Task<long> EventCountAsync(IDocumentStore store, CancellationToken ct)
    {
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: ct);
        return statistics.EventCount;
    }

    // The daemon records how far a rebuild has got in its progression table; one line every few seconds says so.
    private static async Task ReportAsync(IDocumentStore store, string name, long events, TextWriter output, TimeProvider time, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ProgressEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var rows = await store.Advanced.AllProjectionProgress(token: ct);
                var sequence = rows.Where(r => r.ShardName.StartsWith(name + ":", StringComparison.Ordinal)).Select(r => r.Sequence).DefaultIfEmpty().Max();
                await output.WriteLineAsync($"rebuild: {name} at event sequence {sequence} (log holds {events} events)");
            }
        }
        catch (OperationCanceledException)
        {
            // The rebuild ended; so does its progress line.
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            // Only the progress line is lost; the rebuild goes on and reports its own end.
            await output.WriteLineAsync($"rebuild: {name}: no progress to show ({e.Message})");
        }
    }
}
