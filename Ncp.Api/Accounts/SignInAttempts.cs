namespace Ncp.Api.Accounts;

public enum SignInOutcome
{
    SignedIn,

    /// <summary>Unknown login, wrong password, wrong or replayed code: the officer is told only that something was wrong.</summary>
    Refused,
    LockedOut,
    Disabled,
}

/// <summary>Lockout after <see cref="Attempts"/> failed attempts in a row, for <see cref="Minutes"/> minutes.</summary>
public sealed record LockoutSettings(int Attempts = 5, int Minutes = 15);

/// <summary>
/// The local issuer's rule for one sign-in attempt, pure: what the officer is told and what the account keeps. The
/// password and code are checked before (their results come in); a locked account is refused before either counts.
/// </summary>
public static class SignInAttempts
{
    /// <param name="matchedStep">The TOTP time step the code matched, or null when it matched none.</param>
    /// <param name="key">A security key's assertion whose signature checked out against the key stored for it, if one was used.</param>
    public static (SignInOutcome Outcome, OfficerAccount Account) Decide(
        OfficerAccount account, bool passwordMatches, long? matchedStep, DateTimeOffset now, LockoutSettings lockout, KeyUse? key = null)
    {
        if (account.LockedUntil is { } until && now < until)
        {
            return (SignInOutcome.LockedOut, account);
        }

        // A replayed code is as wrong as a wrong one: whoever saw it over the shoulder does not get in with it.
        var codeFresh = matchedStep is { } step && step > account.LastTotpStep;
        var keyFresh = key is not null && IsFresh(account, key);
        if (!passwordMatches || !(codeFresh || keyFresh))
        {
            var failed = account.FailedAttempts + 1;
            return failed >= lockout.Attempts
                ? (SignInOutcome.LockedOut, account with { FailedAttempts = 0, LockedUntil = now.AddMinutes(lockout.Minutes) })
                : (SignInOutcome.Refused, account with { FailedAttempts = failed, LockedUntil = null });
        }

        // Only someone who knows both factors learns that the account is disabled.
        if (account.Disabled)
        {
            return (SignInOutcome.Disabled, account);
        }

        var signedIn = account with { FailedAttempts = 0, LockedUntil = null };
        return (SignInOutcome.SignedIn, keyFresh
            ? signedIn with
            {
                LastKeyChallenge = key!.ChallengeIssued,
                SecurityKeys = [.. account.SecurityKeys.Select(k => k.Id == key.CredentialId ? k with { SignCount = key.SignCount, LastUsedAt = now } : k)],
            }
            : signedIn with { LastTotpStep = matchedStep!.Value });
    }

    /// <summary>
    /// The key is still the account's (an administrator may have removed it since the options were given), its
    /// signature count moved forward (a count that stays or goes back means a cloned key; authenticators that keep no
    /// count send 0 every time), and its challenge is newer than the last one accepted (no replay).
    /// </summary>
    private static bool IsFresh(OfficerAccount account, KeyUse key) =>
        account.SecurityKeys.FirstOrDefault(k => k.Id == key.CredentialId) is { } stored
        && (key.SignCount > stored.SignCount || key.SignCount == 0 && stored.SignCount == 0)
        && key.ChallengeIssued > account.LastKeyChallenge;
}
