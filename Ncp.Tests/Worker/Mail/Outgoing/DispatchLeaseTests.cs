using Microsoft.Extensions.Time.Testing;
using Ncp.Contracts.Mail;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Tests.Worker.Mail.Outgoing;

/// <summary>
/// The dispatch ledger's leases against the real PostgreSQL, in a schema of their own (the running Worker never sees these
/// mails) and on a simulated clock. A Worker whose batch outlasts half its lease renews it for the mails still to go; a mail
/// whose lease ran out and that a second Worker claimed meanwhile is no longer the first's to send, so the partner does not
/// get it from both.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class DispatchLeaseTests(NcpSystem ncp) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2031, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly OwnWorkerSchema own = new(ncp, "lease");
    private DispatchLedger ledger = null!;

    public async Task InitializeAsync() => ledger = new DispatchLedger(await own.MigrateAsync(), new GatewaySettings(), clock);

    public Task DisposeAsync() => own.DisposeAsync().AsTask();

    [Fact]
    public async Task A_renewed_lease_keeps_the_mails_and_a_lease_run_out_and_claimed_by_another_gives_them_up()
    {
        var requests = Enumerable.Range(1, 3).Select(Request).ToArray();
        foreach (var request in requests)
        {
            Assert.True(await ledger.RecordAsync(request, default));
        }

        var ids = requests.Select(r => r.DispatchId).ToHashSet();
        var first = await ledger.ClaimDueAsync(10, Lease, default);
        Assert.Equal(ids, first.Due.Select(d => d.DispatchId).ToHashSet());
        Assert.Equal(clock.GetUtcNow() + Lease, first.Until);

        // A minute into the batch: the lease is renewed for all three, and a second Worker finds nothing to claim.
        clock.Advance(TimeSpan.FromMinutes(1));
        var (held, until) = await ledger.RenewAsync(ids, first.Until, Lease, default);
        Assert.Equal(ids, held.ToHashSet());
        Assert.Equal(clock.GetUtcNow() + Lease, until);
        Assert.Empty((await ledger.ClaimDueAsync(10, Lease, default)).Due);

        // One is sent (no longer pending); the renewed lease then runs out and a second Worker claims the other two.
        await ledger.MarkSentAsync([requests[0].DispatchId], default);
        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var second = await ledger.ClaimDueAsync(10, Lease, default);
        Assert.Equal(new[] { requests[1].DispatchId, requests[2].DispatchId }.ToHashSet(), second.Due.Select(d => d.DispatchId).ToHashSet());

        // The first Worker, late, asks to renew the rest: none is its own any more, and the second's lease stands.
        var (late, _) = await ledger.RenewAsync([requests[1].DispatchId, requests[2].DispatchId], until, Lease, default);
        Assert.Empty(late);
        var (kept, _) = await ledger.RenewAsync([requests[1].DispatchId, requests[2].DispatchId], second.Until, Lease, default);
        Assert.Equal(2, kept.Count);

        // A lease that ran out and that nobody claimed since is still its holder's to renew: nothing else sends the mail.
        clock.Advance(Lease * 2);
        var (unclaimed, _) = await ledger.RenewAsync([requests[1].DispatchId], await LeaseEndAsync(requests[1].DispatchId), Lease, default);
        Assert.Single(unclaimed);
    }

    private async Task<DateTimeOffset> LeaseEndAsync(Guid id)
    {
        await using var command = own.Data.CreateCommand($"select next_attempt_at from {own.Schema}.dispatches where dispatch_id = $1");
        command.Parameters.AddWithValue(id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    private static PartnerMailRequested Request(int n) => new(
        Guid.NewGuid(), Guid.NewGuid(), $"KZ-NCP-2031-{n:000000}", "request", "DE-CYBER247", ["de@partner.example"], "smime", false, "en",
        new MailContent("request", $"Leased mail {n}", null, "urgent", false, null, null, null, ["subscriber-data"], "203.0.113.7", null, null, null, null,
            new MailContact("Duty officer", "ncp@ncp.example", "+7 717 000 00 00", "Asia/Almaty")),
        [], DateTimeOffset.UtcNow);
}
