using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ncp.Api.Infrastructure.Marten;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ncp.Api.Auditing;

/// <summary>What one audit entry says, before it takes its place in the chain.</summary>
public sealed record AuditFacts(
    DateTimeOffset At, string UserId, string UserName, string Action, string? RegisterNumber, string? Channel, string? Detail,
    string? Address, string Outcome)
{
    /// <summary>
    /// The bytes the hash covers, written the same way by the writer and by <c>audit verify</c>: a JSON array in a fixed
    /// order, the time in microseconds as PostgreSQL keeps it.
    /// </summary>
    public string Canonical()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(AuditChain.Microseconds(At).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            foreach (var field in new[] { UserId, UserName, Action, RegisterNumber, Channel, Detail, Address, Outcome })
            {
                if (field is null)
                {
                    json.WriteNullValue();
                }
                else
                {
                    json.WriteStringValue(field);
                }
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>An entry as auditors read it: the facts, its place in the chain, and its hash (hex).</summary>
public sealed record AuditEntry(
    long Sequence, DateTimeOffset At, string UserId, string UserName, string Action, string? RegisterNumber, string? Channel, string? Detail,
    string? Address, string Outcome, string Hash);

/// <summary>
/// The audit log as a hash chain: entry n carries SHA-256(hash of n-1 ‖ n as 8 bytes big-endian ‖ its canonical facts).
/// A single-row head (last sequence, last hash) is locked and advanced in the transaction that inserts the entries; the
/// row lock serialises writers (any number of Api instances), so the chain cannot fork, and a deleted last entry still
/// shows. Holding that lock through a commit costs a disk flush, so the entries waiting at that moment go in one
/// transaction (a group commit): each request still waits until its own entry is durable.
/// </summary>
public sealed class AuditChain(MartenSettings marten, NpgsqlDataSource db)
{
    public const string LogTable = "audit_log";
    public const string HeadTable = "audit_head";
    public const int HashBytes = 32;
    public const int MaxBatch = 1000;

    private static readonly byte[] Genesis = new byte[HashBytes];

    private readonly ConcurrentQueue<Pending> waiting = new();
    private readonly SemaphoreSlim writing = new(1, 1);

    private sealed record Pending(AuditFacts Facts)
    {
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public static IEnumerable<Table> Tables(string schema)
    {
        var log = new Table(new PostgresqlObjectName(schema, LogTable, SchemaUtils.IdentifierUsage.General));
        log.AddColumn<long>("seq").AsPrimaryKey();
        log.AddColumn<DateTimeOffset>("at").NotNull();
        log.AddColumn<string>("user_id").NotNull();
        log.AddColumn<string>("user_name").NotNull();
        log.AddColumn<string>("action").NotNull();
        log.AddColumn<string>("register_number");
        log.AddColumn<string>("channel");
        log.AddColumn<string>("detail");
        log.AddColumn<string>("address");
        log.AddColumn<string>("outcome").NotNull();
        log.AddColumn("prev_hash", "bytea").NotNull();
        log.AddColumn("hash", "bytea").NotNull();
        foreach (var column in new[] { "register_number", "user_id", "at" })
        {
            log.Indexes.Add(new IndexDefinition($"ix_{LogTable}_{column}") { Columns = [column] });
        }

        var head = new Table(new PostgresqlObjectName(schema, HeadTable, SchemaUtils.IdentifierUsage.General));
        head.AddColumn<bool>("id").AsPrimaryKey();
        head.AddColumn<long>("seq").NotNull();
        head.AddColumn("hash", "bytea").NotNull();
        return [log, head];
    }

    /// <summary>Returns once the entry is in the chain and committed; fails (and the request with it) if it cannot be.</summary>
    public async Task AppendAsync(AuditFacts facts, CancellationToken ct)
    {
        var pending = new Pending(facts);
        waiting.Enqueue(pending);
        // Not cancelled midway: an entry another request's batch has taken must still be answered.
        await writing.WaitAsync(CancellationToken.None);
        try
        {
            // The holder before us may have written ours with its batch; else ours goes now, with all that waits behind it.
            if (!pending.Written.Task.IsCompleted)
            {
                var batch = new List<Pending>();
                while (batch.Count < MaxBatch && waiting.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    await WriteAsync(batch);
                    batch.ForEach(p => p.Written.SetResult());
                }
                catch (Exception e)
                {
                    batch.ForEach(p => p.Written.SetException(e));
                }
            }
        }
        finally
        {
            writing.Release();
        }

        await pending.Written.Task.WaitAsync(ct);
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var (last, previous) = await LockHeadAsync(connection, transaction);

        var count = batch.Count;
        var seqs = new long[count];
        var prevs = new byte[count][];
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            seqs[i] = last + 1 + i;
            prevs[i] = previous;
            hashes[i] = previous = HashOf(previous, seqs[i], batch[i].Facts.Canonical());
        }

        string?[] Column(Func<AuditFacts, string?> field) => [.. batch.Select(p => field(p.Facts))];
        await using var write = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(
                    $"""
                    insert into {marten.Schema}.{LogTable}
                        (seq, at, user_id, user_name, action, register_number, channel, detail, address, outcome, prev_hash, hash)
                    select * from unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::text[], $10::text[], $11::bytea[], $12::bytea[])
                    """)
                {
                    Parameters =
                    {
                        new() { Value = seqs }, new() { Value = batch.Select(p => Microseconds(p.Facts.At)).ToArray() },
                        new() { Value = Column(f => f.UserId) }, new() { Value = Column(f => f.UserName) }, new() { Value = Column(f => f.Action) },
                        new() { Value = Column(f => f.RegisterNumber) }, new() { Value = Column(f => f.Channel) }, new() { Value = Column(f => f.Detail) },
                        new() { Value = Column(f => f.Address) }, new() { Value = Column(f => f.Outcome) }, new() { Value = prevs }, new() { Value = hashes },
                    },
                },
                new NpgsqlBatchCommand($"update {marten.Schema}.{HeadTable} set seq = $1, hash = $2 where id")
                {
                    Parameters = { new() { Value = seqs[^1] }, new() { Value = hashes[^1] } },
                },
            },
        };
        await write.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    /// <summary>The head, locked until the transaction ends; made on the very first entry.</summary>
    private async Task<(long Seq, byte[] Hash)> LockHeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using (var read = new NpgsqlCommand($"select seq, hash from {marten.Schema}.{HeadTable} where id for update", connection, transaction))
            await using (var reader = await read.ExecuteReaderAsync())
            {
                if (await reader.ReadAsync())
                {
                    return (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
                }
            }

            if (attempt > 0)
            {
                throw new InvalidOperationException("The audit chain's head could not be made.");
            }

            await using var make = new NpgsqlCommand(
                $"insert into {marten.Schema}.{HeadTable} (id, seq, hash) values (true, 0, $1) on conflict (id) do nothing", connection, transaction);
            make.Parameters.Add(new NpgsqlParameter { Value = Genesis });
            await make.ExecuteNonQueryAsync();
        }
    }

    /// <summary>PostgreSQL keeps microseconds; the hash must cover the time as it will be read back.</summary>
    public static DateTimeOffset Microseconds(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    public static byte[] HashOf(byte[] previous, long sequence, string canonical)
    {
        var body = Encoding.UTF8.GetBytes(canonical);
        var input = new byte[previous.Length + sizeof(long) + body.Length];
        previous.CopyTo(input, 0);
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(previous.Length), sequence);
        body.CopyTo(input, previous.Length + sizeof(long));
        return SHA256.HashData(input);
    }

    public sealed record Verdict(long Entries, long? BrokenAt, string? Reason)
    {
        public bool Intact => BrokenAt is null;
    }

    /// <summary>Walks the whole chain in order and names the first entry that is missing, altered or out of line.</summary>
    public async Task<Verdict> VerifyAsync(CancellationToken ct)
    {
        var previous = Genesis;
        var expected = 1L;
        // One snapshot for the entries and the head: requests go on writing meanwhile.
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using (var command = new NpgsqlCommand(
            $"""
            select seq, at, user_id, user_name, action, register_number, channel, detail, address, outcome, prev_hash, hash
            from {marten.Schema}.{LogTable} order by seq
            """, connection, snapshot))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var seq = reader.GetInt64(0);
                if (seq != expected)
                {
                    return new Verdict(expected - 1, expected, $"entry {expected} is missing (deleted): the next one is {seq}");
                }

                var facts = new AuditFacts(
                    new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8), reader.GetString(9));
                var storedPrevious = reader.GetFieldValue<byte[]>(10);
                var stored = reader.GetFieldValue<byte[]>(11);
                if (!storedPrevious.AsSpan().SequenceEqual(previous))
                {
                    return new Verdict(seq - 1, seq, $"entry {seq} does not follow entry {seq - 1}: its previous hash differs");
                }

                if (!HashOf(previous, seq, facts.Canonical()).AsSpan().SequenceEqual(stored))
                {
                    return new Verdict(seq - 1, seq, $"entry {seq} was altered: its content does not match its hash");
                }

                previous = stored;
                expected++;
            }
        }

        await using var head = new NpgsqlCommand($"select seq, hash from {marten.Schema}.{HeadTable}", connection, snapshot);
        await using var headReader = await head.ExecuteReaderAsync(ct);
        var last = expected - 1;
        if (await headReader.ReadAsync(ct))
        {
            var headSeq = headReader.GetInt64(0);
            if (headSeq != last)
            {
                return new Verdict(last, last + 1, $"entries {last + 1} to {headSeq} are missing (deleted at the end of the log)");
            }

            if (!headReader.GetFieldValue<byte[]>(1).AsSpan().SequenceEqual(previous))
            {
                return new Verdict(last, last, $"entry {last} differs from the chain's head");
            }
        }
        else if (last > 0)
        {
            return new Verdict(last, 1, "the chain's head is missing");
        }

        return new Verdict(last, null, null);
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Reads one page of entries, newest first, of the channels the reader may see (entries without a channel to all).</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(AuditQuery query, string[] channels, long? before, int limit, CancellationToken ct)
    {
        var (where, parameters) = query.ToSql(channels);
        var sql = new StringBuilder(
            $"select seq, at, user_id, user_name, action, register_number, channel, detail, address, outcome, hash from {marten.Schema}.{LogTable} where {where}");
        if (before is { } position)
        {
            sql.Append(" and seq < @before");
            parameters.Add(new NpgsqlParameter("before", position));
        }

        sql.Append(" order by seq desc limit @limit");
        parameters.Add(new NpgsqlParameter("limit", limit));
        await using var command = db.CreateCommand(sql.ToString());
        command.Parameters.AddRange(parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0), new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8), reader.GetString(9),
                Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(10))));
        }

        return entries;
    }
}

