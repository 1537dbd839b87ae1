using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Identity.Web;

namespace Ncp.Api.Infrastructure.Auth;

public static class AuthSetup
{
    /// <summary>
    /// Entra ID through Microsoft.Identity.Web by default (section <c>AzureAd</c>); a generic OIDC authority for
    /// isolated networks when <c>Auth:Oidc:Authority</c> is set (browsers too when <c>Auth:Oidc:ClientId</c> is, see
    /// <see cref="OidcSignIn"/>; the provider may be the Api's own <see cref="LocalIssuer"/>); plus, in Development on
    /// loopback only, demo users. Browsers (the web UI) sign in with a cookie, see <see cref="BrowserSignIn"/>.
    /// </summary>
    public static IServiceCollection AddNcpAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var oidcAuthority = configuration["Auth:Oidc:Authority"];
        var auth = services.AddAuthentication(BrowserSignIn.Scheme);
        if (!string.IsNullOrEmpty(oidcAuthority))
        {
            auth.AddJwtBearer(options =>
            {
                options.Authority = oidcAuthority;
                options.Audience = configuration["Auth:Oidc:Audience"];
                options.TokenValidationParameters.RoleClaimType = configuration["Auth:Oidc:RoleClaim"] ?? "roles";
                options.RequireHttpsMetadata = OidcSignIn.Settings(configuration).RequireHttpsMetadata;
                // The claims under the provider's own names, as Auth:Oidc names them (with the default mapping, "roles" became
                // the long WS-* role type and no policy matched).
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = OidcSignIn.Settings(configuration).NameClaim;
                // The same officer as a browser signed in through the provider: roles mapped, clearances as Ncp.Channel.* roles.
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        context.Principal = OidcSignIn.Officer(context.Principal!, OidcSignIn.Settings(configuration), JwtBearerDefaults.AuthenticationScheme);
                        return Task.CompletedTask;
                    },
                };
            });
        }
        else
        {
            auth.AddMicrosoftIdentityWebApi(configuration, "AzureAd");
        }

        auth.AddNcpBrowserSignIn(configuration);
        services.AddNcpKeyRing(configuration);
        services.AddNcpLocalAccounts(configuration, environment);

        // Browsers cannot set headers on a WebSocket: the live channel takes the token from the query string, there only.
        foreach (var scheme in new[] { JwtBearerDefaults.AuthenticationScheme, OfficerTokens.Scheme })
        {
            services.PostConfigure<JwtBearerOptions>(scheme, TokenFromQueryOnHubs);
        }

        if (DevelopmentSignIn.IsEnabled(configuration))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    "Auth:DevelopmentSignIn is on outside the Development environment. Demo users must never reach production; turn it off.");
            }

            services.AddDevelopmentSignIn();
        }

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Read, p => p.RequireRole(Roles.All))
            .AddPolicy(Policies.Register, p => p.RequireRole(Roles.Officers))
            .AddPolicy(Policies.Act, p => p.RequireRole(Roles.Officers))
            .AddPolicy(Policies.Supervise, p => p.RequireRole(Roles.Supervisors))
            .AddPolicy(Policies.Audit, p => p.RequireRole(Roles.Auditors))
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.Administrator))
            .AddPolicy(Policies.Report, p => p.RequireRole(Roles.Reporters));
        services.AddSingleton(configuration.GetSection(CompartmentSettings.Section).Get<CompartmentSettings>() ?? new CompartmentSettings());
        services.AddSingleton<Compartments>();
        return services;
    }

    private static void TokenFromQueryOnHubs(JwtBearerOptions options)
    {
        var inner = options.Events?.OnMessageReceived;
        options.Events ??= new JwtBearerEvents();
        options.Events.OnMessageReceived = async context =>
        {
            if (inner is not null)
            {
                await inner(context);
            }

            if (context.Token is null && context.HttpContext.Request.Path.StartsWithSegments("/hubs")
                && context.Request.Query.TryGetValue("access_token", out var token))
            {
                context.Token = token;
            }
        };
    }
}
