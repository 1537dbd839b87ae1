using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Partners.Directory;
using Ncp.Conventions;

namespace Ncp.Api.Partners.Keys;

/// <summary>One of <c>certificate</c> (S/MIME: PEM or base64 DER) or <c>publicKey</c> (OpenPGP: ASCII armor), as <c>scheme</c> says.</summary>
public sealed record ImportKeyBody(string? Scheme, string? Certificate, string? PublicKey);

public sealed record ReasonBody(string? Reason);

public sealed record PartnerKeyResource(
    string Scheme, string Fingerprint, string Subject, DateTimeOffset NotBefore, DateTimeOffset? NotAfter, KeyStatus Status, Actor ImportedBy, DateTimeOffset ImportedAt)
{
    public static PartnerKeyResource From(PartnerKey k, DateTimeOffset now) =>
        new(k.Scheme, k.Fingerprint, k.Subject, k.NotBefore, k.NotAfter, KeyStatuses.Of(k, now), k.ImportedBy, k.ImportedAt);
}

/// <summary>
/// Administrators keep the keys mail with a partner is protected with, and may allow unencrypted mail with a partner
/// that has none; both are events on the partner's stream, which the Worker follows.
/// </summary>
public static class KeyEndpoints
{
    public static RouteGroupBuilder MapPartnerKeys(this RouteGroupBuilder partners)
    {
        partners.MapGet("/{code}/keys", ListAsync)
            .RequireAuthorization(Policies.Read).WithName("ListPartnerKeys")
            .WithSummary("The partner's certificates and OpenPGP keys, each valid, expiring (within 30 days) or expired");
        partners.MapPost("/{code}/keys", ImportAsync)
            .RequireAuthorization(Policies.Administer).WithName("ImportPartnerKey")
            .WithSummary("Check and import a partner's S/MIME certificate or OpenPGP public key; the same key again changes nothing (administrators; If-Match)")
            .ProducesValidationProblem();
        partners.MapPost("/{code}/keys/{fingerprint}/remove", RemoveAsync)
            .RequireAuthorization(Policies.Administer).WithName("RemovePartnerKey")
            .WithSummary("Stop using a partner's key, e.g. revoked or replaced (administrators; If-Match)")
            .ProducesValidationProblem();
        partners.MapPost("/{code}/plaintext-override", AllowPlaintextAsync)
            .RequireAuthorization(Policies.Administer).WithName("AllowPlaintextMail")
            .WithSummary("Allow unencrypted mail with this partner despite its required encryption (administrators; If-Match)")
            .ProducesValidationProblem();
        partners.MapPost("/{code}/plaintext-override/withdraw", DisallowPlaintextAsync)
            .RequireAuthorization(Policies.Administer).WithName("DisallowPlaintextMail")
            .WithSummary("Require encrypted mail with this partner again (administrators; If-Match)")
            .ProducesValidationProblem();
        return partners;
    }

    private static async Task<Ok<PartnerKeyResource[]>> ListAsync(string code, IQuerySession session, TimeProvider time, CancellationToken ct)
    {
        var entry = await session.FindPartnerAsync(code, ct) ?? throw new PartnerNotFound(code);
        return TypedResults.Ok(Resources(entry, time.GetUtcNow()));
    }

    private static async Task<Results<Created<PartnerKeyResource>, Ok<PartnerKeyResource>, ValidationProblem>> ImportAsync(
        string code, ImportKeyBody body, HttpContext http, IDocumentSession session, IConfiguration configuration, TimeProvider time, CancellationToken ct)
    {
        if (IfMatchRefusal(http, out var expected) is { } refusal)
        {
            return refusal;
        }

        var stream = await PartnerStream.OpenAsync(code, expected, session, ct);
        var partner = stream.Aggregate!;
        var now = time.GetUtcNow();
        // Read at each import, not at start-up: an administrator replaces a list without restarting the Api.
        var revocations = new RevocationLists(configuration[RevocationLists.Setting]);
        var (key, errors) = KeyCheck.Check(body, partner.Profile, revocations, now);
        if (key is null)
        {
            return FieldError.ToProblem(errors);
        }

        var scheme = ApiEnum<Encryption>.NameOf(key.Scheme);
        var known = partner.Keys.Any(k => k.Fingerprint == key.Fingerprint);
        if (!known)
        {
            stream.AppendOne(new PartnerKeyImported(
                stream.Id, scheme, key.Fingerprint, key.Material, key.Subject, key.NotBefore, key.NotAfter, http.User.Actor(), now));
        }

        var saved = await PartnerStream.SaveAsync(stream, http, session, ct);
        var resource = PartnerKeyResource.From(saved.Keys.Single(k => k.Fingerprint == key.Fingerprint), now);
        return known ? TypedResults.Ok(resource) : TypedResults.Created($"/api/partners/{code}/keys", resource);
    }

