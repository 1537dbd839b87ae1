using System.IdentityModel.Tokens.Jwt;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Auditing;

/// <summary>
/// Every sign-in, success and failure, on each path: the browser's session (demo users and Entra ID both end in the
/// cookie's sign-in), Entra ID's and an OpenID Connect provider's own failures (the local issuer's page records its own), and bearer tokens (Microsoft.Identity.Web, a generic OIDC authority or the
/// demo users': the first request with a token is its sign-in; any token refused is a failed one). The development
/// sign-in endpoint and page record their own refusals.
/// </summary>
public static class SignInAuditing
{
    public static IServiceCollection AddSignInAuditing(this IServiceCollection services)
    {
        services.AddSingleton<TokenSightings>();
        services.PostConfigure<CookieAuthenticationOptions>(BrowserSignIn.CookieScheme, o =>
        {
            var signedIn = o.Events.OnSignedIn;
            o.Events.OnSignedIn = async context =>
            {
                await signedIn(context);
                var identity = context.Principal?.Identity?.AuthenticationType ?? "cookie";
                await Trail(context.HttpContext).RecordSignInAsync(context.HttpContext, context.Principal!, $"browser session ({identity})");
            };
        });

        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => AuditBearer(o, auditSuccess: true));
        // The UI's own tokens: the officer's sign-in is the cookie's; a refused one is still worth knowing.
        services.PostConfigure<JwtBearerOptions>(OfficerTokens.Scheme, o => AuditBearer(o, auditSuccess: false));

        services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o => AuditRemote(o, "Entra ID"));
        services.PostConfigure<OpenIdConnectOptions>(OidcSignIn.Scheme, o => AuditRemote(o, "OpenID Connect"));
        return services;
    }

    private static void AuditRemote(OpenIdConnectOptions o, string provider)
    {
        var remoteFailure = o.Events.OnRemoteFailure;
        o.Events.OnRemoteFailure = async context =>
        {
            await Trail(context.HttpContext).RecordSignInFailureAsync(
                context.HttpContext, null, $"{provider}: {context.Failure?.GetType().Name ?? "failure"}", CancellationToken.None);
            await remoteFailure(context);
        };
        var denied = o.Events.OnAccessDenied;
        o.Events.OnAccessDenied = async context =>
        {
            await Trail(context.HttpContext).RecordSignInFailureAsync(context.HttpContext, null, $"{provider}: access denied", CancellationToken.None);
            await denied(context);
        };
    }

    private static void AuditBearer(JwtBearerOptions options, bool auditSuccess)
    {
        options.Events ??= new JwtBearerEvents();
        var validated = options.Events.OnTokenValidated;
        var failed = options.Events.OnAuthenticationFailed;
        if (auditSuccess)
        {
            options.Events.OnTokenValidated = async context =>
            {
                await validated(context);
                var http = context.HttpContext;
                if (context.Result is null or { Succeeded: true } && context.Principal is { } user
                    && http.RequestServices.GetRequiredService<TokenSightings>().FirstSight(context.SecurityToken))
                {
                    await RecordQuietlyAsync(http, () => Trail(http).RecordSignInAsync(http, user, $"bearer token from {context.SecurityToken.Issuer}"));
                }
            };
        }

        options.Events.OnAuthenticationFailed = async context =>
        {
            await failed(context);
            await RecordQuietlyAsync(context.HttpContext, () => Trail(context.HttpContext).RecordSignInFailureAsync(
                context.HttpContext, null, $"bearer token refused: {context.Exception.GetType().Name}", CancellationToken.None));
        };
    }

    private static AuditTrail Trail(HttpContext http) => http.RequestServices.GetRequiredService<AuditTrail>();

    // A bearer sign-in is recorded while the token is checked, before anything knows what the request is for: with the
    // database down it must not fail health probes or requests that need no database. Every audited read still refuses
    // to answer unless its own entry is written.
    private static async Task RecordQuietlyAsync(HttpContext http, Func<Task> record)
    {
        try
        {
            await record();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInAuditing))
                .LogError(e, "A bearer sign-in on {Path} could not be audited", http.Request.Path);
        }
    }
}

/// <summary>
/// Bearer tokens already seen by this process, until they expire: a token's first request is its sign-in, the rest are
/// its session. Bounded, so that a flood of tokens costs memory only up to a limit (then some sign-ins are recorded twice).
/// </summary>
public sealed class TokenSightings(TimeProvider time) : IDisposable
{
    private readonly MemoryCache seen = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public bool FirstSight(Microsoft.IdentityModel.Tokens.SecurityToken token)
    {
        var raw = token switch
        {
            JsonWebToken jwt => jwt.EncodedToken,
            JwtSecurityToken jwt => jwt.RawData,
            _ => token.Id + token.Issuer + token.ValidFrom.Ticks,
        };
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(raw)));
        if (seen.TryGetValue(key, out _))
        {
            return false;
        }

        var expires = token.ValidTo > DateTime.MinValue ? new DateTimeOffset(token.ValidTo, TimeSpan.Zero) : time.GetUtcNow().AddHours(1);
        seen.Set(key, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
        return true;
    }

    public void Dispose() => seen.Dispose();
}
