using Ncp.Api.Auditing;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Listing;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Partners.Keys;
using Npgsql;

namespace Ncp.Api.Partners.Directory;

public sealed record PartnerResource(
    string Code,
    PartnerProfile Profile,
    bool Active,
    string? DeactivationReason,
    KeyStatus KeyStatus,
    bool PlaintextAllowed,
    PlaintextOverride? PlaintextOverride,
    DateTimeOffset LocalTimeNow,
    DateTimeOffset ChangedAt,
    Actor ChangedBy,
    long Version,
    int? OpenItems = null)
{
    public static PartnerResource From(PartnerDirectoryEntry e, DateTimeOffset now) => new(
        e.Code, e.Profile, e.Active, e.DeactivationReason, KeyStatuses.Summary(e, now), e.PlaintextOverride is not null, e.PlaintextOverride,
        TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(e.Profile.TimeZone)), e.ChangedAt, e.ChangedBy, e.Version);
}

/// <summary>A partner with what an officer asks next: what is open with them, and how fast they usually answer.</summary>
public sealed record PartnerDetail(PartnerResource Partner, ItemRow[] OpenItems, int OpenItemCount, double? MedianReplyHours, int AnsweredRequests);

public static class DirectoryEndpoints
{
    public const int MaxOpenItemsShown = 100;

    public static RouteGroupBuilder MapDirectory(this RouteGroupBuilder partners)
    {
        partners.MapGet("/", ListAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ListPartners")
            .AuditedAs("list-partners")
            .WithSummary("The partner directory, filtered by channel, country or active flag; q finds a code, unit name or country name "
                + "(English, Russian or Kazakh) in Cyrillic or Latin spelling")
            .ProducesValidationProblem();
        partners.MapGet("/{code}", GetAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("GetPartner")
            .AuditedAs("read-partner")
            .WithSummary("One partner with its open items and its median reply time");
        return partners;
    }

    private static async Task<Results<Ok<PartnerResource[]>, ValidationProblem>> ListAsync(
        string? channel, string? country, bool? active, string? q, HttpContext http, IQuerySession session, Compartments compartments, NpgsqlDataSource db,
        MartenSettings marten, TimeProvider time, CancellationToken ct)
    {
        if (channel is not null && !ApiEnum<Channel>.TryParse(channel, out _))
        {
            return FieldError.ToProblem([new("channel", $"One of: {ApiEnum<Channel>.Names}.")]);
        }

        var all = await session.Query<PartnerDirectoryEntry>().OrderBy(p => p.Code).ToListAsync(ct);
        ApiEnum<Channel>.TryParse(channel, out var wanted);
        var now = time.GetUtcNow();
        var open = await OpenItemsByPartnerAsync(db, marten.Schema, compartments.ChannelsOf(http.User).Select(c => c.ToString()).ToArray(), ct);
        return TypedResults.Ok(all
            .Where(p => channel is null || p.Profile.Channels.Contains(wanted))
            .Where(p => country is null || string.Equals(p.Country, country, StringComparison.OrdinalIgnoreCase))
            .Where(p => active is null || p.Active == active)
            .Where(p => PartnerSearch.Matches(p.Profile, q))
            .Select(p => PartnerResource.From(p, now) with { OpenItems = open.GetValueOrDefault(p.Code) })
            .ToArray());
    }

    /// <summary>
    /// Open items per partner in the channels the caller is cleared for: one grouped query over the items' read model,
    /// so the directory stays one round trip however many partners and items there are.
    /// </summary>
    private static async Task<Dictionary<string, int>> OpenItemsByPartnerAsync(NpgsqlDataSource db, string schema, string[] visible, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            select partner_code, count(*) from {schema}.mt_doc_itemdetails
            where is_open and channel = ANY($1)
            group by partner_code
            """);
        command.Parameters.AddWithValue(visible);
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        return counts;
    }

    private static async Task<Results<Ok<PartnerDetail>, NotFound<string>>> GetAsync(
        string code, HttpContext http, IQuerySession session, Compartments compartments, NpgsqlDataSource db, MartenSettings marten,
        TimeProvider time, CancellationToken ct)
    {
        var entry = await session.FindPartnerAsync(code, ct)
            ?? throw new PartnerNotFound(code);
        var now = time.GetUtcNow();
        var visible = compartments.ChannelsOf(http.User).Select(c => c.ToString()).ToArray();

        var open = await session.QueryAsync<ItemDetails>(
            "where d.partner_code = ? and d.is_open and d.channel = ANY(?) order by d.id desc limit ?", ct, code, visible, MaxOpenItemsShown);
        var (count, median, answered) = await ReplyStatisticsAsync(db, marten.Schema, code, visible, ct);

        return TypedResults.Ok(new PartnerDetail(
            PartnerResource.From(entry, now), [.. open.Select(i => ItemRow.From(i, now))], count, median, answered));
    }

    /// <summary>Open items, and the median time from sending an outgoing request to the partner's first answer.</summary>
    private static async Task<(int Open, double? MedianHours, int Answered)> ReplyStatisticsAsync(
        NpgsqlDataSource db, string schema, string code, string[] visible, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            select
              count(*) filter (where is_open),
              percentile_cont(0.5) within group (order by extract(epoch from (first_answer_at - sent_at)) / 3600.0)
                filter (where direction = 'Outgoing' and first_answer_at is not null and sent_at is not null),
              count(*) filter (where direction = 'Outgoing' and first_answer_at is not null and sent_at is not null)
            from {schema}.mt_doc_itemdetails
            where partner_code = $1 and channel = ANY($2)
            """);
        command.Parameters.AddWithValue(code);
        command.Parameters.AddWithValue(visible);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return ((int)reader.GetInt64(0), reader.IsDBNull(1) ? null : Math.Round(reader.GetDouble(1), 1), (int)reader.GetInt64(2));
    }
}

public sealed class PartnerNotFound(string code) : Exception($"No partner has the code '{code}'.");
