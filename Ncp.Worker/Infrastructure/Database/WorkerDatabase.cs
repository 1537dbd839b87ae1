using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;

namespace Ncp.Worker.Infrastructure.Database;

public sealed partial class WorkerDatabaseSettings
{
    public const string Section = "WorkerDatabase";

    /// <summary>The PostgreSQL schema the Worker owns; nothing else reads or writes it.</summary>
    public string Schema { get; set; } = "worker";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();

    public string ValidatedSchema => SchemaPattern().IsMatch(Schema)
        ? Schema
        : throw new InvalidOperationException($"WorkerDatabase:Schema '{Schema}' is not a plain lower-case PostgreSQL identifier.");
}

/// <summary>The Worker's own schema: a connection pool and the numbered SQL migrations embedded in this assembly.</summary>
public sealed class WorkerDatabase(NpgsqlDataSource dataSource, WorkerDatabaseSettings settings, ILogger<WorkerDatabase> logger)
{
    public NpgsqlDataSource DataSource => dataSource;

    public string Schema => settings.ValidatedSchema;

    /// <summary>Applies the migrations not yet applied, one transaction each, under an advisory lock so two Workers may start together.</summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(connection, null, $"""
            create schema if not exists {Schema};
            create table if not exists {Schema}.schema_migrations (
                version    int primary key,
                name       text not null,
                applied_at timestamptz not null default now());
            """, ct);

        foreach (var (version, name, sql) in Migrations())
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, transaction, $"select pg_advisory_xact_lock(hashtext('{Schema}.schema_migrations'))", ct);
            await using var check = new NpgsqlCommand($"select count(*) from {Schema}.schema_migrations where version = @v", connection, transaction);
            check.Parameters.AddWithValue("v", version);
            if ((long)(await check.ExecuteScalarAsync(ct))! > 0)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, sql.Replace("${schema}", Schema, StringComparison.Ordinal), ct);
            await using var record = new NpgsqlCommand($"insert into {Schema}.schema_migrations (version, name) values (@v, @n)", connection, transaction);
            record.Parameters.AddWithValue("v", version);
            record.Parameters.AddWithValue("n", name);
            await record.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
            logger.LogInformation("Applied Worker migration {Version} {Name} to schema {Schema}", version, name, Schema);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static IEnumerable<(int Version, string Name, string Sql)> Migrations()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "Ncp.Worker.Infrastructure.Database.Migrations.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            yield return (version, name, reader.ReadToEnd());
        }
    }
}
