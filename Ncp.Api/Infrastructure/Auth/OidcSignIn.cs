using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Infrastructure.Auth;

/// <summary>
/// Section <c>Auth:Oidc</c>: any standard OpenID Connect provider (Keycloak, ADFS, the local issuer) for the browser's
/// sign-in, and the same authority for API bearer tokens. Claim names are the provider's; see docs/operations.md.
/// </summary>
public sealed class OidcSettings
{
    public const string Section = "Auth:Oidc";

    public string? Authority { get; set; }

    /// <summary>Set for the browser's sign-in; without it the authority only signs API bearer tokens.</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string? Audience { get; set; }

    /// <summary>The button's words on the sign-in page, e.g. "Police directory"; the page says "your organisation account" without.</summary>
    public string? DisplayName { get; set; }

    public string IdClaim { get; set; } = "sub";

    public string NameClaim { get; set; } = "name";

    public string RoleClaim { get; set; } = "roles";

    /// <summary>Claim naming cleared channels (e.g. csto, or Ncp.Channel.Csto); the role claim when not set.</summary>
    public string? ClearanceClaim { get; set; }

    /// <summary>The provider's role values to Ncp's roles (e.g. "ncp-duty" → Ncp.DutyOfficer); Ncp's own names pass as they are.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = [];

    public string[] Scopes { get; set; } = ["openid", "profile"];

    /// <summary>Ask the userinfo endpoint too, for providers that leave roles out of the ID token.</summary>
    public bool UseUserInfo { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;
}

/// <summary>
/// The browser's sign-in through a standard OpenID Connect provider: ASP.NET Core's handler, authorization code with
/// PKCE, then the officer's principal in the shape every other sign-in gives (sub, name, roles; clearances as
/// <c>Ncp.Channel.*</c> roles), so that policies, compartments and the timeline read it the same way.
/// </summary>
public static class OidcSignIn
{
    public const string Scheme = "Oidc";
    public const string SignInPath = "/sign-in/oidc";
    public const string CallbackPath = "/signin-oidc";

    public static OidcSettings Settings(IConfiguration configuration) => configuration.GetSection(OidcSettings.Section).Get<OidcSettings>() ?? new();

    public static bool IsConfigured(IConfiguration configuration) =>
        Settings(configuration) is { Authority.Length: > 0, ClientId.Length: > 0 };

    public static AuthenticationBuilder AddNcpOidcSignIn(this AuthenticationBuilder auth, IConfiguration configuration)
    {
        var settings = Settings(configuration);
        return auth.AddOpenIdConnect(Scheme, o =>
        {
            o.SignInScheme = BrowserSignIn.CookieScheme;
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            o.CallbackPath = CallbackPath;
            o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            o.GetClaimsFromUserInfoEndpoint = settings.UseUserInfo;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.Scope.Clear();
            foreach (var scope in settings.Scopes)
            {
                o.Scope.Add(scope);
            }

            o.TokenValidationParameters.NameClaimType = settings.NameClaim;
            o.TokenValidationParameters.RoleClaimType = settings.RoleClaim;
            // After the userinfo call, so that claims from either place are read.
            o.Events.OnTicketReceived = context =>
            {
                context.Principal = Officer(context.Principal!, settings, Scheme);
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>The provider's principal as Ncp's officer: the claims named in the settings, under Ncp's own names.</summary>
    public static ClaimsPrincipal Officer(ClaimsPrincipal provider, OidcSettings settings, string authenticationType)
    {
        var id = provider.FindFirstValue(settings.IdClaim)
            ?? throw new InvalidOperationException($"The provider's token has no '{settings.IdClaim}' claim (Auth:Oidc:IdClaim).");
        var name = provider.FindFirstValue(settings.NameClaim) ?? provider.FindFirstValue("preferred_username") ?? id;
        var roles = provider.FindAll(settings.RoleClaim).Select(c => settings.RoleMap.GetValueOrDefault(c.Value, c.Value)).Where(Roles.All.Contains);
        var clearances = provider.FindAll(settings.ClearanceClaim ?? settings.RoleClaim).Select(c => Clearance(c.Value)).OfType<string>();
        return new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim("sub", id),
                new Claim("name", name),
                .. roles.Concat(clearances).Distinct(StringComparer.Ordinal).Select(r => new Claim("roles", r)),
            ],
            authenticationType,
            "name",
            "roles"));
    }

    private static string? Clearance(string value)
    {
        if (ApiEnum<Channel>.TryParse(value, out var channel))
        {
            return Compartments.ClearanceRole(channel);
        }

        return Enum.GetValues<Channel>().Select(Compartments.ClearanceRole).FirstOrDefault(r => r.Equals(value, StringComparison.OrdinalIgnoreCase));
    }
}
