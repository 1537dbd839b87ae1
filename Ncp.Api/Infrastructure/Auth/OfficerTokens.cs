using System.Security.Claims;

namespace Ncp.Api.Infrastructure.Auth;

/// <summary>
/// Short-lived bearer tokens minted for the officer signed in to the web UI, so that the UI calls the Api's own
/// endpoints as that officer: the same policies, compartments, audit and concurrency as any other client.
/// Accepted only by this process (its own scheme, its own start-up key), whether or not demo users are on.
/// </summary>
public sealed class OfficerTokens(TimeProvider time)
{
    public const string Scheme = "NcpOfficer";
    public const string Issuer = "https://ncp.localhost/officer";

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public LocalTokens Tokens { get; } = new(Issuer, time);

    public string IssueFor(ClaimsPrincipal user) => Tokens.Issue(user.OfficerId(), user.Actor().Name, LocalTokens.RolesOf(user), Lifetime);
}
