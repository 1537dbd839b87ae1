using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Observability;
using Ncp.Api.Partners.Directory;

namespace Ncp.Api.Partners.Editing;

public sealed record DeactivateBody(string? Reason);

/// <summary>Administrators keep the directory; every change is an event on the partner's stream.</summary>
public static class EditingEndpoints
{
    public static RouteGroupBuilder MapPartnerEditing(this RouteGroupBuilder partners)
    {
        partners.MapPost("/", RegisterAsync)
            .RequireAuthorization(Policies.Administer).WithName("RegisterPartner").WithSummary("Add a partner to the directory (administrators)")
            .ProducesValidationProblem();
        partners.MapPut("/{code}", ChangeAsync)
            .RequireAuthorization(Policies.Administer).WithName("ChangePartner").WithSummary("Replace a partner's profile (administrators; If-Match)")
            .ProducesValidationProblem();
        partners.MapPost("/{code}/deactivate", DeactivateAsync)
            .RequireAuthorization(Policies.Administer).WithName("DeactivatePartner").WithSummary("Stop new items to this partner (administrators)")
            .ProducesValidationProblem();
        partners.MapPost("/{code}/reactivate", ReactivateAsync)
            .RequireAuthorization(Policies.Administer).WithName("ReactivatePartner").WithSummary("Allow new items to this partner again (administrators)");
        return partners;
    }

    private static async Task<Results<Created<PartnerResource>, ValidationProblem, Conflict<string>>> RegisterAsync(
        PartnerProfile profile, HttpContext http, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        var errors = PartnerValidation.Validate(profile).ToList();
        if (errors.Count > 0)
        {
            return FieldError.ToProblem(errors);
        }

        if (await session.Query<PartnerDirectoryEntry>().AnyAsync(p => p.Code == profile.Code, ct))
        {
            return FieldError.ToProblem([new("code", $"A partner with the code '{profile.Code}' already exists; change it with PUT /api/partners/{profile.Code}.")]);
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        EventLogTracing.Stamp(session);
        session.Events.StartStream<PartnerDirectoryEntry>(id, new PartnerRegistered(id, profile, http.User.Actor(), now));
        await session.SaveChangesAsync(ct);
        var entry = await session.LoadAsync<PartnerDirectoryEntry>(id, ct);
        http.Response.Headers.ETag = ETags.Of(entry!.Version);
        return TypedResults.Created($"/api/partners/{profile.Code}", PartnerResource.From(entry, now));
    }

    private static Task<Results<Ok<PartnerResource>, ValidationProblem>> ChangeAsync(
        string code, PartnerProfile profile, HttpContext http, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        var errors = PartnerValidation.Validate(profile).ToList();
        if (profile is not null && profile.Code != code)
        {
            errors.Add(new("code", "A partner's code does not change; register a new partner instead."));
        }

        return errors.Count > 0
            ? Task.FromResult<Results<Ok<PartnerResource>, ValidationProblem>>(FieldError.ToProblem(errors))
            : AppendAsync(code, http, session, time, (id, by, at) => new PartnerProfileChanged(id, profile!, by, at), ct);
    }

    private static Task<Results<Ok<PartnerResource>, ValidationProblem>> DeactivateAsync(
        string code, DeactivateBody body, HttpContext http, IDocumentSession session, TimeProvider time, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(body.Reason)
            ? Task.FromResult<Results<Ok<PartnerResource>, ValidationProblem>>(FieldError.ToProblem([new("reason", "Say why, for the colleagues who will see it.")]))
            : AppendAsync(code, http, session, time, (id, by, at) => new PartnerDeactivated(id, body.Reason.Trim(), by, at), ct);

    private static Task<Results<Ok<PartnerResource>, ValidationProblem>> ReactivateAsync(
        string code, HttpContext http, IDocumentSession session, TimeProvider time, CancellationToken ct) =>
        AppendAsync(code, http, session, time, (id, by, at) => new PartnerReactivated(id, by, at), ct);

    private static async Task<Results<Ok<PartnerResource>, ValidationProblem>> AppendAsync(
        string code, HttpContext http, IDocumentSession session, TimeProvider time, Func<Guid, Cases.Actor, DateTimeOffset, object> change, CancellationToken ct)
    {
        if (!ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem([FieldError.IfMatch("partner")]);
        }

        var stream = await PartnerStream.OpenAsync(code, expected, session, ct);
        var now = time.GetUtcNow();
        stream.AppendOne(change(stream.Id, http.User.Actor(), now));
        return TypedResults.Ok(PartnerResource.From(await PartnerStream.SaveAsync(stream, http, session, ct), now));
    }
}