/// <summary>An auditor's filters; each optional, combined with AND.</summary>
public sealed record AuditQuery(string? User, string? Action, string? RegisterNumber, DateTimeOffset? From, DateTimeOffset? To)
{
    public (string Where, List<NpgsqlParameter> Parameters) ToSql(string[] channels)
    {
        var where = new List<string> { "(channel is null or channel = any(@channels))" };
        var parameters = new List<NpgsqlParameter> { new("channels", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = channels } };
        if (!string.IsNullOrWhiteSpace(User))
        {
            // An officer's id exactly, or a part of the name as the screen shows it.
            where.Add("(user_id = @user or user_name ilike '%' || @user || '%')");
            parameters.Add(new NpgsqlParameter("user", User.Trim()));
        }

        if (!string.IsNullOrWhiteSpace(Action))
        {
            where.Add("action = @action");
            parameters.Add(new NpgsqlParameter("action", Action.Trim()));
        }

        if (!string.IsNullOrWhiteSpace(RegisterNumber))
        {
            where.Add("register_number = @number");
            parameters.Add(new NpgsqlParameter("number", RegisterNumber.Trim()));
        }

        if (From is { } from)
        {
            where.Add("at >= @from");
            parameters.Add(new NpgsqlParameter("from", from.ToUniversalTime()));
        }

        if (To is { } to)
        {
            where.Add("at < @to");
            parameters.Add(new NpgsqlParameter("to", to.ToUniversalTime()));
        }

        return (string.Join(" and ", where), parameters);
    }
}
