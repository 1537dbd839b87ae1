using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ncp.Api.Infrastructure.Auth;

/// <summary>
/// Bearer tokens this process signs for itself, with a key made at start-up that never leaves the process:
/// the demo users' tokens in Development, and the officers' internal tokens for the web UI's calls to the Api.
/// A restart invalidates every token issued before it.
/// </summary>
public sealed class LocalTokens(string issuer, TimeProvider time)
{
    public const string Audience = "ncp-api";

    private readonly SymmetricSecurityKey key = new(RandomNumberGenerator.GetBytes(32)) { KeyId = issuer };

    public string Issuer => issuer;

    public SecurityKey Key => key;

    /// <summary>The claims every token names the officer with, whichever issuer signed it: oid, sub, name, roles.</summary>
    public string Issue(string officerId, string name, IEnumerable<string> roles, TimeSpan lifetime)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            ["oid"] = officerId,
            ["sub"] = officerId,
            ["name"] = name,
            ["roles"] = roles.Distinct(StringComparer.Ordinal).ToArray(),

            // Each token its own, like Entra ID's: two issued in one second are two sign-ins in the audit log.
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Validation of this issuer's tokens, claim names as issued (no mapping to the long WS-* names).</summary>
    public TokenValidationParameters Validation() => new()
    {
        ValidIssuer = issuer,
        ValidAudience = Audience,
        IssuerSigningKey = key,
        NameClaimType = "name",
        RoleClaimType = "roles",
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    /// <summary>Reads the issuer without validating anything: only to route a token to the scheme that validates it.</summary>
    public static string? PeekIssuer(string token)
    {
        try
        {
            return new JsonWebTokenHandler().CanReadToken(token) ? new JsonWebToken(token).Issuer : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The role claims of every identity of the user, whatever claim type each identity names roles with.</summary>
    public static IEnumerable<string> RolesOf(ClaimsPrincipal user) =>
        user.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => c.Value);
}
