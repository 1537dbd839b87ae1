using Microsoft.Extensions.Logging.Abstractions;
using Ncp.Worker.Infrastructure.Database;
using Npgsql;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// A Worker schema of a test's own beside the running system's (named after it), migrated like the real one and dropped at
/// the end: the running Worker never sees what the test stores there, so a store's claims can be driven step by step.
/// </summary>
public sealed class OwnWorkerSchema(NcpSystem ncp, string suffix) : IAsyncDisposable
{
    public string Schema { get; } = $"{ncp.WorkerSchema}_{suffix}";

    public NpgsqlDataSource Data { get; } = NpgsqlDataSource.Create(ncp.Servers.Postgres);

    public async Task<WorkerDatabase> MigrateAsync()
    {
        var database = new WorkerDatabase(Data, new WorkerDatabaseSettings { Schema = Schema }, NullLogger<WorkerDatabase>.Instance);
        await database.MigrateAsync(default);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await using (var drop = Data.CreateCommand($"drop schema if exists {Schema} cascade"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await Data.DisposeAsync();
    }
}
