using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using MudBlazor.Services;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Auditing;
using Ncp.Api.Ui.Items;
using Ncp.Api.Ui.Shared;
using Ncp.Api.Ui.SigningIn;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>The officers' web UI: Blazor (static sign-in page, interactive server pages) with MudBlazor, in the Api's process.</summary>
public static class UiSetup
{
    private static readonly string[] NonUiPaths = ["/health", "/openapi"];

    /// <summary>The page (Ui/Layout/NotFound.razor) for an address without a page or an item that does not exist.</summary>
    public const string NotFoundPath = "/not-found";

    public static IServiceCollection AddNcpUi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        // Toasts at the bottom: at the top they covered the page's heading.
        services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomEnd);
        services.AddLocalization();
        services.AddTransient<MudLocalizer, MudTexts>();

        services.AddSingleton(configuration.GetSection(UiSettings.Section).Get<UiSettings>() ?? new UiSettings());
        services.AddSingleton<UiFormats>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitCulture>());
        services.AddSingleton<ApiAddress>();
        services.AddHttpClient<NcpApiClient>(NcpApiClient.HttpClientName, (provider, http) =>
        {
            http.BaseAddress = provider.GetRequiredService<ApiAddress>().Resolve();
            http.Timeout = TimeSpan.FromSeconds(30);
        });
        services.AddScoped<OfficerPreferencesStore>();
        services.AddScoped<OfficerContextFactory>();
        services.AddScoped<PartnerDirectoryCache>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, NotAllowedInPlace>();

        // At every sign-in (demo or Entra ID) the officer's name and roles are remembered for colleagues' officer pickers, and
        // the officer's language (chosen on the sign-in page, else remembered) becomes the browser's culture cookie.
        services.PostConfigure<CookieAuthenticationOptions>(BrowserSignIn.CookieScheme, options =>
        {
            var signedIn = options.Events.OnSignedIn;
            options.Events.OnSignedIn = async context =>
            {
                await signedIn(context);
                await OfficerPreferenceCultureProvider.ApplyAtSignInAsync(context.HttpContext, context.Principal!, context.Properties);
            };
        });
        return services;
    }

    /// <summary>Call after UseAuthorization: culture and antiforgery for pages, then the pages and their endpoints.</summary>
    public static WebApplication MapNcpUi(this WebApplication app)
    {
        // API answers and health probes keep the invariant culture whatever the officer's language (and never wait for
        // the officer's preferences in the database).
        app.UseWhen(IsUiRequest, ui => ui.UseRequestLocalization(OfficerPreferenceCultureProvider.LocalizationOptions()).Use(UiFormats.ApplyToRequestAsync));
        // A browser asking for an address with no page gets the app's "not found" page (404, the officer's language), not
        // the Api's problem JSON; /api and the other non-UI paths keep that. On the main pipeline, not in a UseWhen branch:
        // a branch has no global router, and the re-execution would find no page. Only a page's 404 is re-executed.
        app.UseStatusCodePagesWithReExecute(NotFoundPath, createScopeForStatusCodePages: true);
        app.Use(async (http, next) =>
        {
            await next(http);
            if (http.Response.StatusCode != StatusCodes.Status404NotFound || !IsUiRequest(http) || !AsksForHtml(http.Request))
            {
                http.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            }
        });
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .Add(ReadPolicyUnlessNamed);
        app.MapSigningIn();
        app.MapAttachmentDownload();
        app.MapAuditExport();
        Reports.ReportExport.MapReportExport(app);
        return app;
    }

    private static bool AsksForHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static bool IsUiRequest(HttpContext http) =>
        !BrowserSignIn.IsApiPath(http.Request.Path) && !NonUiPaths.Any(p => http.Request.Path.StartsWithSegments(p));

    /// <summary>
    /// Every UI endpoint names a policy like the Api's own: a page its own (<c>@attribute [Authorize(Policy = ...)]</c>),
    /// else Read, as do Blazor's own endpoints (the circuit's hub, the redirect helper).
    /// </summary>
    private static void ReadPolicyUnlessNamed(EndpointBuilder endpoint)
    {
        if (!endpoint.Metadata.OfType<IAuthorizeData>().Any(a => a.Policy is not null) && !endpoint.Metadata.OfType<IAllowAnonymous>().Any())
        {
            endpoint.Metadata.Add(new AuthorizeAttribute(Policies.Read));
        }
    }
}
