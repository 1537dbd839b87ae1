using System.Net.Http.Headers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Contracts.Deadlines;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Timers;

namespace Ncp.Tests.Deadlines;

/// <summary>A simulated clock of its own: the chain's rungs must not count in the simulated year's books.</summary>
[CollectionDefinition(Name)]
public sealed class SimulatedChainCollection : ICollectionFixture<SimulatedNcp>
{
    public const string Name = "simulated-chain";
}

/// <summary>
/// A preservation whose term ends before the legal-assistance request that needs its data is answered: the chain warns, and the
/// preservation-expiring rung tells the people concerned the configured lead before the expiry, on the shared simulated clock
/// through the Worker's timers and RabbitMQ; once the partner confirms an extension past the answer, the next rung finds the
/// chain holding and tells nobody.
/// </summary>
[Collection(SimulatedChainCollection.Name)]
public sealed class PreservationExpiryTests(SimulatedNcp ncp)
{
    [Fact]
    public async Task An_answer_expected_after_the_term_rings_the_expiry_rung_fourteen_days_before_and_an_extension_silences_the_next()
    {
        var start = ncp.Clock.GetUtcNow();
        var duty = Officer("duty");
        var until = ChainApi.Whole(start.AddDays(30));
        var preservation = await duty.PreservedAsync(ChainApi.Preservation("TR-CYBER247", $"Simulated chain {Guid.NewGuid():N}"), until);
        var legalAssistance = await duty.FollowedUpAsync(preservation, ChainApi.LegalAssistance("TR-CYBER247", "Formal request"));
        var id = preservation.GetProperty("id").GetGuid();
        Assert.Single((await duty.ChainAsync(preservation.Number())).GetProperty("warnings").EnumerateArray());
        var warnAt = until.AddDays(-14);
        await NcpSystem.EventuallyAsync(() => RungDueAsync(id), due => due == warnAt);

        await AdvanceToAsync(warnAt.AddMinutes(-1));
        Assert.Equal(0L, await ToldAsync(id));

        await AdvanceToAsync(warnAt.AddMinutes(1));
        await NcpSystem.EventuallyAsync(() => ToldAsync(id), told => told == 1);
        var escalated = await duty.GetJsonAsync($"/api/items/{preservation.Number()}");
        Assert.Contains("preservation-expiring", escalated.GetProperty("escalations").EnumerateArray().Select(e => e.GetString()));
        // The duty desk's mail says which rung and what to do, queued in the Worker's outbox.
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>(
                $"select count(*) from {ncp.WorkerSchema}.notifications where subject like @n "
                + "and body like '%preservation-expiring%' and body like '%extend preservation%'",
                ("n", $"%{preservation.Number()}%")),
            queued => queued >= 1);

        await duty.ActAsync(preservation.Number(), "preservation/extend");
        var extendedUntil = legalAssistance.ReplyBy().AddDays(30);
        await duty.ActAsync(preservation.Number(), "preservation/confirm", new { preservedUntil = extendedUntil });
        Assert.Empty((await duty.ChainAsync(legalAssistance.Number())).GetProperty("warnings").EnumerateArray());
        await NcpSystem.EventuallyAsync(() => RungDueAsync(id), due => due == extendedUntil.AddDays(-14));

        var consumed = new ConsumeCounter();
        using var _ = ncp.Api.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);
        await AdvanceToAsync(extendedUntil.AddDays(-14).AddMinutes(1));
        await NcpSystem.EventuallyAsync(
            () => Task.FromResult(consumed.Count<WakeUpDue>(m => m.ItemId == id && m.Step == "preservation-expiring")), n => n == 1);
        Assert.Equal(1L, await ToldAsync(id));
    }

    // Tokens issued on the simulated clock stay valid however far it runs.
    private HttpClient Officer(string login)
    {
        var client = ncp.Api.CreateClient();
        var user = DevelopmentSignIn.Users.Single(u => u.Login == login);
        var token = ncp.Api.Services.GetRequiredService<DevelopmentSignIn>().Issue(user, TimeSpan.FromDays(400));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    // Six hours at a time, every wake-up due by then fired and recorded before the clock moves on.
    private async Task AdvanceToAsync(DateTimeOffset at)
    {
        var loop = ncp.Worker.Services.GetRequiredService<TimerLoop>();
        while (ncp.Clock.GetUtcNow() < at)
        {
            var step = at - ncp.Clock.GetUtcNow();
            ncp.Clock.Advance(step < TimeSpan.FromHours(6) ? step : TimeSpan.FromHours(6));
            loop.Nudge();
            var now = ncp.Clock.GetUtcNow();
            await NcpSystem.EventuallyAsync(
                () => ncp.QueryAsync<long>(
                    $"select count(*) from {ncp.WorkerSchema}.timers where fired_at is null and due_at <= @now", ("now", now)),
                due => due == 0);
        }
    }

    private async Task<DateTimeOffset?> RungDueAsync(Guid item)
    {
        var due = await ncp.QueryAsync<DateTime?>(
            $"select due_at from {ncp.WorkerSchema}.timers where item_id = @i and step = 'preservation-expiring' and fired_at is null",
            ("i", item));
        return due is { } utc ? new DateTimeOffset(utc, TimeSpan.Zero) : null;
    }

    private Task<long> ToldAsync(Guid item) =>
        ncp.QueryAsync<long>(
            $"select count(*) from {ncp.ApiSchema}.mt_events where stream_id = @i and type = 'deadline_escalated' "
            + "and data->>'Step' = 'preservation-expiring'",
            ("i", item));
}
