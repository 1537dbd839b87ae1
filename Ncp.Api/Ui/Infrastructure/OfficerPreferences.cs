using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Localization;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>What one officer chose for the UI, kept across browsers and sign-ins. Keyed by the officer id (oid).</summary>
public sealed record OfficerPreferences
{
    public string Id { get; init; } = "";

    /// <summary>One of <see cref="UiCultures.Supported"/>; null until the officer switches language.</summary>
    public string? Culture { get; init; }

    /// <summary>An IANA time zone id; null: the unit's default.</summary>
    public string? TimeZone { get; init; }

    /// <summary>The officer's name at the latest sign-in, as colleagues pick them (<c>GET /api/officers</c>); null before one.</summary>
    public string? Name { get; init; }

    /// <summary>The officer's app roles at the latest sign-in.</summary>
    public string[]? Roles { get; init; }
}

/// <summary>The UI's languages; English is the default and the fallback of every missing text.</summary>
public static class UiCultures
{
    public const string Default = "en";

    public static readonly string[] Supported = ["kk", "ru", "en"];

    /// <summary>The language of this request (of the page being rendered).</summary>
    public static string Current => System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;

    /// <summary>Dates and numbers in English the way the unit writes them (29/11/2026, 24-hour clock), not the US way.</summary>
    public static string FormattingOf(string culture) => culture == Default ? "en-GB" : culture;

    /// <summary>Where a sign-in carries the language chosen on the sign-in page (an item of its authentication properties).</summary>
    public const string ChosenAtSignIn = "ncp.culture";

    /// <summary>A sign-in's properties, with the language chosen on the sign-in page when there is one.</summary>
    public static AuthenticationProperties SignInProperties(string? chosen, string? redirectUri = null)
    {
        var properties = new AuthenticationProperties { RedirectUri = redirectUri };
        if (IsSupported(chosen))
        {
            properties.Items[ChosenAtSignIn] = chosen!.ToLowerInvariant();
        }

        return properties;
    }

    public static bool IsSupported(string? culture) => culture is not null && Supported.Contains(culture, StringComparer.OrdinalIgnoreCase);

    /// <summary>The language named in its own tongue, as the switch shows it.</summary>
    public static string NativeName(string culture) => culture switch
    {
        "kk" => "Қазақша",
        "ru" => "Русский",
        _ => "English",
    };

    /// <summary>Writes the standard culture cookie that RequestLocalization reads first.</summary>
    public static void Remember(HttpContext http, string culture) =>
        http.Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(FormattingOf(culture), culture)),
            new CookieOptions
            {
                Expires = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().AddYears(1),
                HttpOnly = true,
                IsEssential = true,
                SameSite = SameSiteMode.Lax,
                Secure = http.Request.IsHttps,
            });
}

/// <summary>The zones the switch offers besides the officer's own: the unit's two, the partners' most common, and UTC.</summary>
public static class UiTimeZones
{
    public static readonly string[] Offered = ["Asia/Almaty", "Asia/Aqtobe", "Europe/Moscow", "UTC"];
}

/// <summary>Reads and writes <see cref="OfficerPreferences"/> (a Marten document in the Api's schema).</summary>
public sealed class OfficerPreferencesStore(IDocumentStore store, UiSettings settings, RegisterSettings register)
{
    public string DefaultTimeZone => settings.DefaultTimeZone ?? register.TimeZone;

    public async Task<OfficerPreferences> LoadAsync(ClaimsPrincipal officer, CancellationToken ct = default)
    {
        var id = officer.OfficerId();
        await using var session = store.QuerySession();
        return await session.LoadAsync<OfficerPreferences>(id, ct) ?? new OfficerPreferences { Id = id };
    }

    public Task SaveCultureAsync(ClaimsPrincipal officer, string culture, CancellationToken ct = default) =>
        ChangeAsync(officer, p => p with { Culture = culture }, ct);

