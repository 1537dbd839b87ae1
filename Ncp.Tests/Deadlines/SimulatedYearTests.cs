using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Timers;
using Xunit.Abstractions;

namespace Ncp.Tests.Deadlines;

/// <summary>
/// A simulated year of the NCP's work: items across every channel, kind, direction and priority, registered and sent
/// through HTTP, their ladders scheduled in the Worker, the shared clock moved forward six hours at a time, every
/// wake-up fired through RabbitMQ and recorded by the Api.
/// </summary>
[Collection(SimulatedCollection.Name)]
public sealed class SimulatedYearTests(SimulatedNcp ncp, ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromHours(6);
    private static readonly int ItemCount = int.TryParse(Environment.GetEnvironmentVariable("NCP_SIM_ITEMS"), out var n) ? n : 6_000;

    [Fact]
    public async Task Over_a_year_every_rung_fires_once_in_order_and_every_item_gets_its_suggestion_in_time()
    {
        var clock = Stopwatch.StartNew();
        var start = ncp.Clock.GetUtcNow();
        var client = ncp.ClientFor("supervisor");
        var partners = (await client.GetJsonAsync("/api/partners")).EnumerateArray().ToArray();

        var bodies = Enumerable.Range(0, ItemCount).Select(i => Item(i, partners[i % partners.Length], start)).ToList();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (body, ct) =>
        {
            using var registered = await client.PostAsJsonAsync("/api/items", body, ct);
            var item = await ItemsApi.ExpectAsync(registered, System.Net.HttpStatusCode.Created);
            if (item.Str("direction") == "outgoing")
            {
                await client.ActAsync(item.Number(), "send");
            }
        });
        output.WriteLine($"{ItemCount} items registered and sent in {clock.Elapsed}");

        var end = start.AddDays(366);
        var scheduled = await ncp.QueryAsync<long>($"""
            select count(*) from {ncp.ApiSchema}.mt_doc_itemdetails d, jsonb_array_elements(d.data->'Deadlines'->'Steps') s
            """);
        // Rungs tied to long retention (some countries keep data for years) fall after the simulated year.
        var expected = await ncp.QueryAsync<long>($"""
            select count(*) from {ncp.ApiSchema}.mt_doc_itemdetails d, jsonb_array_elements(d.data->'Deadlines'->'Steps') s
            where (s->>'DueAt')::timestamptz <= @end
            """, ("end", end));
        await NcpSystem.EventuallyAsync(() => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers"), c => c == scheduled, TimeSpan.FromMinutes(5));
        output.WriteLine($"{scheduled} rungs scheduled in the Worker ({expected} due within the year) after {clock.Elapsed}");

        var loop = ncp.Worker.Services.GetRequiredService<TimerLoop>();
        while (ncp.Clock.GetUtcNow() < end)
        {
            ncp.Clock.Advance(Step);
            // A simulated clock jumps; a nap that began just before the jump would wait for the next one. Real time flows.
            loop.Nudge();
            var now = ncp.Clock.GetUtcNow();
            await NcpSystem.EventuallyAsync(
                async () => (Due: await UnfiredDueAsync(now), Fired: await FiredAsync(), Recorded: await EscalationsAsync()),
                s => s.Due == 0 && s.Fired == s.Recorded,
                TimeSpan.FromMinutes(2));
        }

        output.WriteLine($"a simulated year in {clock.Elapsed}");

        // Every rung of every item fired and was recorded exactly once.
        var firedDue = await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers where fired_at is not null and due_at <= @end", ("end", end));
        var firedLater = await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers where fired_at is not null and due_at > @end", ("end", end));
        Assert.True(expected == firedDue && firedLater == 0, $"expected {expected} rungs to fire; {firedDue} due within the year fired, {firedLater} due later fired");
        Assert.Equal(0L, await ncp.QueryAsync<long>($"""
            select count(*) from (select stream_id, data->>'Step' from {ncp.ApiSchema}.mt_events
            where type = 'deadline_escalated' group by 1, 2 having count(*) > 1) twice
            """));
        Assert.Equal(expected, await EscalationsAsync());

        // Within an item, rungs were recorded in due order.
        Assert.Equal(0L, await ncp.QueryAsync<long>($"""
            select count(*) from (
              select (data->>'DueAt')::timestamptz < lag((data->>'DueAt')::timestamptz) over (partition by stream_id order by version) as backwards
              from {ncp.ApiSchema}.mt_events where type = 'deadline_escalated') x
            where backwards
            """));

        // No item reached its useful-until without a suggested action a week before (or at once, if it came in later than that).
        Assert.Equal(0L, await ncp.QueryAsync<long>($"""
            select count(*) from {ncp.ApiSchema}.mt_doc_itemdetails d
            where (d.data->'Deadlines'->>'UsefulUntil')::timestamptz <= @end
              and not exists (
                select 1 from {ncp.ApiSchema}.mt_events e
                where e.stream_id = d.id and e.type = 'deadline_escalated' and e.data->>'Suggest' <> 'None'
                  and (e.data->>'At')::timestamptz <= greatest(
                        (d.data->'Deadlines'->>'Start')::timestamptz,
                        (d.data->'Deadlines'->>'UsefulUntil')::timestamptz - interval '7 days') + interval '6 hours')
            """, ("end", end)));
    }

    private Task<long> UnfiredDueAsync(DateTimeOffset now) =>
        ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers where fired_at is null and due_at <= @now", ("now", now));

    private Task<long> FiredAsync() => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.timers where fired_at is not null");

    private Task<long> EscalationsAsync() => ncp.QueryAsync<long>($"select count(*) from {ncp.ApiSchema}.mt_events where type = 'deadline_escalated'");

    /// <summary>Item number <paramref name="i"/> of the year: spread over partners, channels, kinds, directions and priorities.</summary>
    private static JsonObject Item(int i, JsonElement partner, DateTimeOffset now)
    {
        var channels = partner.GetProperty("profile").GetProperty("channels").EnumerateArray().Select(c => c.GetString()!).ToArray();
        var channel = channels[i / 7 % channels.Length];
        var kind = channel is "bilateral" or "cis-bkbop" && i % 5 == 0 ? "legal-assistance-task" : i % 9 == 0 ? "initiative-message" : "request";
        var requested = (i % 4) switch
        {
            0 => new JsonArray("preservation"),
            1 => new JsonArray("subscriber-data", "traffic-data"),
            2 => new JsonArray("content-data"),
            _ => new JsonArray("traffic-data"),
        };
        var from = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1 - (i % 90));
        var body = new JsonObject
        {
            ["kind"] = kind,
            ["direction"] = i % 2 == 0 ? "outgoing" : "incoming",
            ["partnerCode"] = partner.Str("code"),
            ["channel"] = channel,
            ["subject"] = $"Simulated item {i}",
            ["crimeCategory"] = i % 3 == 0 ? "internet-fraud" : "computer-crime",
            ["priority"] = (i % 3) switch { 0 => "urgent", 1 => "high", _ => "normal" },
            ["requestedData"] = requested,
            ["dataPeriod"] = new JsonObject { ["from"] = from.ToString("O"), ["to"] = from.AddDays(1).ToString("O") },
        };
        if (i % 2 == 1 && i % 6 == 1)
        {
            body["dueBy"] = now.AddDays(1 + (i % 20)).ToString("O");
        }

        return body;
    }
}
