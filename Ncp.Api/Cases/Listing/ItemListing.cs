using Ncp.Api.Auditing;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases.Overseeing;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
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
    long Version,
    bool NotDelivered = false)
{
    public static ItemRow From(ItemDetails d, DateTimeOffset now) => new(
        d.RegisterNumber, d.Kind, d.Direction, d.Status, d.PartnerCode, d.Country, d.Channel, d.Priority, d.Subject, d.AssignedTo,
        d.RegisteredAt, d.DueBy, d.IsOpen && d.DueBy < now, d.Version, d.NotDelivered);
}

/// <summary>
/// A page of rows in the order asked for; pass <see cref="Next"/> as <c>after</c>, with the same sort, for the next page.
/// <see cref="Total"/> only when asked for (<c>total=true</c>).
/// </summary>
public sealed record ItemPage(ItemRow[] Items, string? Next, ItemTotal? Total = null);

/// <summary>How many items the filter finds: exactly up to <see cref="ItemListing.MaxCounted"/>, beyond that "more than" (AtLeast).</summary>
public sealed record ItemTotal(int Count, bool AtLeast);

public static class ItemListing
{
    public const int DefaultPage = 50;
    public const int MaxPage = 200;
    public const int MaxHoursWithin = 24 * 31;

    /// <summary>
    /// Counting stops here: an exact count of a million rows costs a scan on every list, while "more than 10,000" tells an
    /// officer as much, and counting up to it walks the same indexes as the page itself.
    /// </summary>
    public const int MaxCounted = 10_000;

    /// <summary>Columns beside the JSON, each indexed, so that filters and keyset paging stay fast at a million items.</summary>
    public static void ConfigureColumns(StoreOptions options) =>
        options.Schema.For<ItemDetails>()
            .Duplicate(x => x.RegisterNumber, configure: i => i.IsUnique = true)
            .Duplicate(x => x.Status)
            .Duplicate(x => x.Kind)
            .Duplicate(x => x.Direction)
            .Duplicate(x => x.Channel)
            // Each sort's key leads an index that ends with the id, in the sort's directions (ItemSort).
            .Duplicate(x => x.PartnerCode, configure: i => i.Mask = "?, id DESC")
            .Duplicate(x => x.Country)
            .Duplicate(x => x.Priority, configure: i => i.Mask = "?, id")
            .Duplicate(x => x.AssignedToId)
            // The dashboard's counts of the last day's items and of the next day's deadlines read these indexes alone.
            .Duplicate(x => x.RegisteredAt, configure: i => i.IncludeColumns = ["direction", "channel", "is_open", "due_by"])
            .Duplicate(x => x.DueBy, configure: i =>
            {
                i.Mask = "?, id";
                i.IncludeColumns = ["is_open", "channel"];
            })
            .Duplicate(x => x.IsOpen)
            // The dashboard's slowest partners read their 90 days of sent requests from this index alone, one range per
            // partner (SlowestPartners.LoadAsync): no read of the requests sent before the window.
            .Duplicate(x => x.SentAt, configure: i =>
            {
                i.Mask = "partner_code, ?";
                i.Predicate = "direction = 'Outgoing'";
                i.IncludeColumns = ["channel", "first_answer_at"];
            })
            .Duplicate(x => x.FirstAnswerAt)
            .Duplicate(x => x.EndedAt)
            .Duplicate(x => x.LastMailInAt)
            .Duplicate(x => x.AwaitsAcknowledgement)
            .Duplicate(x => x.NotDelivered)
            .Duplicate(x => x.SearchText, configure: i =>
            {
                i.Method = IndexMethod.gin;
                i.Mask = "? gin_trgm_ops";
            })
            // Containment (@>) on an array: the index a lookup of one identifier among a million items needs.
            .Duplicate(
                x => x.IdentifierKeys,
                "text[]",
                NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
                i => i.Method = IndexMethod.gin);

