using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Auditing;

/// <summary>Who looked at what: every read of an item's details or attachments leaves one entry.</summary>
public sealed record AuditEntry(Guid Id, DateTimeOffset At, string UserId, string UserName, string Action, string RegisterNumber, string? Detail);

public sealed class AuditTrail(TimeProvider time)
{
    public void Record(IDocumentSession session, HttpContext http, string action, string registerNumber, string? detail = null)
    {
        var now = time.GetUtcNow();
        var actor = http.User.Actor();
        session.Store(new AuditEntry(Guid.CreateVersion7(now), now, actor.Id, actor.Name, action, registerNumber, detail));
    }
}

public static class AuditEndpoint
{
    public const int MaxPage = 500;

    public static IEndpointRouteBuilder MapAuditing(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListAsync)
            .RequireAuthorization(Policies.Audit)
            .WithTags("Audit")
            .WithName("ListAuditEntries")
            .WithSummary("Who read which item, newest first (auditors, head of unit, administrators)");
        return app;
    }

    private static async Task<Ok<AuditEntry[]>> ListAsync(IQuerySession session, string? registerNumber, string? userId, int? limit, CancellationToken ct)
    {
        var query = session.Query<AuditEntry>().AsQueryable();
        if (!string.IsNullOrEmpty(registerNumber))
        {
            query = query.Where(x => x.RegisterNumber == registerNumber);
        }

        if (!string.IsNullOrEmpty(userId))
        {
            query = query.Where(x => x.UserId == userId);
        }

        var page = await query.OrderByDescending(x => x.At).Take(Math.Clamp(limit ?? 100, 1, MaxPage)).ToListAsync(ct);
        return TypedResults.Ok(page.ToArray());
    }
}
