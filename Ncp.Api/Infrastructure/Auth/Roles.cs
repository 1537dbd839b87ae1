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
    public static readonly string[] Supervisors = [Supervisor, HeadOfUnit];
    public static readonly string[] Auditors = [Auditor, HeadOfUnit, Administrator];

    /// <summary>Who reads the unit's statistics: those who account for the unit's work and those who check it.</summary>
    public static readonly string[] Reporters = [Supervisor, HeadOfUnit, Auditor];
}

public static class Policies
{
    public const string Read = "ncp.read";
    public const string Register = "ncp.register";
    public const string Act = "ncp.act";
    public const string Supervise = "ncp.supervise";
    public const string Audit = "ncp.audit";
    public const string Administer = "ncp.administer";
    public const string Report = "ncp.report";
}

public static class OfficerClaims
{
    /// <summary>The signed-in officer as events record them.</summary>
    public static Ncp.Api.Cases.Actor Actor(this ClaimsPrincipal user) =>
        new(user.OfficerId(), user.FindFirstValue("name") ?? user.Identity?.Name ?? user.OfficerId());

    /// <summary>The stable id of the signed-in officer (Entra object id, else the token subject).</summary>
    public static string OfficerId(this ClaimsPrincipal user) =>
        user.GetObjectId() ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub")
        ?? throw new InvalidOperationException("The token names no user (no oid or sub claim).");
}
