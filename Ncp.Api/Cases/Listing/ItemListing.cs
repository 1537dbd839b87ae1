using System.Text;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Weasel.Postgresql.Tables;

namespace Ncp.Api.Cases.Listing;

/// <summary>An item as a list row shows it.</summary>
public sealed record ItemRow(
    string RegisterNumber,
    WorkItemKind Kind,
    Direction Direction,
    WorkItemStatus Status,
    string PartnerCode,
    string Country,
    Channel Channel,
    Priority Priority,
    string Subject,
    Actor? AssignedTo,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? DueBy,
    bool Overdue,
    long Version)
{
    public static ItemRow From(ItemDetails d, DateTimeOffset now) => new(
        d.RegisterNumber, d.Kind, d.Direction, d.Status, d.PartnerCode, d.Country, d.Channel, d.Priority, d.Subject, d.AssignedTo,
        d.RegisteredAt, d.DueBy, d.IsOpen && d.DueBy < now, d.Version);
}

/// <summary>A page of rows, newest first; pass <see cref="Next"/> as <c>after</c> for the next page.</summary>
public sealed record ItemPage(ItemRow[] Items, string? Next);

public static class ItemListing
{
    public const int DefaultPage = 50;
    public const int MaxPage = 200;

    /// <summary>Columns beside the JSON, each indexed, so that filters and keyset paging stay fast at a million items.</summary>
    public static void ConfigureColumns(StoreOptions options) =>
        options.Schema.For<ItemDetails>()
            .Duplicate(x => x.RegisterNumber, configure: i => i.IsUnique = true)
            .Duplicate(x => x.Status)
            .Duplicate(x => x.Kind)
            .Duplicate(x => x.Direction)
            .Duplicate(x => x.Channel)
            .Duplicate(x => x.PartnerCode)
            .Duplicate(x => x.Country)
            .Duplicate(x => x.Priority)
            .Duplicate(x => x.AssignedToId)
            .Duplicate(x => x.RegisteredAt)
            .Duplicate(x => x.DueBy)
            .Duplicate(x => x.IsOpen)
            .Duplicate(x => x.SentAt)
            .Duplicate(x => x.FirstAnswerAt)
            .Duplicate(x => x.EndedAt)
            .Duplicate(x => x.LastMailInAt)
            .Duplicate(x => x.AwaitsAcknowledgement)
            .Duplicate(x => x.SearchText, configure: i =>
            {
                i.Method = IndexMethod.gin;
                i.Mask = "? gin_trgm_ops";
            });

