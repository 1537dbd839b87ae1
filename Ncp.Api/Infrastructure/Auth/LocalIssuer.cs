using System.Collections.Immutable;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;
using Ncp.Api.Accounts;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ncp.Api.Infrastructure.Auth;

/// <summary>
/// An OpenID Connect issuer inside the Api, for networks with no identity provider: OpenIddict's server, officers'
/// accounts in <see cref="LocalAccounts"/>, password and TOTP on <c>/sign-in/local</c>. The Ncp web app signs in against
/// it through <see cref="OidcSignIn"/> like against any other provider (Auth:Oidc:Authority is this server's address).
/// <para>
/// OpenIddict runs in its degraded mode, without its stores: the issuer has exactly one client, Ncp itself, named in
/// Auth:Oidc (client id, secret, callback path), so the handlers below check it against configuration instead of an
/// application store; authorization codes and tokens are self-contained (signed and encrypted with the configured keys)
/// and live minutes. Stores on Marten would add four store classes for a table of one client and a token table whose
/// only use here would be revoking a code within its 5 minutes; the cost is that a stolen code could be redeemed twice in
/// that window, which PKCE (the verifier never leaves the Api) and the client secret already prevent.
/// </para>
/// </summary>
public static class LocalIssuer
{
    /// <summary>The issuer's own short session: from the password page to the authorization endpoint, then gone.</summary>
    public const string SessionScheme = "NcpIssuer";
    public const string SignInPath = "/sign-in/local";
    public const string AuthorizePath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string KeyOptionsPath = "/sign-in/local/key-options";

    public static LocalIssuerSettings Settings(IConfiguration configuration) =>
        configuration.GetSection(LocalIssuerSettings.Section).Get<LocalIssuerSettings>() ?? new();

