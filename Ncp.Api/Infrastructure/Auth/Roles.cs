using System.Security.Claims;
using Microsoft.Identity.Web;

namespace Ncp.Api.Infrastructure.Auth;

/// <summary>App roles as they appear in the token's <c>roles</c> claim (Entra ID app roles).</summary>
public static class Roles
{
    public const string DutyOfficer = "Ncp.DutyOfficer";
    public const string Supervisor = "Ncp.Supervisor";
    public const string HeadOfUnit = "Ncp.HeadOfUnit";
    public const string Auditor = "Ncp.Auditor";
    public const string Administrator = "Ncp.Administrator";

    public static readonly string[] All = [DutyOfficer, Supervisor, HeadOfUnit, Auditor, Administrator];
    public static readonly string[] Officers = [DutyOfficer, Supervisor, HeadOfUnit];
}

public static class Policies
{
    public const string Read = "ncp.read";
    public const string Register = "ncp.register";
}

public static class OfficerClaims
{
    /// <summary>The stable id of the signed-in officer (Entra object id, else the token subject).</summary>
    public static string OfficerId(this ClaimsPrincipal user) =>
        user.GetObjectId() ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub")
        ?? throw new InvalidOperationException("The token names no user (no oid or sub claim).");
}