    public static RouteGroupBuilder MapListing(this RouteGroupBuilder items)
    {
        items.MapGet("/", ListAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ListItems")
            .WithSummary("Items, newest first, filtered; q searches subject and numbers in Cyrillic or Latin spelling")
            .ProducesValidationProblem();
        return items;
    }

    private static async Task<Results<Ok<ItemPage>, ValidationProblem>> ListAsync(
        [AsParameters] ItemFilter filter, HttpContext http, IQuerySession session, Compartments compartments, TimeProvider time, CancellationToken ct)
    {
        var errors = filter.Validate().ToList();
        if (errors.Count > 0)
        {
            return FieldError.ToProblem(errors);
        }

        var now = time.GetUtcNow();
        var limit = Math.Clamp(filter.Limit ?? DefaultPage, 1, MaxPage);
        var (where, parameters) = filter.ToSql(compartments.ChannelsOf(http.User), now);
        parameters.Add(limit + 1);
        var rows = await session.QueryAsync<ItemDetails>($"where {where} order by d.id desc limit ?", ct, parameters.ToArray());

        var page = rows.Take(limit).Select(d => ItemRow.From(d, now)).ToArray();
        var next = rows.Count > limit ? rows[limit - 1].Id.ToString("N") : null;
        return TypedResults.Ok(new ItemPage(page, next));
    }
}

/// <summary>The list's query string. Every filter is optional; several are combined with AND.</summary>
public sealed record ItemFilter(
    string? Kind,
    string? Direction,
    string? Status,
    string? Partner,
    string? Country,
    string? Channel,
    string? Priority,
    string? Officer,
    bool? Overdue,
    bool? Open,
    DateTimeOffset? From,
    DateTimeOffset? To,
    string? Q,
    string? After,
    int? Limit)
{
    public const int MinSearchLength = 2;

    public IEnumerable<FieldError> Validate()
    {
        foreach (var error in CheckEnum<WorkItemKind>("kind", Kind)
            .Concat(CheckEnum<Direction>("direction", Direction))
            .Concat(CheckEnum<WorkItemStatus>("status", Status))
            .Concat(CheckEnum<Channel>("channel", Channel))
            .Concat(CheckEnum<Priority>("priority", Priority)))
        {
            yield return error;
        }

        if (Q is not null && Transliteration.ForSearch(Q).Length < MinSearchLength)
        {
            yield return new("q", $"Search for at least {MinSearchLength} letters or digits.");
        }

        if (After is not null && !Guid.TryParseExact(After, "N", out _))
        {
            yield return new("after", "Pass the 'next' value of the previous page unchanged.");
        }

        if (Limit is < 1 or > ItemListing.MaxPage)
        {
            yield return new("limit", $"A page holds 1 to {ItemListing.MaxPage} items.");
        }

        if (From > To)
        {
            yield return new("from", "'from' must not be after 'to'.");
        }
    }

    private static IEnumerable<FieldError> CheckEnum<T>(string field, string? value)
        where T : struct, Enum
    {
        if (value is not null && !ApiEnum<T>.TryParse(value, out _))
        {
            yield return new(field, $"One of: {ApiEnum<T>.Names}.");
        }
    }

    /// <summary>A WHERE clause over the indexed columns, with positional parameters for Marten's <c>?</c> placeholders.</summary>
    public (string Where, List<object> Parameters) ToSql(Channel[] visibleChannels, DateTimeOffset now)
    {
        var sql = new StringBuilder("d.channel = ANY(?)");
        var parameters = new List<object> { visibleChannels.Select(c => c.ToString()).ToArray() };

        void Add(string clause, object value)
        {
            sql.Append(" and ").Append(clause);
            parameters.Add(value);
        }

        if (ApiEnum<WorkItemKind>.TryParse(Kind, out var kind))
        {
            Add("d.kind = ?", kind.ToString());
        }

        if (ApiEnum<Direction>.TryParse(Direction, out var direction))
        {
            Add("d.direction = ?", direction.ToString());
        }

        if (ApiEnum<WorkItemStatus>.TryParse(Status, out var status))
        {
            Add("d.status = ?", status.ToString());
        }

        if (ApiEnum<Channel>.TryParse(Channel, out var channel))
        {
            Add("d.channel = ?", channel.ToString());
        }

        if (ApiEnum<Priority>.TryParse(Priority, out var priority))
        {
            Add("d.priority = ?", priority.ToString());
        }

        if (!string.IsNullOrEmpty(Partner))
        {
            Add("d.partner_code = ?", Partner);
        }

        if (!string.IsNullOrEmpty(Country))
        {
            Add("d.country = ?", Country.ToUpperInvariant());
        }

        if (!string.IsNullOrEmpty(Officer))
        {
            Add("d.assigned_to_id = ?", Officer);
        }

        if (Open is { } open)
        {
            Add("d.is_open = ?", open);
        }

        if (Overdue == true)
        {
            Add("d.is_open and d.due_by < ?", now);
        }

        if (From is { } from)
        {
            Add("d.registered_at >= ?", from);
        }

        if (To is { } to)
        {
            Add("d.registered_at < ?", to);
        }

        if (Q is not null)
        {
            Add("d.search_text like ?", "%" + EscapeLike(Transliteration.ForSearch(Q)) + "%");
        }

        if (After is not null)
        {
            Add("d.id < ?", Guid.ParseExact(After, "N"));
        }

        return (sql.ToString(), parameters);
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
