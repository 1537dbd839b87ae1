using System.Net.Http.Json;
using System.Text.Json;
using Ncp.Tests.Fixtures;
using Npgsql;

namespace Ncp.Tests.Worker.Observability;

/// <summary>
/// The Worker's readiness tells when its work is stuck: a row set up in the Worker's own schema as a stuck Worker would
/// leave it. Other tests share this Worker, so each test looks only at its own check's entry, and removes its row.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class BacklogHealthTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_mail_stored_long_ago_and_never_judged_degrades_readiness_until_it_is_judged()
    {
        var id = Guid.CreateVersion7();
        var receivedAt = DateTimeOffset.UtcNow.AddMinutes(-20);
        await using var connection = await OpenAsync();
        // Tried twice and waiting for its next try (not_before), as a mail whose hand-over keeps failing: the processor
        // leaves it be.
        await ExecuteAsync(connection, $"""
            insert into {ncp.WorkerSchema}.inbound_mail
                (id, folder, uid_validity, uid, raw, size, received_at, status, attempts, not_before, last_error)
            values (@id, 'health-test', 1, @uid, '\x00', 1, @at, 'new', 2, now() + interval '1 hour',
                'hand-over failed: connection refused by the broker')
            """, ("id", id), ("uid", Random.Shared.NextInt64(1, int.MaxValue)), ("at", receivedAt));
        try
        {
            var stuck = await CheckAsync("inbound-mail");

            Assert.Equal("Degraded", stuck.Str("status"));
            Assert.Matches(
                $@"^1 mail waiting since (\d{{4}}-\d\d-\d\d )?{receivedAt.UtcDateTime:HH:mm} UTC; "
                + "the oldest was tried 2 times, last: hand-over failed$",
                stuck.Str("description"));
            await GaugeAsync("ncp_inbound_oldest_waiting_age_seconds", atLeast: 20 * 60);

            await ExecuteAsync(connection,
                $"update {ncp.WorkerSchema}.inbound_mail set status = 'delivered', processed_at = now() where id = @id", ("id", id));

            Assert.Equal("Healthy", (await CheckAsync("inbound-mail")).Str("status"));
        }
        finally
        {
            await ExecuteAsync(connection, $"delete from {ncp.WorkerSchema}.inbound_mail where id = @id", ("id", id));
        }
    }

    [Fact]
    public async Task A_mail_to_a_partner_pending_long_past_its_due_time_degrades_readiness()
    {
        var id = Guid.CreateVersion7();
        await using var held = await HoldAsync("dispatches", "dispatch_id", id, $"""
            insert into {ncp.WorkerSchema}.dispatches
                (dispatch_id, item_id, register_number, partner_code, purpose, message_id, recipients, request, status, next_attempt_at,
                 created_at)
            values (@id, @id, 'HEALTH-TEST', 'HEALTH', 'request', @id::text, array[]::text[], '[]', 'pending',
                now() - interval '10 minutes', now())
            """);

        var late = await CheckAsync("dispatches");

        Assert.Equal("Degraded", late.Str("status"));
        Assert.Matches(@"^1 mail to a partner due since [-\d :]+ UTC and not sent; the oldest was never tried$", late.Str("description"));
        await GaugeAsync("ncp_dispatch_oldest_pending_age_seconds", atLeast: 10 * 60);
    }

    [Fact]
    public async Task A_wake_up_not_fired_long_after_it_was_due_degrades_readiness()
    {
        var item = Guid.CreateVersion7();
        await using var held = await HoldAsync("timers", "item_id", item, $"""
            insert into {ncp.WorkerSchema}.timers (item_id, step, due_at, requested_at)
            values (@id, 'health-test', now() - interval '3 minutes', now() - interval '1 hour')
            """);

        var late = await CheckAsync("timers");

        Assert.Equal("Degraded", late.Str("status"));
        // At least ours: a test beside it may have left a wake-up of its own overdue for a moment.
        Assert.Matches(@"^(1 wake-up|\d+ wake-ups) due since [-\d :]+ UTC and not fired$", late.Str("description"));
        await GaugeAsync("ncp_timers_overdue", atLeast: 1);
    }

    // Waits, because the exporter answers a scrape from its last collection for a short while, which may predate the row.
    private Task<double> GaugeAsync(string name, double atLeast) =>
        NcpSystem.EventuallyAsync(
            () => Scrape.ValueAsync(ncp.Worker.CreateClient(), name, $"schema=\"{ncp.WorkerSchema}\""), value => value >= atLeast,
            TimeSpan.FromSeconds(5));

    private async Task<JsonElement> CheckAsync(string name)
    {
        // 200 while only degraded, 503 if a dependency is down: either way the body names each check.
        using var ready = await ncp.Worker.CreateClient().GetAsync("/health/ready");
        return (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty(name);
    }

    /// <summary>
    /// Inserts a row and keeps it locked, as a Worker that claimed it and hangs: the running loops claim with SKIP LOCKED
    /// and pass it by, while the checks, which only read, see it. Disposing deletes it.
    /// </summary>
    private async Task<HeldRow> HoldAsync(string table, string key, Guid id, string insert)
    {
        var connection = await OpenAsync();
        await ExecuteAsync(connection, insert, ("id", id));
        var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, $"select 1 from {ncp.WorkerSchema}.{table} where {key} = @id for update", ("id", id));
        return new HeldRow(connection, transaction, $"delete from {ncp.WorkerSchema}.{table} where {key} = @id", id);
    }

    private sealed class HeldRow(NpgsqlConnection connection, NpgsqlTransaction transaction, string delete, Guid id) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await ExecuteAsync(connection, delete, ("id", id));
            await transaction.CommitAsync();
            await connection.DisposeAsync();
        }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ncp.Servers.Postgres);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
