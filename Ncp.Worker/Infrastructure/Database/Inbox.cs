using System.Diagnostics;
using Npgsql;

namespace Ncp.Worker.Infrastructure.Database;

/// <summary>
/// Makes a consumer idempotent: its effect and the record "this consumer handled this message" commit together,
/// so a message delivered twice (or to two Workers at once) has one effect.
/// </summary>
public sealed class Inbox(WorkerDatabase database, TimeProvider time)
{
    /// <returns><c>false</c> when the message had already been handled and nothing was done.</returns>
    public async Task<bool> ProcessOnceAsync(
        string consumer, Guid messageId, Func<NpgsqlConnection, NpgsqlTransaction, Task> effect, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var claim = new NpgsqlCommand(
            $"""
            insert into {database.Schema}.processed_messages (consumer, message_id, processed_at, trace_id)
            values (@consumer, @id, @at, @trace)
            on conflict do nothing
            """,
            connection,
            transaction);
        claim.Parameters.AddWithValue("consumer", consumer);
        claim.Parameters.AddWithValue("id", messageId);
        claim.Parameters.AddWithValue("at", time.GetUtcNow());
        claim.Parameters.AddWithValue("trace", (object?)Activity.Current?.TraceId.ToString() ?? DBNull.Value);
        if (await claim.ExecuteNonQueryAsync(ct) == 0)
        {
            return false;
        }

        await effect(connection, transaction);
        await transaction.CommitAsync(ct);
        return true;
    }
}
