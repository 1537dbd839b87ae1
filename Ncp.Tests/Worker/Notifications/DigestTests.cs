using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Notifications;

namespace Ncp.Tests.Worker.Notifications;

/// <summary>The morning digest, on a simulated clock years ahead so the Worker host's own loops never see these rows due.</summary>
[Collection(NcpCollection.Name)]
public sealed class DigestTests(NcpSystem ncp)
{
    // Monday 3 March 2031, 08:05 in Almaty (UTC+5).
    private static readonly DateTimeOffset MondayMorning = new(2031, 3, 3, 3, 5, 0, TimeSpan.Zero);

    private static NotificationSettings Settings(string officerId) => new()
    {
        DutyMailbox = "duty@ncp.example",
        People = [new() { Id = officerId, Name = "Officer One", Email = "officer1@ncp.example", TimeZone = "Asia/Almaty" }],
    };

    [Fact]
    public void A_digest_is_due_on_a_working_morning_and_the_next_comes_on_the_next_working_day()
    {
        var loop = Loop(Settings("x"), new FakeTimeProvider(MondayMorning));
        var officer = Settings("x").People[0];

        Assert.Equal(new DateOnly(2031, 3, 3), loop.DigestMoment(officer, MondayMorning).Due);
        var saturday = new DateTimeOffset(2031, 3, 8, 5, 0, 0, TimeSpan.Zero);
        var (due, next) = loop.DigestMoment(officer, saturday);
        Assert.Null(due);
        Assert.Equal(new DateTimeOffset(2031, 3, 10, 3, 0, 0, TimeSpan.Zero), next); // Monday 08:00 Almaty
    }

    [Fact]
    public async Task An_officer_gets_one_digest_a_morning_listing_what_of_theirs_falls_due_within_a_day()
    {
        var officerId = "officer-" + Guid.NewGuid().ToString("N")[..8];
        var soon = await ItemWithRungAsync(officerId, MondayMorning.AddHours(3));
        var later = await ItemWithRungAsync(officerId, MondayMorning.AddHours(30));
        var someoneElses = await ItemWithRungAsync("another-officer", MondayMorning.AddHours(2));
        var clock = new FakeTimeProvider(MondayMorning);

        foreach (var _ in new[] { 1, 2 }) // a second Worker (or a restart) the same morning adds nothing
        {
            var loop = Loop(Settings(officerId), clock);
            await loop.StartAsync(default);
            await NcpSystem.EventuallyAsync(() => DigestsAsync(), n => n >= 1);
            await loop.StopAsync(default);
        }

        Assert.Equal(1L, await DigestsAsync());
        var body = await ncp.QueryAsync<string>(
            $"select body from {ncp.WorkerSchema}.notifications where recipient = 'officer1@ncp.example' and subject like 'Ncp digest for 2031-03-03%'");
        Assert.Contains(soon, body, StringComparison.Ordinal);
        Assert.DoesNotContain(later, body, StringComparison.Ordinal);
        Assert.DoesNotContain(someoneElses, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_digest_leaves_out_a_compartments_items_for_someone_not_cleared_and_does_not_count_them()
    {
        // Monday 1 March 2032, 08:05 in Almaty: a morning of this test's own.
        var morning = new DateTimeOffset(2032, 3, 1, 3, 5, 0, TimeSpan.Zero);
        var open = await ItemWithRungAsync("nobody", morning.AddHours(2), "24-7");
        var csto = await ItemWithRungAsync("nobody", morning.AddHours(3), "csto");
        var settings = new NotificationSettings
        {
            DutyMailbox = "duty@ncp.example",
            People =
            [
                new() { Id = "s1", Name = "Uncleared", Email = "uncleared@ncp.example", Roles = ["supervisor"], TimeZone = "Asia/Almaty" },
                new() { Id = "s2", Name = "Cleared", Email = "cleared@ncp.example", Roles = ["supervisor"], TimeZone = "Asia/Almaty", Clearances = ["csto"] },
            ],
        };

        var loop = Loop(settings, new FakeTimeProvider(morning));
        await loop.StartAsync(default);
        var digests = await NcpSystem.EventuallyAsync(() => ncp.QueryRowsAsync(
            $"select recipient, subject, body from {ncp.WorkerSchema}.notifications where subject like 'Ncp digest for 2032-03-01%' and recipient like '%cleared@ncp.example'"),
            rows => rows.Count == 2);
        await loop.StopAsync(default);

        var uncleared = digests.Single(d => (string)d[0]! == "uncleared@ncp.example");
        var cleared = digests.Single(d => (string)d[0]! == "cleared@ncp.example");
        Assert.Contains(open, (string)uncleared[2]!, StringComparison.Ordinal);
        Assert.DoesNotContain(csto, (string)uncleared[2]!, StringComparison.Ordinal);
        Assert.Contains(csto, (string)cleared[2]!, StringComparison.Ordinal);
        // The count in the subject is of what the reader may see: one item less than the cleared supervisor's.
        Assert.Equal(Count((string)cleared[1]!) - 1, Count((string)uncleared[1]!));
    }

    private static int Count(string subject) => int.Parse(
        System.Text.RegularExpressions.Regex.Match(subject, @": (\d+) due").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private DigestLoop Loop(NotificationSettings settings, TimeProvider clock) => new(
        ncp.Worker.Services.GetRequiredService<WorkerDatabase>(), settings, ncp.Worker.Services.GetRequiredService<NotificationSender>(),
        clock, NullLogger<DigestLoop>.Instance);

    private Task<long> DigestsAsync() => ncp.QueryAsync<long>(
        $"select count(*) from {ncp.WorkerSchema}.notifications where recipient = 'officer1@ncp.example' and subject like 'Ncp digest for 2031-03-03%'");

    /// <summary>The Worker's own view of an item and one pending rung, as its consumers would have recorded them.</summary>
    private async Task<string> ItemWithRungAsync(string officerId, DateTimeOffset due, string channel = "24-7")
    {
        var id = Guid.CreateVersion7();
        var number = $"KZ-NCP-2031-{Random.Shared.Next(100000, 999999)}";
        await ncp.QueryAsync<int?>($"""
            insert into {ncp.WorkerSchema}.items
              (item_id, register_number, partner_code, subject, priority, state, registered_at, received_at, kind, direction, channel, restricted,
               assigned_officer_id, assigned_at)
            values (@id, @number, 'DE-CYBER247', 'Digest test', 'urgent', 'registered', now(), now(), 'request', 'outgoing', @channel, @channel = 'csto',
                    @officer, now());
            insert into {ncp.WorkerSchema}.timers (item_id, step, due_at, requested_at) values (@id, 'reply-by:80%', @due, now());
            """, ("id", id), ("number", number), ("officer", officerId), ("due", due), ("channel", channel));
        return number;
    }
}
