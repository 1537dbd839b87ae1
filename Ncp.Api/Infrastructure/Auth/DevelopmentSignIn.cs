using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Ncp.Api.Auditing;

namespace Ncp.Api.Infrastructure.Auth;

public sealed record DemoUser(string Login, Guid ObjectId, string Name, params string[] Roles);

/// <summary>
/// Demo users for a developer's machine: tokens signed with a key made at start-up, accepted beside
/// the real identity provider, handed out only in Development and only to loopback callers.
/// </summary>
public sealed class DevelopmentSignIn
{
    public const string Issuer = "https://ncp.localhost/development-sign-in";
    public const string Audience = LocalTokens.Audience;

    public static readonly DemoUser[] Users =
    [
        new("duty", Guid.Parse("0193f3a0-0000-7000-8000-000000000001"), "Duty Officer (demo)", Roles.DutyOfficer),
        new("supervisor", Guid.Parse("0193f3a0-0000-7000-8000-000000000002"), "Supervisor (demo)", Roles.Supervisor, "Ncp.Channel.Csto"),
        new("head", Guid.Parse("0193f3a0-0000-7000-8000-000000000003"), "Head of Unit (demo)", Roles.HeadOfUnit, "Ncp.Channel.Csto"),
        new("auditor", Guid.Parse("0193f3a0-0000-7000-8000-000000000004"), "Auditor (demo)", Roles.Auditor),
        new("admin", Guid.Parse("0193f3a0-0000-7000-8000-000000000005"), "Administrator (demo)", Roles.Administrator),
    ];

    private readonly LocalTokens tokens;

    public DevelopmentSignIn(TimeProvider time) => tokens = new LocalTokens(Issuer, time);

    public SecurityKey Key => tokens.Key;

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue<bool>("Auth:DevelopmentSignIn");

    public static DemoUser? Find(string? login) => Users.FirstOrDefault(u => string.Equals(u.Login, login, StringComparison.OrdinalIgnoreCase));

    /// <summary>Only a browser or client on this machine may sign in as a demo user.</summary>
    public static bool IsLoopback(HttpContext http) => http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);

    public string Issue(DemoUser user, TimeSpan? lifetime = null) => Issue(user.ObjectId, user.Name, user.Roles, lifetime);

    public string Issue(Guid objectId, string name, string[] roles, TimeSpan? lifetime = null) =>
        tokens.Issue(objectId.ToString(), name, roles, lifetime ?? TimeSpan.FromHours(12));

    /// <summary>The demo user as a signed-in identity carrying the same claims as the demo token, for the browser's cookie.</summary>
    public static ClaimsPrincipal Principal(DemoUser user, string authenticationType) =>
        new(new ClaimsIdentity(
            [
                new Claim("oid", user.ObjectId.ToString()),
                new Claim("sub", user.ObjectId.ToString()),
                new Claim("name", user.Name),
                .. user.Roles.Select(r => new Claim("roles", r)),
            ],
            authenticationType,
            "name",
            "roles"));

    public sealed record SignInBody(string? User);

    public sealed record SignInResult(string AccessToken, string TokenType, string User, string[] Roles);

    internal static async Task<Results<Ok<SignInResult>, ProblemHttpResult>> SignInAsync(
        SignInBody body, HttpContext http, DevelopmentSignIn signIn, AuditTrail audit)
    {
        if (!IsLoopback(http))
        {
            await audit.RecordSignInFailureAsync(http, body.User, "demo token: not a loopback caller", http.RequestAborted);
            return TypedResults.Problem(statusCode: 403, title: "Development sign-in is for loopback callers only");
        }

        var user = Find(body.User);
        if (user is null)
        {
            await audit.RecordSignInFailureAsync(http, body.User, "demo token: no such demo user", http.RequestAborted);
            return TypedResults.Problem(
                statusCode: 400,
                title: "No such demo user",
                detail: $"Demo users: {string.Join(", ", Users.Select(u => u.Login))}.",
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["user"] = ["Unknown demo user."] } });
        }

        await audit.RecordSignInAsync(http, Principal(user, "demo-token"), "demo token issued");
        return TypedResults.Ok(new SignInResult(signIn.Issue(user), "Bearer", user.Login, user.Roles));
    }
}

public static class DevelopmentSignInSetup
{
    public static IServiceCollection AddDevelopmentSignIn(this IServiceCollection services)
    {
        services.AddSingleton<DevelopmentSignIn>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .PostConfigure<DevelopmentSignIn>((options, signIn) =>
            {
                // Accept the demo tokens without downloading the identity provider's metadata.
                options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(
                    new OpenIdConnectConfiguration { Issuer = DevelopmentSignIn.Issuer, SigningKeys = { signIn.Key } });
                options.TokenValidationParameters.IssuerValidator = null;
                options.TokenValidationParameters.ValidIssuer = DevelopmentSignIn.Issuer;
                options.TokenValidationParameters.ValidAudiences = [DevelopmentSignIn.Audience];
                options.TokenValidationParameters.IssuerSigningKey = signIn.Key;
            });
        return services;
    }

    public static void MapDevelopmentSignIn(this WebApplication app)
    {
        if (!DevelopmentSignIn.IsEnabled(app.Configuration))
        {
            return;
        }

        app.MapPost("/dev/sign-in", DevelopmentSignIn.SignInAsync)
            .AllowAnonymous()
            .WithTags("Development")
            .WithSummary("Development only: a token for a demo user (duty, supervisor, head, auditor, admin)");
    }
}
