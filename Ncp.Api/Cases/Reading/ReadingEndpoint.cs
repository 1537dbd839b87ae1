using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Cases.Reading;

/// <summary>An item as the API shows it.</summary>
public sealed record ItemResource(
    Guid Id,
    string RegisterNumber,
    WorkItemKind Kind,
    WorkItemStatus Status,
    string PartnerCode,
    string Subject,
    Priority Priority,
    string RegisteredBy,
    DateTimeOffset RegisteredAt,
    int Version)
{
    public static ItemResource From(ItemDetails d) =>
        new(d.Id, d.RegisterNumber, d.Kind, d.Status, d.PartnerCode, d.Subject, d.Priority, d.RegisteredBy, d.RegisteredAt, d.Version);

    public static string ETagOf(int version) => $"\"{version}\"";
}

public static class ReadingEndpoint
{
    public static RouteGroupBuilder MapReading(this RouteGroupBuilder items)
    {
        items.MapGet("/{number}", GetAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("GetItem")
            .WithSummary("Read one item by its register number");
        return items;
    }

    private static async Task<Results<Ok<ItemResource>, ProblemHttpResult>> GetAsync(
        string number, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var details = await session.Query<ItemDetails>().SingleOrDefaultAsync(x => x.RegisterNumber == number, ct);
        if (details is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such item",
                detail: $"No item has the register number '{number}'.");
        }

        http.Response.Headers.ETag = ItemResource.ETagOf(details.Version);
        return TypedResults.Ok(ItemResource.From(details));
    }
}