    public static RouteGroupBuilder MapListing(this RouteGroupBuilder items)
    {
        items.MapGet("/", ListAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ListItems")
            .AuditedAs("list-items")
            .WithSummary("Items filtered and sorted (newest, oldest, due, priority, partner), a page at a time; q searches subject, "
                + "numbers and identifiers in Cyrillic or Latin spelling; identifier=type:value (e.g. ip-address:203.0.113.7) "
                + "finds the items naming it; total=true adds how many items the filter finds (exact up to 10,000)")
            .ProducesValidationProblem();
        return items;
    }

    private static async Task<Results<Ok<ItemPage>, ValidationProblem>> ListAsync(
        [AsParameters] ItemFilter filter, HttpContext http, IQuerySession session, Compartments compartments, MartenSettings marten, TimeProvider time,
        CancellationToken ct)
    {
        var errors = filter.Validate().ToList();
        if (errors.Count > 0)
        {
            return FieldError.ToProblem(errors);
        }

        var now = time.GetUtcNow();
        var limit = Math.Clamp(filter.Limit ?? DefaultPage, 1, MaxPage);
        var sort = ItemSort.Named(filter.Sort)!;
        var (where, parameters) = filter.ToSql(compartments.ChannelsOf(http.User), now);

        // Each range of the sort after the position, in one round trip; the first ranges usually fill the page.
        var batch = session.CreateBatchQuery();
        var runs = sort.RunsAfter(filter.After is null ? null : filter.PositionIn(sort))
            .Select(run => (run.Segment, Rows: batch.Query<ItemDetails>(
                $"where {where} and {run.Where} order by {run.OrderBy} limit ?", [.. parameters, .. run.Parameters, limit + 1])))
            .ToList();
        await batch.Execute(ct);

        var rows = new List<(int Segment, ItemDetails Item)>();
        foreach (var run in runs)
        {
            rows.AddRange((await run.Rows).Select(item => (run.Segment, item)));
        }

        var page = rows.Take(limit).Select(r => ItemRow.From(r.Item, now)).ToArray();
        var next = rows.Count > limit ? sort.Token(rows[limit - 1].Segment, rows[limit - 1].Item) : null;
        ItemTotal? total = null;
        if (filter.Total == true)
        {
            // A batch takes documents only: the count is a second round trip, asked for with the first page alone.
            var count = (await session.QueryAsync<int>(
                $"select count(*)::int from (select 1 from {marten.Schema}.mt_doc_itemdetails as d where {where} limit ?) as found",
                ct, [.. parameters, MaxCounted + 1])).Single();
            total = count > MaxCounted ? new ItemTotal(MaxCounted, AtLeast: true) : new ItemTotal(count, AtLeast: false);
        }

        return TypedResults.Ok(new ItemPage(page, next, total));
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
    int? Limit,
    int? DueWithin = null,
    int? MailWithin = null,
    bool? AwaitingAcknowledgement = null,
    string? Sort = null,
    string? Identifier = null,
    bool? NotDelivered = null,
    bool? Total = null)
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

        var sort = ItemSort.Named(Sort);
        if (sort is null)
        {
            yield return new("sort", $"One of: {ItemSort.Names}.");
        }
        else if (After is not null && PositionIn(sort) is null)
        {
            yield return new("after", "Pass the 'next' value of the previous page unchanged, with the same sort.");
        }

        foreach (var (field, hours) in new[] { ("dueWithin", DueWithin), ("mailWithin", MailWithin) })
        {
            if (hours is < 1 or > ItemListing.MaxHoursWithin)
            {
                yield return new(field, $"A number of hours from 1 to {ItemListing.MaxHoursWithin}.");
            }
        }

        if (Limit is < 1 or > ItemListing.MaxPage)
        {
            yield return new("limit", $"A page holds 1 to {ItemListing.MaxPage} items.");
        }

        if (From > To)
        {
            yield return new("from", "'from' must not be after 'to'.");
        }

        if (Identifier is not null && !Registering.Identifiers.TryKeyOf(Identifier, out _, out var wrongKey))
        {
            yield return new("identifier", wrongKey);
        }
    }

    internal ListPosition? PositionIn(ItemSort sort) => After is not null && sort.TryRead(After, out var position) ? position : null;

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

        void Add(string clause, params object[] values)
        {
            sql.Append(" and (").Append(clause).Append(')');
            parameters.AddRange(values);
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

        // The dashboard's cards, in the dashboard's own words, so a card's count is its list's length.
        if (Overdue == true)
        {
            Add(Needs.Overdue("?"), now);
        }

        if (DueWithin is { } dueHours)
        {
            Add(Needs.DueSoon("?", "?"), now, now.AddHours(dueHours));
        }

        if (MailWithin is { } mailHours)
        {
            Add(Needs.MailIn("?"), now.AddHours(-mailHours));
        }

        if (AwaitingAcknowledgement == true)
        {
            Add(Needs.AwaitingAcknowledgement);
        }

        if (NotDelivered == true)
        {
            Add(Needs.NotDelivered);
        }

        if (From is { } from)
        {
            Add("d.registered_at >= ?", from);
        }

        if (To is { } to)
        {
            Add("d.registered_at < ?", to);
        }

        // The key as the item wrote it, whichever way the client typed the value (8 701... is +7701...).
        if (Identifier is not null && Registering.Identifiers.TryKeyOf(Identifier, out var key, out _))
        {
            Add("d.identifier_keys @> ?", (object)new[] { key });
        }

        if (Q is not null)
        {
            Add("d.search_text like ?", "%" + EscapeLike(Transliteration.ForSearch(Q)) + "%");
        }

        return (sql.ToString(), parameters);
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