    public Task SaveTimeZoneAsync(ClaimsPrincipal officer, string timeZone, CancellationToken ct = default) =>
        ChangeAsync(officer, p => p with { TimeZone = timeZone }, ct);

    /// <summary>
    /// At sign-in: who the officer is now by the identity provider's word, so that colleagues can assign them items;
    /// a language chosen on the sign-in page is saved in the same write.
    /// </summary>
    public Task<OfficerPreferences> RememberSignInAsync(ClaimsPrincipal officer, string? chosenCulture = null, CancellationToken ct = default) =>
        ChangeAsync(officer, p => p with
        {
            Name = officer.Actor().Name,
            Roles = [.. LocalTokens.RolesOf(officer).Distinct().Order(StringComparer.Ordinal)],
            Culture = chosenCulture ?? p.Culture,
        }, ct);

    /// <summary>The officer's zone: the chosen one if this machine knows it, else the unit's.</summary>
    public TimeZoneInfo ZoneOf(OfficerPreferences preferences) =>
        preferences.TimeZone is { } chosen && TimeZoneInfo.TryFindSystemTimeZoneById(chosen, out var zone)
            ? zone
            : TimeZoneInfo.FindSystemTimeZoneById(DefaultTimeZone);

    private async Task<OfficerPreferences> ChangeAsync(ClaimsPrincipal officer, Func<OfficerPreferences, OfficerPreferences> change, CancellationToken ct)
    {
        var changed = change(await LoadAsync(officer, ct));
        await using var session = store.LightweightSession();
        session.Store(changed);
        await session.SaveChangesAsync(ct);
        return changed;
    }
}

/// <summary>
/// The officer's remembered language for a request without the culture cookie (a new browser, a cleared cookie):
/// read from the preferences and written back as the cookie, so the next request needs no database read.
/// </summary>
public sealed class OfficerPreferenceCultureProvider : RequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        if (httpContext.User.Identity?.IsAuthenticated != true
            || httpContext.Request.Cookies.ContainsKey(CookieRequestCultureProvider.DefaultCookieName))
        {
            return null;
        }

        var preferences = await httpContext.RequestServices.GetRequiredService<OfficerPreferencesStore>().LoadAsync(httpContext.User, httpContext.RequestAborted);
        if (!UiCultures.IsSupported(preferences.Culture))
        {
            return null;
        }

        UiCultures.Remember(httpContext, preferences.Culture!);
        return new ProviderCultureResult(UiCultures.FormattingOf(preferences.Culture!), preferences.Culture);
    }

    /// <summary>
    /// At sign-in the officer's name and roles are remembered, and the officer's language replaces whatever the
    /// browser's cookie said (another officer's, say), unless the officer chose one on the sign-in page just now: that
    /// one wins and is remembered from then on.
    /// </summary>
    public static async Task ApplyAtSignInAsync(HttpContext http, ClaimsPrincipal officer, AuthenticationProperties properties)
    {
        var chosen = properties.Items.TryGetValue(UiCultures.ChosenAtSignIn, out var culture) && UiCultures.IsSupported(culture) ? culture : null;
        var preferences = await http.RequestServices.GetRequiredService<OfficerPreferencesStore>().RememberSignInAsync(officer, chosen, http.RequestAborted);
        if (UiCultures.IsSupported(preferences.Culture))
        {
            UiCultures.Remember(http, preferences.Culture!);
        }
    }

    public static RequestLocalizationOptions LocalizationOptions()
    {
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture(UiCultures.FormattingOf(UiCultures.Default), UiCultures.Default),
        };
        options.AddSupportedCultures([.. UiCultures.Supported.Select(UiCultures.FormattingOf)]).AddSupportedUICultures(UiCultures.Supported);

        // Cookie first (the officer's switch), then the remembered preference, then the browser's Accept-Language.
        options.RequestCultureProviders =
        [
            new CookieRequestCultureProvider(),
            new OfficerPreferenceCultureProvider(),
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        return options;
    }
}
