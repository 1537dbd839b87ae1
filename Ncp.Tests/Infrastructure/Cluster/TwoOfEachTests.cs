using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Live;
using Ncp.Contracts.Cases;
using Ncp.Contracts.Deadlines;
using Ncp.Contracts.Live;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Cluster;

/// <summary>
/// Two Apis and two Workers on one schema each and one set of queues: what must happen once happens once (the event log's
/// publication, each wake-up, each partner mail), and what every screen must hear reaches both Apis.
/// </summary>
[Collection(TwinCollection.Name)]
public sealed class TwoOfEachTests(TwinNcp ncp)
{
    [Fact]
    public async Task Registrations_on_either_Api_are_published_once_and_reach_the_screens_of_both()
    {
        var published = new Watch();
        using var fromA = ncp.Api.Services.GetRequiredService<IBusControl>().ConnectPublishObserver(published);
        using var fromB = ncp.Api2.Services.GetRequiredService<IBusControl>().ConnectPublishObserver(published);
        var screenA = new ConcurrentQueue<RecordChange>();
        var screenB = new ConcurrentQueue<RecordChange>();
        using var watchingA = Watching(ncp.Api.Services, screenA);
        using var watchingB = Watching(ncp.Api2.Services, screenB);

        var onA = NcpSystem.ClientFor(ncp.Api, "duty");
        var onB = NcpSystem.ClientFor(ncp.Api2, "duty");
        var ids = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await (i % 2 == 0 ? onA : onB).RegisterAsync(ItemsApi.OutgoingRequest())).GetProperty("id").GetGuid());
        }

        // The subscription publishes in the event log's order: once the last one is out, a second publisher's copies of the
        // earlier ones would be out too.
        await NcpSystem.EventuallyAsync(
            () => Task.FromResult(published.Of<ItemRegistered>().Count(m => m.ItemId == ids[^1])), n => n >= 1, TimeSpan.FromSeconds(60));
        await NcpSystem.EventuallyAsync(
            () => Task.FromResult(Registered(screenA, ids) + Registered(screenB, ids)), n => n >= 2 * ids.Count, TimeSpan.FromSeconds(60));

        Assert.All(ids, id => Assert.Equal(1, published.Of<ItemRegistered>().Count(m => m.ItemId == id)));
        Assert.Equal(1, published.Of<ChangesRecorded>().Count(m => m.Changes.Any(c => c.Id == ids[0] && c.What == "item-registered")));
        Assert.All(ids, id => Assert.Equal((1, 1), (Registered(screenA, [id]), Registered(screenB, [id]))));
    }

    [Fact]
    public async Task Each_due_wake_up_fires_once_though_both_Workers_claim_them_at_the_same_time()
    {
        var consumed = new Watch();
        using var onA = ncp.Api.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);
        using var onB = ncp.Api2.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);
        var batch = Guid.CreateVersion7();

        var due = await DueNowAsync(batch, 600);

        await NcpSystem.EventuallyAsync(
            () => Task.FromResult(consumed.Of<WakeUpDue>().Count(m => m.Step.StartsWith(batch.ToString(), StringComparison.Ordinal))),
            n => n >= due, TimeSpan.FromSeconds(45));
        // One more, fired after the rest: by then any second firing of the earlier ones would have been heard.
        var last = Guid.CreateVersion7();
        await DueNowAsync(last, 1);
        await NcpSystem.EventuallyAsync(() => Task.FromResult(consumed.Of<WakeUpDue>().Count(m => m.Step.StartsWith(last.ToString(), StringComparison.Ordinal))), n => n == 1);

        var fired = consumed.Of<WakeUpDue>().Where(m => m.Step.StartsWith(batch.ToString(), StringComparison.Ordinal)).ToArray();
        Assert.Equal(due, fired.DistinctBy(m => (m.ItemId, m.Step)).Count());
        Assert.Equal(due, fired.Length);
        // Both Workers took part (each publishes from its own bus address).
        Assert.Equal(2, consumed.SourcesOf<WakeUpDue>(m => m.Step.StartsWith(batch.ToString(), StringComparison.Ordinal)).Count());
    }

    [Fact]
    public async Task Each_partner_mail_is_sent_once_though_both_Workers_dispatch()
    {
        var partner = await ncp.PartnerAsync("de");

        var sent = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => ncp.SendRequestAsync(partner, $"Two Workers, mail {i}")));

        foreach (var (_, messageId) in sent)
        {
            await ncp.FetchAsync(partner.Address, messageId);
        }

        foreach (var (_, messageId) in sent)
        {
            Assert.Equal(1, await ncp.CountAsync(partner.Address, messageId));
        }
    }

    [Fact]
    public async Task Both_processes_reach_the_primary_through_a_host_list_whose_first_host_is_down()
    {
        Assert.StartsWith($"Host=127.0.0.1:{ncp.DeadPort},", ncp.ApiSettings["ConnectionStrings:Postgres"], StringComparison.Ordinal);
        foreach (var host in new[] { ncp.Api.CreateClient(), ncp.Api2.CreateClient(), ncp.Worker.CreateClient(), ncp.Worker2.CreateClient() })
        {
            using var ready = await host.GetAsync("/health/ready");
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        }

        // The migrations ran through the same string (the fixture's), and the Worker's schema answers through it.
        Assert.True(await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.schema_migrations") > 0);
    }

    /// <summary><paramref name="count"/> wake-ups due a minute ago, written straight into the Worker's table (as another Worker would).</summary>
    private async Task<int> DueNowAsync(Guid batch, int count)
    {
        var rows = await ncp.QueryAsync<int>($"""
            with added as (
                insert into {ncp.WorkerSchema}.timers (item_id, step, due_at, requested_at)
                select gen_random_uuid(), @batch || '-' || n, now() - interval '1 minute', now() from generate_series(1, @count) n
                returning 1)
            select count(*)::int from added
            """, ("batch", batch.ToString()), ("count", count));
        return rows;
    }

    private static IDisposable Watching(IServiceProvider api, ConcurrentQueue<RecordChange> screen) =>
        api.GetRequiredService<LiveUpdates>().Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                screen.Enqueue(change);
            }

            return Task.CompletedTask;
        });

    private static int Registered(IEnumerable<RecordChange> screen, IReadOnlyCollection<Guid> ids) =>
        screen.Count(c => c.What == "item-registered" && ids.Contains(c.Id));

    /// <summary>Messages published or consumed on the buses it is connected to, with the address of the bus that sent each.</summary>
    private sealed class Watch : IPublishObserver, IConsumeObserver
    {
        private readonly ConcurrentQueue<(object Message, Uri? Source)> seen = new();

        public T[] Of<T>() => [.. seen.Select(s => s.Message).OfType<T>()];

        public IEnumerable<Uri?> SourcesOf<T>(Func<T, bool> match) => seen.Where(s => s.Message is T m && match(m)).Select(s => s.Source).Distinct();

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class => Saw(context.Message, context.SourceAddress);

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class => Saw(context.Message, context.SourceAddress);

        public Task PrePublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;

        private Task Saw(object message, Uri? source)
        {
            seen.Enqueue((message, source));
            return Task.CompletedTask;
        }
    }
}
