using System.Security.Claims;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Auditing;

/// <summary>
/// Who did or read what, when, from which address, and how it ended: one entry per request, in the tamper-evident
/// chain (<see cref="AuditChain"/>). Entries about an item carry its channel, so that auditors see them only where they
/// are cleared, like the item itself.
/// </summary>
public sealed class AuditTrail(AuditChain chain, TimeProvider time)
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string SignIn = "sign-in";

    // A search's words or a reason can be long; the entry keeps enough to know what was asked.
    public const int MaxDetail = 1000;

    /// <summary>A read of an item: the entry carries the item's channel.</summary>
    public Task RecordAsync(HttpContext http, string action, ItemDetails item, string? detail, CancellationToken ct) =>
        chain.AppendAsync(Facts(http, action, item.RegisterNumber, item.Channel, detail, Success), ct);

    public Task RecordAsync(
        HttpContext http, string action, string? registerNumber, Channel? channel, string? detail, string outcome, CancellationToken ct) =>
        chain.AppendAsync(Facts(http, action, registerNumber, channel, detail, outcome), ct);

    /// <summary>A sign-in that succeeded; the principal is not on the request yet while its handler signs it in.</summary>
    public Task RecordSignInAsync(HttpContext http, ClaimsPrincipal user, string detail, string action = SignIn)
    {
        var actor = user.Actor();
        return chain.AppendAsync(
            new AuditFacts(time.GetUtcNow(), actor.Id, actor.Name, action, null, null, Cut(detail), AddressOf(http), Success), CancellationToken.None);
    }

    /// <summary>A sign-in that failed: nobody is signed in, so the entry names whom the attempt claimed to be.</summary>
    public Task RecordSignInFailureAsync(HttpContext http, string? claimed, string reason, CancellationToken ct) =>
        chain.AppendAsync(
            new AuditFacts(time.GetUtcNow(), "", Cut(claimed ?? "") ?? "", SignIn, null, null, Cut(reason), AddressOf(http), Failure), ct);

    private AuditFacts Facts(HttpContext http, string action, string? registerNumber, Channel? channel, string? detail, string outcome)
    {
        var actor = http.User.Identity?.IsAuthenticated == true ? http.User.Actor() : new Actor("", "");
        return new AuditFacts(
            time.GetUtcNow(), actor.Id, actor.Name, action, registerNumber, channel is { } c ? Compartments.Name(c) : null, Cut(detail),
            AddressOf(http), outcome);
    }

    public static string? AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    private static string? Cut(string? text) => text is { Length: > MaxDetail } ? text[..MaxDetail] + "…" : text;

    /// <summary>The channel named by a request's <c>channel</c> parameter, if any: a list asked for one channel is about it.</summary>
    public static Channel? ChannelAskedFor(HttpContext http) =>
        ApiEnum<Channel>.TryParse(http.Request.Query["channel"].FirstOrDefault(), out var channel) ? channel : null;
}