    public static IServiceCollection AddNcpLocalAccounts(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = Settings(configuration);
        var client = OidcSignIn.Settings(configuration);
        if (Uri.TryCreate(client.Authority, UriKind.Absolute, out var authority))
        {
            settings.WebAuthnRelyingPartyId = settings.WebAuthnRelyingPartyId is { Length: > 0 } id ? id : authority.Host;
            settings.WebAuthnOrigins = settings.WebAuthnOrigins is { Length: > 0 } origins ? origins : [authority.GetLeftPart(UriPartial.Authority)];
        }

        services.AddSingleton(settings);
        services.AddSingleton<LocalAccounts>();
        services.AddSingleton<SecurityKeyCeremonies>();
        if (!settings.Enabled)
        {
            return services;
        }

        if (string.IsNullOrEmpty(client.ClientId) || string.IsNullOrEmpty(client.ClientSecret))
        {
            throw new InvalidOperationException("Auth:LocalIssuer:Enabled needs Auth:Oidc:ClientId and Auth:Oidc:ClientSecret: Ncp signs in against it as its one client.");
        }

        var (signing, encryption) = Keys(settings, environment);
        services.AddAuthentication().AddCookie(SessionScheme, o =>
        {
            o.Cookie.Name = "ncp.issuer";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
            o.SlidingExpiration = false;
            o.LoginPath = SignInPath;
            o.ReturnUrlParameter = "returnUrl";
        });
        services.AddOpenIddict().AddServer(o =>
        {
            if (!string.IsNullOrEmpty(client.Authority))
            {
                o.SetIssuer(new Uri(client.Authority));
            }

            o.SetAuthorizationEndpointUris(AuthorizePath.TrimStart('/')).SetTokenEndpointUris(TokenPath.TrimStart('/'));
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.EnableDegradedMode();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Roles);
            o.AddSigningKey(signing).AddEncryptionKey(encryption);
            o.DisableAccessTokenEncryption();
            o.SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(5)).SetIdentityTokenLifetime(TimeSpan.FromMinutes(10));
            var aspNetCore = o.UseAspNetCore().EnableAuthorizationEndpointPassthrough();
            if (settings.AllowHttp)
            {
                aspNetCore.DisableTransportSecurityRequirement();
            }

            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (!string.Equals(context.ClientId, client.ClientId, StringComparison.Ordinal))
                {
                    context.Reject(Errors.InvalidClient, "Ncp is the only client of this issuer.");
                }
                else if (!IsOwnCallback(context.RedirectUri, context.Transaction.GetHttpRequest()!))
                {
                    context.Reject(Errors.InvalidRequest, $"The redirect_uri must be this server's {OidcSignIn.CallbackPath}.");
                }

                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (!string.Equals(context.ClientId, client.ClientId, StringComparison.Ordinal) || !SameSecret(context.ClientSecret, client.ClientSecret))
                {
                    context.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
                }

                return default;
            }));
        });
        return services;
    }

    public static void MapLocalIssuer(this WebApplication app)
    {
        if (!Settings(app.Configuration).Enabled)
        {
            return;
        }

        app.MapMethods(AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        // The sign-in page's script asks here for a security key challenge for the login typed (wwwroot/webauthn.js).
        app.MapPost(KeyOptionsPath, async ([FromForm] string? login, SecurityKeyCeremonies keys, CancellationToken ct) =>
            TypedResults.Ok(await keys.StartSignInAsync(login, ct))).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
    }

    /// <summary>The officer's issuer session (password and code just checked) becomes an authorization code for Ncp.</summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext http, LocalAccounts accounts, CancellationToken ct)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var session = await http.AuthenticateAsync(SessionScheme);
        if (!session.Succeeded || !Guid.TryParse(session.Principal.FindFirstValue(Claims.Subject), out var id))
        {
            var here = http.Request.PathBase + http.Request.Path
                + QueryString.Create(http.Request.HasFormContentType ? [.. http.Request.Form] : [.. http.Request.Query]);
            return Results.Challenge(new AuthenticationProperties { RedirectUri = here }, [SessionScheme]);
        }

        // Disabled between the password page and here: no code.
        if (await accounts.FindAsync(id, ct) is not { Disabled: false } account)
        {
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The account is disabled.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, "roles");
        identity.SetClaim(Claims.Subject, account.Id.ToString()).SetClaim(Claims.Name, account.Name).SetClaim(Claims.PreferredUsername, account.Login)
            .SetClaims("roles", [.. account.RoleClaims()]);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);

        // Each sign-in to Ncp asks for the password and a code again: the issuer's session ends with its one code.
        await http.SignOutAsync(SessionScheme);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The issuer's session for the account just checked on the password page.</summary>
    public static ClaimsPrincipal Session(OfficerAccount account) =>
        new(new ClaimsIdentity([new Claim(Claims.Subject, account.Id.ToString()), new Claim(Claims.Name, account.Name)], SessionScheme, Claims.Name, "roles"));

    private static bool IsOwnCallback(string? redirectUri, HttpRequest request) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri)
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
        && uri.AbsolutePath == request.PathBase + OidcSignIn.CallbackPath && uri.Query.Length == 0;

    private static bool SameSecret(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(expected));

    /// <summary>
    /// The keys from files named in configuration (every Api instance the same ones); in Development, made once in
    /// <see cref="LocalIssuerSettings.KeyDirectory"/> (under .data, never in the repository) when none are named.
    /// </summary>
    private static (SecurityKey Signing, SecurityKey Encryption) Keys(LocalIssuerSettings settings, IHostEnvironment environment)
    {
        var signingFile = settings.SigningKeyFile;
        var encryptionFile = settings.EncryptionKeyFile;
        if (string.IsNullOrEmpty(signingFile) || string.IsNullOrEmpty(encryptionFile))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    "The local issuer needs Auth:LocalIssuer:SigningKeyFile and EncryptionKeyFile outside Development (docs/operations.md, Signing in).");
            }

            var folder = Path.GetFullPath(settings.KeyDirectory, environment.ContentRootPath);
            Directory.CreateDirectory(folder);
            signingFile = Path.Combine(folder, "signing.pem");
            encryptionFile = Path.Combine(folder, "encryption.key");
            if (!File.Exists(signingFile))
            {
                using var made = RSA.Create(3072);
                WriteSecret(signingFile, made.ExportPkcs8PrivateKeyPem());
            }

            if (!File.Exists(encryptionFile))
            {
                WriteSecret(encryptionFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(signingFile));
        var signing = new RsaSecurityKey(rsa) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16] };
        var encryption = new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(encryptionFile).Trim()));
        return (signing, encryption);
    }

    private static void WriteSecret(string path, string text)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
