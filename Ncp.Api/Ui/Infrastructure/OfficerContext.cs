using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// The signed-in officer as every page sees it (a cascading value set by the main layout): who, which of the Api's
/// policies allow them (to show only the actions they may take; the Api refuses the others anyway), which channels
/// they are cleared for, and their time zone.
/// </summary>
public sealed record OfficerContext(string Id, string Name, string[] Roles, IReadOnlySet<string> Allowed, Channel[] Channels, TimeZoneInfo Zone)
{
    public static readonly string[] AllPolicies = [Policies.Read, Policies.Register, Policies.Act, Policies.Supervise, Policies.Audit, Policies.Administer,
        Policies.Report];

    /// <summary>Whether the Api's policy (a <see cref="Policies"/> name) allows this officer.</summary>
    public bool May(string policy) => Allowed.Contains(policy);

    /// <summary>An instant in the officer's own time zone.</summary>
    public DateTimeOffset InOwnZone(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);
}

public sealed class OfficerContextFactory(IAuthorizationService authorization, Compartments compartments, OfficerPreferencesStore preferences)
{
    public async Task<OfficerContext> ForAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in OfficerContext.AllPolicies)
        {
            if ((await authorization.AuthorizeAsync(user, policy)).Succeeded)
            {
                allowed.Add(policy);
            }
        }

        var chosen = await preferences.LoadAsync(user, ct);
        return new OfficerContext(
            user.OfficerId(),
            user.Actor().Name,
            [.. LocalTokens.RolesOf(user).Where(r => Ncp.Api.Infrastructure.Auth.Roles.All.Contains(r))],
            allowed,
            compartments.ChannelsOf(user),
            preferences.ZoneOf(chosen));
    }
}
