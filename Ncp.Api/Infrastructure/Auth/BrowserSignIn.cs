using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Identity.Web;
using Microsoft.Net.Http.Headers;

namespace Ncp.Api.Infrastructure.Auth;

/// <summary>
/// Browsers sign in with a cookie, API clients send a bearer token. The default scheme looks at each request and
/// forwards it: a bearer token to the scheme of its issuer (the UI's officer tokens, else the identity provider's),
/// an API path without one to the bearer scheme (401, never a redirect), anything else to the cookie.
/// </summary>
public static class BrowserSignIn
{
    public const string Scheme = "Ncp";
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "ncp.session";
    public const string SignInPath = "/sign-in";
    public const string SignOutPath = "/sign-out";
    public const string EntraSignInPath = "/sign-in/entra";

    /// <summary>The page (Ui/Layout/NotAllowed.razor) a signed-in officer sees for a page the role does not open; open to anyone, so it cannot loop.</summary>
    public const string NotAllowedPath = "/not-allowed";

    private static readonly string[] ApiPaths = ["/api", "/hubs", "/dev"];

    /// <summary>Entra ID sign-in for the UI: only without demo users and with an app registration configured.</summary>
    public static bool UsesEntra(IConfiguration configuration) =>
        !DevelopmentSignIn.IsEnabled(configuration) && string.IsNullOrEmpty(configuration["Auth:Oidc:Authority"])
        && !string.IsNullOrEmpty(configuration["AzureAd:ClientId"]);

    public static AuthenticationBuilder AddNcpBrowserSignIn(this AuthenticationBuilder auth, IConfiguration configuration)
    {
        var services = auth.Services;
        services.AddSingleton<OfficerTokens>();
        auth.AddPolicyScheme(Scheme, "Cookie for browsers, bearer for API clients", o => o.ForwardDefaultSelector = Select);
        auth.AddJwtBearer(OfficerTokens.Scheme, o => o.MapInboundClaims = false);
        services.AddOptions<JwtBearerOptions>(OfficerTokens.Scheme)
            .Configure<OfficerTokens>((o, tokens) => o.TokenValidationParameters = tokens.Tokens.Validation());

        if (UsesEntra(configuration))
        {
            auth.AddMicrosoftIdentityWebApp(configuration, "AzureAd", OpenIdConnectDefaults.AuthenticationScheme, CookieScheme);
            services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o =>
            {
                // Same claim names as the bearer tokens: roles for the policies, name for the timeline.
                o.TokenValidationParameters.RoleClaimType = "roles";
                o.TokenValidationParameters.NameClaimType = "name";
            });
        }
        else
        {
            auth.AddCookie(CookieScheme);
        }

        if (OidcSignIn.IsConfigured(configuration))
        {
            auth.AddNcpOidcSignIn(configuration);
        }

        services.Configure<CookieAuthenticationOptions>(CookieScheme, ConfigureCookie);
        return auth;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = CookieName;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
        // Always, also on a plain-HTTP request: behind a proxy that ends TLS a misconfigured X-Forwarded-Proto must not
        // send the session in clear. Browsers accept Secure cookies from http://localhost and 127.0.0.1 (./ncp up).
        o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        o.ExpireTimeSpan = TimeSpan.FromHours(12);
        o.SlidingExpiration = true;
        o.LoginPath = SignInPath;
        o.LogoutPath = SignOutPath;
        // Signed in but not allowed: the sign-in page would only sign the officer in again, so the page says why, in the officer's language.
        o.AccessDeniedPath = NotAllowedPath;
        o.ReturnUrlParameter = "returnUrl";
        var events = o.Events ?? new CookieAuthenticationEvents();
        var redirectToLogin = events.OnRedirectToLogin;
        var redirectToAccessDenied = events.OnRedirectToAccessDenied;
        events.OnRedirectToLogin = context => AsksForPage(context.Request) ? redirectToLogin(context) : Status(context, StatusCodes.Status401Unauthorized);
        events.OnRedirectToAccessDenied = context =>
            AsksForPage(context.Request) ? redirectToAccessDenied(context) : Status(context, StatusCodes.Status403Forbidden);
        o.Events = events;
    }

    private static Task Status(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>A browser navigating to a page is sent to the sign-in page; a script or a probe gets the plain status.</summary>
    private static bool AsksForPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    public static bool IsApiPath(PathString path) => ApiPaths.Any(p => path.StartsWithSegments(p));

    private static string Select(HttpContext http)
    {
        if (BearerToken(http) is { } token)
        {
            return LocalTokens.PeekIssuer(token) == OfficerTokens.Issuer ? OfficerTokens.Scheme : JwtBearerDefaults.AuthenticationScheme;
        }

        return IsApiPath(http.Request.Path) ? JwtBearerDefaults.AuthenticationScheme : CookieScheme;
    }

    private static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers[HeaderNames.Authorization].ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        // The live channel's WebSocket carries its token in the query string (see AuthSetup).
        return http.Request.Path.StartsWithSegments("/hubs") && http.Request.Query.TryGetValue("access_token", out var token) ? token.ToString() : null;
    }
}
