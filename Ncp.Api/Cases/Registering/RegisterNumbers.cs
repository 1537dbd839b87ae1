using Npgsql;
using Weasel.Postgresql.Tables;

namespace Ncp.Api.Cases.Registering;

public sealed class RegisterSettings
{
    public const string Section = "Register";

    public string Prefix { get; set; } = "KZ-NCP";

    /// <summary>The register year turns at midnight in the unit's own time zone, not UTC.</summary>
    public string TimeZone { get; set; } = "Asia/Almaty";
}

/// <summary>
/// Our register numbers are gapless per year: a counter row per year, advanced inside the same transaction
/// that appends the registering events, so a rolled-back registration returns its numbers.
/// </summary>
public sealed class RegisterNumbers(RegisterSettings settings, Infrastructure.Marten.MartenSettings marten)
{
    private readonly TimeZoneInfo zone = TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone);

    public static Table CounterTable(string schema)
    {
        var table = new Table(new Weasel.Postgresql.PostgresqlObjectName(schema, "register_counters", Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<int>("year").AsPrimaryKey();
        table.AddColumn<long>("last_number").NotNull();
        return table;
    }

    public int YearOf(DateTimeOffset now) => TimeZoneInfo.ConvertTime(now, zone).Year;

    /// <summary>Takes the next <paramref name="count"/> numbers of the year; returns the last of them.</summary>
    public async Task<long> ReserveAsync(NpgsqlTransaction transaction, int year, int count, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            insert into {marten.Schema}.register_counters as c (year, last_number) values (@year, @count)
            on conflict (year) do update set last_number = c.last_number + excluded.last_number
            returning last_number
            """,
            transaction.Connection,
            transaction);
        command.Parameters.AddWithValue("year", year);
        command.Parameters.AddWithValue("count", (long)count);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public string Format(int year, long number) => $"{settings.Prefix}-{year}-{number:D6}";
}
