using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Infrastructure;

namespace Ncp.Api.Ui.SigningIn;

/// <summary>The few UI actions that must answer with a cookie and a redirect rather than a page.</summary>
public static class SigningInEndpoints
{
    public const string CulturePath = "/preferences/culture";
    public const string TimeZonePath = "/preferences/time-zone";

    public static void MapSigningIn(this WebApplication app)
    {
        // Anonymous: signing out without a session changes nothing, and an officer without any role must still get out.
        app.MapPost(BrowserSignIn.SignOutPath, SignOutAsync)
            .AllowAnonymous()
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .ExcludeFromDescription();

        // Anonymous: the sign-in page offers the languages too. It only sets the browser's cookie; a signed-in officer's
        // choice is also remembered for them.
        app.MapGet(CulturePath, SwitchCultureAsync)
            .AllowAnonymous()
            .ExcludeFromDescription();

        app.MapGet(TimeZonePath, SwitchTimeZoneAsync)
            .RequireAuthorization(Policies.Read)
            .ExcludeFromDescription();

        if (BrowserSignIn.UsesEntra(app.Configuration))
        {
            app.MapGet(BrowserSignIn.EntraSignInPath, (string? returnUrl, string? language) =>
                    TypedResults.Challenge(UiCultures.SignInProperties(language, LocalOrHome(returnUrl)), [OpenIdConnectDefaults.AuthenticationScheme]))
                .AllowAnonymous()
                .ExcludeFromDescription();
        }

        if (OidcSignIn.IsConfigured(app.Configuration))
        {
            app.MapGet(OidcSignIn.SignInPath, (string? returnUrl, string? language) =>
                    TypedResults.Challenge(UiCultures.SignInProperties(language, LocalOrHome(returnUrl)), [OidcSignIn.Scheme]))
                .AllowAnonymous()
                .ExcludeFromDescription();
        }
    }

    /// <summary>The language switch's link: <paramref name="culture"/> for this browser, then back to <paramref name="returnUrl"/>.</summary>
    public static string CultureLink(string culture, string returnUrl) =>
        $"{CulturePath}?culture={culture}&returnUrl={Uri.EscapeDataString(returnUrl)}";

    /// <summary>Only a path of this site: a sign-in link must never send the officer elsewhere.</summary>
    public static string LocalOrHome(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && RedirectHttpResult.IsLocalUrl(returnUrl) ? returnUrl : "/";

    private static async Task<IResult> SignOutAsync(HttpContext http, IConfiguration configuration)
    {
        // The antiforgery middleware only records its verdict for an endpoint that binds no form: enforce it here, so
        // that another site cannot sign an officer out.
        if (http.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            return TypedResults.BadRequest();
        }

        if (BrowserSignIn.UsesEntra(configuration))
        {
            return TypedResults.SignOut(
                new AuthenticationProperties { RedirectUri = BrowserSignIn.SignInPath },
                [BrowserSignIn.CookieScheme, OpenIdConnectDefaults.AuthenticationScheme]);
        }

        await http.SignOutAsync(BrowserSignIn.CookieScheme);
        return TypedResults.LocalRedirect(BrowserSignIn.SignInPath);
    }

    /// <summary>The language switch: in this browser's culture cookie and, once signed in, for the officer (every browser).</summary>
    private static async Task<IResult> SwitchCultureAsync(string? culture, string? returnUrl, HttpContext http, OfficerPreferencesStore preferences)
    {
        if (!UiCultures.IsSupported(culture))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["culture"] = [$"One of: {string.Join(", ", UiCultures.Supported)}."] });
        }

        var chosen = culture!.ToLowerInvariant();
        if (http.User.Identity?.IsAuthenticated == true)
        {
            await preferences.SaveCultureAsync(http.User, chosen, http.RequestAborted);
        }

        UiCultures.Remember(http, chosen);
        return TypedResults.LocalRedirect(LocalOrHome(returnUrl));
    }

    /// <summary>The time-zone switch: any IANA zone this machine knows; every page shows times in it from the next load.</summary>
    private static async Task<IResult> SwitchTimeZoneAsync(string? zone, string? returnUrl, HttpContext http, OfficerPreferencesStore preferences)
    {
        if (zone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) || !found.HasIanaId)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["zone"] = [$"An IANA time zone, e.g. {string.Join(", ", UiTimeZones.Offered)}."] });
        }

        await preferences.SaveTimeZoneAsync(http.User, found.Id, http.RequestAborted);
        return TypedResults.LocalRedirect(LocalOrHome(returnUrl));
    }
}