    private static async Task<Results<Ok<PartnerKeyResource[]>, ValidationProblem, ProblemHttpResult>> RemoveAsync(
        string code, string fingerprint, ReasonBody body, HttpContext http, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        if ((IfMatchRefusal(http, out var expected) ?? ReasonRefusal(body)) is { } refusal)
        {
            return refusal;
        }

        var stream = await PartnerStream.OpenAsync(code, expected, session, ct);
        fingerprint = fingerprint.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (!stream.Aggregate!.Keys.Any(k => k.Fingerprint == fingerprint))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "No such key", detail: $"Partner {code} has no key with the fingerprint {fingerprint}.");
        }

        var now = time.GetUtcNow();
        stream.AppendOne(new PartnerKeyRemoved(stream.Id, fingerprint, body.Reason!.Trim(), http.User.Actor(), now));
        return TypedResults.Ok(Resources(await PartnerStream.SaveAsync(stream, http, session, ct), now));
    }

    private static Task<Results<Ok<PartnerResource>, ValidationProblem>> AllowPlaintextAsync(
        string code, ReasonBody body, HttpContext http, IDocumentSession session, TimeProvider time, CancellationToken ct) =>
        OverrideAsync(code, body, allow: true, http, session, time, ct);

    private static Task<Results<Ok<PartnerResource>, ValidationProblem>> DisallowPlaintextAsync(
        string code, ReasonBody body, HttpContext http, IDocumentSession session, TimeProvider time, CancellationToken ct) =>
        OverrideAsync(code, body, allow: false, http, session, time, ct);

    /// <summary>Allowing what is allowed, or withdrawing what is not, records nothing: the first reason given stands.</summary>
    private static async Task<Results<Ok<PartnerResource>, ValidationProblem>> OverrideAsync(
        string code, ReasonBody body, bool allow, HttpContext http, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        if ((IfMatchRefusal(http, out var expected) ?? ReasonRefusal(body)) is { } refusal)
        {
            return refusal;
        }

        var stream = await PartnerStream.OpenAsync(code, expected, session, ct);
        var now = time.GetUtcNow();
        if ((stream.Aggregate!.PlaintextOverride is not null) != allow)
        {
            var reason = body.Reason!.Trim();
            stream.AppendOne(allow
                ? new PlaintextMailAllowed(stream.Id, reason, http.User.Actor(), now)
                : new PlaintextMailDisallowed(stream.Id, reason, http.User.Actor(), now));
        }

        return TypedResults.Ok(PartnerResource.From(await PartnerStream.SaveAsync(stream, http, session, ct), now));
    }

    private static ValidationProblem? IfMatchRefusal(HttpContext http, out long? expectedVersion) =>
        ETags.TryReadIfMatch(http.Request, out expectedVersion) ? null : FieldError.ToProblem([FieldError.IfMatch("partner")]);

    private static ValidationProblem? ReasonRefusal(ReasonBody body) =>
        string.IsNullOrWhiteSpace(body.Reason) ? FieldError.ToProblem([new("reason", "Say why, for the colleagues and auditors who will see it.")]) : null;

    private static PartnerKeyResource[] Resources(PartnerDirectoryEntry entry, DateTimeOffset now) =>
        [.. entry.Keys.OrderBy(k => k.ImportedAt).Select(k => PartnerKeyResource.From(k, now))];
}
