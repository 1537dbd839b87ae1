using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Infrastructure;

namespace Ncp.Api.Officers;

/// <summary>An officer an item may be assigned to: the account's id, the name the timeline shows, the app roles.</summary>
public sealed record OfficerResource(string Id, string Name, string[] Roles);

/// <summary>
/// GET /api/officers: the officers the system knows, for the assign picker. There is no directory of our own; the
/// identity provider's word at each officer's latest sign-in to the web UI is kept with their preferences, and on a
/// developer's machine the demo users are known before they sign in.
/// </summary>
public static class OfficerDirectory
{
    public static RouteGroupBuilder MapOfficers(this RouteGroupBuilder officers)
    {
        officers.MapGet("/", ListAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ListOfficers")
            .WithSummary("The officers an item may be assigned to (those who signed in to the web UI, and the demo users in development), by name");
        return officers;
    }

    private static async Task<Ok<OfficerResource[]>> ListAsync(IQuerySession session, IConfiguration configuration, CancellationToken ct)
    {
        var signedIn = await session.Query<OfficerPreferences>().Where(p => p.Name != null).ToListAsync(ct);
        var demo = DevelopmentSignIn.IsEnabled(configuration)
            ? DevelopmentSignIn.Users.Select(u => new OfficerResource(u.ObjectId.ToString(), u.Name, u.Roles))
            : [];
        // The latest sign-in's name and roles win over the demo list's.
        return TypedResults.Ok<OfficerResource[]>([
            .. signedIn.Select(p => new OfficerResource(p.Id, p.Name!, p.Roles ?? []))
                .Concat(demo)
                .DistinctBy(o => o.Id)
                .Where(o => o.Roles.Intersect(Roles.Officers).Any())
                .OrderBy(o => o.Name, StringComparer.InvariantCultureIgnoreCase),
        ]);
    }
}
