using System.Text;
using Microsoft.Extensions.Time.Testing;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Mail.Incoming;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// The inbound store's claims against the real PostgreSQL, in a schema of their own (the running Worker never sees these
/// mails) and on a simulated clock: a mail whose reading throws is tried again later, alone, and never holds up the rest;
/// a mail left claimed by a Worker that died comes back after the lease, counted.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class InboundRetryTests(NcpSystem ncp) : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2031, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly OwnWorkerSchema own = new(ncp, "retry");
    private InboundStore store = null!;

    public async Task InitializeAsync() => store = new InboundStore(await own.MigrateAsync(), clock);

    public Task DisposeAsync() => own.DisposeAsync().AsTask();

    [Fact]
    public async Task A_mail_whose_reading_throws_waits_for_its_retry_while_the_others_are_judged()
    {
        await StoreAsync("first", "poison", "last");
        var seen = new List<string>();

        var more = await store.ProcessNewAsync(10, mail => Judge(mail, seen), default);

        Assert.False(more);
        Assert.Equal(["delivered", "new", "delivered"], await StatusesAsync());
        var (attempts, error) = await AttemptsAsync("poison");
        Assert.Equal(1, attempts);
        Assert.Contains("the reader failed", error, StringComparison.Ordinal);

        // Not before its pause has passed; then alone, with its attempt counted.
        Assert.False(await store.ProcessNewAsync(10, mail => Judge(mail, seen), default));
        Assert.Equal(3, seen.Count);
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.True(await store.ProcessNewAsync(10, mail => Judge(mail, seen), default));
        Assert.Equal(["first", "last", "poison", "poison"], seen.Order());
        Assert.Equal(2, (await AttemptsAsync("poison")).Attempts);
    }

    [Fact]
    public async Task A_mail_left_claimed_by_a_worker_that_died_comes_back_after_the_lease_counted_and_alone()
    {
        await StoreAsync("one", "two");
        // The "process" dies: the claim is taken and never marked (no hand-back, as after kill -9).
        await Assert.ThrowsAnyAsync<Exception>(() => store.ProcessNewAsync(10, _ => throw new InvalidProgramException("killed"), default));
        Assert.Equal(["new", "new"], await StatusesAsync());
        Assert.False(await store.ProcessNewAsync(10, mail => Judge(mail, []), default));
        Assert.Equal(["new", "new"], await StatusesAsync());

        clock.Advance(InboundStore.Lease + TimeSpan.FromSeconds(1));
        var seen = new List<string>();
        Assert.True(await store.ProcessNewAsync(10, mail => Judge(mail, seen), default));
        Assert.Single(seen);
        Assert.True(await store.ProcessNewAsync(10, mail => Judge(mail, seen), default));
        Assert.Equal(["delivered", "delivered"], await StatusesAsync());
        Assert.Equal(2, (await AttemptsAsync("one")).Attempts);
    }

    [Fact]
    public async Task A_mail_not_at_fault_is_handed_back_uncounted()
    {
        await StoreAsync("broker-away");

        await store.ProcessNewAsync(10, _ => Task.FromResult(Judgement.Later("hand-over failed: broker unreachable")), default);

        Assert.Equal((0, "hand-over failed: broker unreachable"), await AttemptsAsync("broker-away"));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(await store.ProcessNewAsync(10, mail => Judge(mail, []), default));
        Assert.Equal(["delivered"], await StatusesAsync());
    }

    private static Task<Judgement> Judge(InboundMail mail, List<string> seen)
    {
        var name = Encoding.ASCII.GetString(mail.Raw);
        lock (seen)
        {
            seen.Add(name);
        }

        return name == "poison"
            ? Task.FromResult(Judgement.Retry("InvalidOperationException: the reader failed", TimeSpan.FromSeconds(5)))
            : Task.FromResult(new Judgement("delivered", null, null, "DE-BKA"));
    }

    private async Task StoreAsync(params string[] names)
    {
        var fetched = names.Select((n, i) => new InboundStore.Fetched((uint)i + 1, Encoding.ASCII.GetBytes(n), n, "de@partner.example", n)).ToList();
        foreach (var mail in fetched)
        {
            await store.StoreAsync("INBOX", 1, [mail], default);
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    private async Task<List<string>> StatusesAsync()
    {
        await using var command = own.Data.CreateCommand($"select status from {own.Schema}.inbound_mail order by received_at");
        var statuses = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            statuses.Add(reader.GetString(0));
        }

        return statuses;
    }

    private async Task<(int Attempts, string? Error)> AttemptsAsync(string messageId)
    {
        await using var command = own.Data.CreateCommand($"select attempts, last_error from {own.Schema}.inbound_mail where message_id = $1");
        command.Parameters.AddWithValue(messageId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }
}
