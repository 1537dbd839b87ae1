using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Accounts;

/// <summary>
/// An officer's account at the local issuer (networks without an identity provider): a Marten document in the Api's
/// schema. The password is kept only as <see cref="Microsoft.AspNetCore.Identity.PasswordHasher{TUser}"/>'s hash; the TOTP
/// secret must stay readable to check codes, so it is as safe as the database (and its backups).
/// </summary>
public sealed record OfficerAccount
{
    public Guid Id { get; init; }

    /// <summary>Lower case; unique.</summary>
    public string Login { get; init; } = "";

    public string Name { get; init; } = "";

    public string PasswordHash { get; init; } = "";

    /// <summary>Base32, as authenticator apps take it.</summary>
    public string TotpSecret { get; init; } = "";

    /// <summary>The time step of the last code accepted: a code (or an older one) is never accepted twice.</summary>
    public long LastTotpStep { get; init; }

    /// <summary>Ncp roles (<see cref="Roles.All"/>).</summary>
    public string[] Roles { get; init; } = [];

    /// <summary>Channels the officer is cleared for, in the API's spelling (e.g. csto): <see cref="Compartments.ClearanceRole"/>.</summary>
    public string[] Clearances { get; init; } = [];

    public bool Disabled { get; init; }

    public int FailedAttempts { get; init; }

    public DateTimeOffset? LockedUntil { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string CreatedBy { get; init; } = "";

    /// <summary>WebAuthn credentials (security keys, platform passkeys) the officer may use instead of a TOTP code.</summary>
    public RegisteredKey[] SecurityKeys { get; init; } = [];

    /// <summary>
    /// When the challenge of the last key assertion accepted was issued (UTC ticks): an assertion answering an older
    /// challenge is never accepted, like a TOTP code of an older step, even from an authenticator whose count stays 0.
    /// </summary>
    public long LastKeyChallenge { get; init; }

    /// <summary>The role claims a token names the officer with: the roles, and one clearance role per cleared channel.</summary>
    public IEnumerable<string> RoleClaims() =>
        Roles.Concat(Clearances.Select(c => Infrastructure.Http.ApiEnum<Cases.Channel>.TryParse(c, out var channel) ? Compartments.ClearanceRole(channel) : null)
            .OfType<string>());
}

/// <summary>
/// What an administrator sees of an account: never the hash nor the TOTP secret. <see cref="TotpConfirmed"/>: a code
/// from the authenticator app was accepted since the secret was last given out, so the officer did enrol it.
/// </summary>
public sealed record AccountResource(
    Guid Id, string Login, string Name, string[] Roles, string[] Clearances, bool Disabled, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt,
    bool TotpConfirmed = false, SecurityKeyResource[]? SecurityKeys = null)
{
    public static AccountResource From(OfficerAccount a) =>
        new(a.Id, a.Login, a.Name, a.Roles, a.Clearances, a.Disabled, a.LockedUntil, a.CreatedAt, a.LastTotpStep > 0,
            [.. a.SecurityKeys.Select(SecurityKeyResource.From)]);

    public bool IsLockedAt(DateTimeOffset now) => LockedUntil is { } until && now < until;
}

/// <summary>
/// Shown once, when an account is created or reset: the officer adds the secret to an authenticator app (the URI as a
/// QR code or typed in); Ncp never shows it again.
/// </summary>
public sealed record AccountEnrolment(AccountResource Account, string TotpSecret, string OtpauthUri);
