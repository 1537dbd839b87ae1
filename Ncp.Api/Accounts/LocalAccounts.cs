using Marten;
using Microsoft.AspNetCore.Identity;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using OtpNet;

namespace Ncp.Api.Accounts;

/// <summary>Settings of the local issuer (section <c>Auth:LocalIssuer</c>); see docs/operations.md, Signing in.</summary>
public sealed class LocalIssuerSettings
{
    public const string Section = "Auth:LocalIssuer";

    /// <summary>Serve the OpenID Connect issuer (/connect/authorize, /connect/token) and its sign-in page.</summary>
    public bool Enabled { get; set; }

    /// <summary>The issuer's name in authenticator apps.</summary>
    public string AppName { get; set; } = "NCP";

    public int LockoutAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    /// <summary>PEM file of the RSA key that signs the issuer's tokens; made in <see cref="KeyDirectory"/> in Development only.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>File of the 256-bit key (base64) that encrypts the issuer's codes and access tokens.</summary>
    public string? EncryptionKeyFile { get; set; }

    /// <summary>Development only: where keys are made when no files are named (never in the repository).</summary>
    public string KeyDirectory { get; set; } = "../.data/issuer-keys";

    /// <summary>HTTP on the issuer's endpoints (loopback tests, or TLS ended at a proxy that forwards plain HTTP).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// WebAuthn's relying party: the host name officers reach Ncp by (no scheme, no port; never an IP address). When
    /// unset, the host of Auth:Oidc:Authority. Browsers offer WebAuthn only over HTTPS, or on localhost.
    /// </summary>
    public string WebAuthnRelyingPartyId { get; set; } = "";

    /// <summary>The origins (scheme://host[:port]) WebAuthn answers may come from; when unset, Auth:Oidc:Authority's.</summary>
    public string[] WebAuthnOrigins { get; set; } = [];

    public LockoutSettings Lockout => new(LockoutAttempts, LockoutMinutes);
}

public sealed record NewAccount(string? Login, string? Name, string? Password, string[]? Roles, string[]? Clearances);

public sealed record AccountReset(string? Password);

public sealed record AccountGrant(string[]? Roles, string[]? Clearances);

/// <summary>The local issuer's accounts: created, reset, disabled and granted by administrators; checked at sign-in.</summary>
public sealed class LocalAccounts(IDocumentStore store, LocalIssuerSettings settings, TimeProvider time)
{
    // Codes of the step before and after are accepted too: a phone's clock a little off, a code typed as it changed.
    private static readonly VerificationWindow Drift = new(previous: 1, future: 1);

    // As many attempts as could plausibly race for one account (a script, several tabs); beyond it the conflict is an error.
    private const int MaxConflicts = 50;

    private readonly PasswordHasher<OfficerAccount> hasher = new();

    private byte[]? decoySecret;

    // Hashed once, so that an unknown login costs as long as a known one and timing does not tell which logins exist.
    private readonly Lazy<string> decoyHash = new(() => new PasswordHasher<OfficerAccount>().HashPassword(new OfficerAccount(), Guid.NewGuid().ToString()));

    public static string Normalize(string? login) => (login ?? "").Trim().ToLowerInvariant();

    public static IEnumerable<FieldError> CheckGrant(string[]? roles, string[]? clearances)
    {
        foreach (var role in roles ?? [])
        {
            if (!Infrastructure.Auth.Roles.All.Contains(role))
            {
                yield return new("roles", AccountTexts.Get("NotARole", role, string.Join(", ", Infrastructure.Auth.Roles.All)));
            }
        }

        foreach (var channel in clearances ?? [])
        {
            if (!ApiEnum<Cases.Channel>.TryParse(channel, out _))
            {
                yield return new("clearances", AccountTexts.Get("NotAChannel", channel, ApiEnum<Cases.Channel>.Names));
            }
        }
    }

    public async Task<IReadOnlyList<OfficerAccount>> ListAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<OfficerAccount>().OrderBy(a => a.Login).ToListAsync(ct);
    }

    public async Task<OfficerAccount?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<OfficerAccount>(id, ct);
    }

    public async Task<OfficerAccount?> FindByLoginAsync(string? login, CancellationToken ct)
    {
        var normalized = Normalize(login);
        await using var session = store.QuerySession();
        return await session.Query<OfficerAccount>().FirstOrDefaultAsync(a => a.Login == normalized, ct);
    }

    /// <summary>
    /// A random secret of this deployment, made once and kept in PostgreSQL (so every Api instance, and every restart,
    /// has the same): it makes up key ids for logins that have none, see <see cref="SecurityKeyCeremonies.StartSignInAsync"/>.
    /// </summary>
    public async Task<byte[]> DecoySecretAsync(CancellationToken ct)
    {
        if (decoySecret is { } known)
        {
            return known;
        }

        await using (var session = store.LightweightSession())
        {
            if (await session.LoadAsync<DecoySecret>(DecoySecret.TheOne, ct) is null)
            {
                session.Insert(new DecoySecret { Secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32) });
                try
                {
                    await session.SaveChangesAsync(ct);
                }
                // The other instance made it first: theirs is the one.
                catch (JasperFx.DocumentAlreadyExistsException)
                {
                }
            }
        }

        await using var reading = store.QuerySession();
        return decoySecret = (await reading.LoadAsync<DecoySecret>(DecoySecret.TheOne, ct))!.Secret;
    }

    /// <summary>The account a security key is registered to, if any: one key serves one account.</summary>
    public async Task<OfficerAccount?> FindByKeyAsync(string credentialId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<OfficerAccount>().FirstOrDefaultAsync(a => a.SecurityKeys.Any(k => k.Id == credentialId), ct);
    }

    public Task<OfficerAccount?> AddKeyAsync(Guid id, RegisteredKey key, CancellationToken ct) =>
        ChangeAsync(id, a => a.SecurityKeys.Any(k => k.Id == key.Id) ? a : a with { SecurityKeys = [.. a.SecurityKeys, key] }, ct);

    /// <summary>A lost key removed: from now on no assertion of it is accepted, even one already on its way.</summary>
    public Task<OfficerAccount?> RemoveKeyAsync(Guid id, string credentialId, CancellationToken ct) =>
        ChangeAsync(id, a => a with { SecurityKeys = [.. a.SecurityKeys.Where(k => k.Id != credentialId)] }, ct);

    /// <returns>The enrolment, or the fields that are wrong.</returns>
    public async Task<(AccountEnrolment? Enrolment, IReadOnlyList<FieldError> Errors)> CreateAsync(NewAccount body, Cases.Actor by, CancellationToken ct)
    {
        var login = Normalize(body.Login);
        var errors = new List<FieldError>();
        if (login.Length is < 2 or > 64 || !login.All(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' or '@'))
        {
            errors.Add(new("login", AccountTexts.Get("LoginRule")));
        }

        if (string.IsNullOrWhiteSpace(body.Name))
        {
            errors.Add(new("name", AccountTexts.Get("NameRule")));
        }

        errors.AddRange(PasswordPolicy.Check(login, body.Password));
        errors.AddRange(CheckGrant(body.Roles, body.Clearances));
        await using var session = store.LightweightSession();
        if (errors.Count == 0 && await session.Query<OfficerAccount>().AnyAsync(a => a.Login == login, ct))
        {
            errors.Add(new("login", AccountTexts.Get("LoginTaken", login)));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var now = time.GetUtcNow();
        var account = new OfficerAccount
        {
            Id = Guid.CreateVersion7(now), Login = login, Name = body.Name!.Trim(), Roles = [.. (body.Roles ?? []).Distinct()],
            Clearances = [.. (body.Clearances ?? []).Select(c => c.ToLowerInvariant()).Distinct()], CreatedAt = now, CreatedBy = by.Id,
        };
        account = Enrol(account, body.Password!);
        session.Insert(account);
        await session.SaveChangesAsync(ct);
        return (EnrolmentOf(account), []);
    }

    /// <summary>A new password and a new TOTP secret (the phone was lost, say), and the lockout lifted.</summary>
    public async Task<(AccountEnrolment? Enrolment, IReadOnlyList<FieldError> Errors)> ResetAsync(Guid id, AccountReset body, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var enrolled = await ChangeAsync(id, account =>
        {
            errors.Clear();
            errors.AddRange(PasswordPolicy.Check(account.Login, body.Password));
            return errors.Count > 0 ? account : Enrol(account with { FailedAttempts = 0, LockedUntil = null, LastTotpStep = 0 }, body.Password!);
        }, ct);
        return errors.Count > 0 || enrolled is null ? (null, errors) : (EnrolmentOf(enrolled), []);
    }

    public Task<OfficerAccount?> SetDisabledAsync(Guid id, bool disabled, CancellationToken ct) =>
        ChangeAsync(id, a => a with { Disabled = disabled }, ct);

    /// <summary>The lockout lifted before its minutes are over (the officer called, the administrator knows who).</summary>
    public Task<OfficerAccount?> UnlockAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, a => a with { FailedAttempts = 0, LockedUntil = null }, ct);

    public Task<OfficerAccount?> GrantAsync(Guid id, AccountGrant grant, CancellationToken ct) =>
        ChangeAsync(id, a => a with
        {
            Roles = [.. (grant.Roles ?? []).Distinct()], Clearances = [.. (grant.Clearances ?? []).Select(c => c.ToLowerInvariant()).Distinct()],
        }, ct);

    /// <summary>One sign-in attempt: password and code checked, the account's counters kept, the outcome returned.</summary>
    /// <param name="useKey">Instead of a code: checks a security key's assertion against the account (SecurityKeyCeremonies).</param>
    public async Task<(SignInOutcome Outcome, OfficerAccount? Account)> SignInAsync(
        string? login, string? password, string? code, CancellationToken ct, Func<OfficerAccount, CancellationToken, Task<KeyUse?>>? useKey = null)
    {
        var normalized = Normalize(login);
        // The signature is checked once, on the account as it was; whether the key is still there and its count still
        // moves forward is decided again on the latest account, with the rest of the attempt.
        var key = useKey is not null && await FindByLoginAsync(normalized, ct) is { } holder ? await useKey(holder, ct) : null;
        // The hash is the slow part; an attempt decided again after a conflict reuses its result while the hash is the same.
        (string Hash, PasswordVerificationResult Result)? verified = null;
        return await OnLatestAsync<(SignInOutcome, OfficerAccount?)>(
            session => session.Query<OfficerAccount>().FirstOrDefaultAsync(a => a.Login == normalized, ct),
            account =>
            {
                if (account is null)
                {
                    hasher.VerifyHashedPassword(new OfficerAccount(), decoyHash.Value, password ?? "");
                    return (SignInOutcome.Refused, null);
                }

                if (verified?.Hash != account.PasswordHash)
                {
                    verified = (account.PasswordHash, hasher.VerifyHashedPassword(account, account.PasswordHash, password ?? ""));
                }

                var now = time.GetUtcNow();
                long? matchedStep = new Totp(Base32Encoding.ToBytes(account.TotpSecret)).VerifyTotp(now.UtcDateTime, (code ?? "").Trim(), out var step, Drift)
                    ? step
                    : null;
                var (outcome, after) = SignInAttempts.Decide(
                    account, verified.Value.Result is not PasswordVerificationResult.Failed, matchedStep, now, settings.Lockout, key);
                if (outcome == SignInOutcome.SignedIn && verified.Value.Result == PasswordVerificationResult.SuccessRehashNeeded)
                {
                    after = after with { PasswordHash = hasher.HashPassword(after, password!) };
                }

                return (outcome, after);
            },
            result => result.Item2,
            ct);
    }

    private Task<OfficerAccount?> ChangeAsync(Guid id, Func<OfficerAccount, OfficerAccount> change, CancellationToken ct) =>
        OnLatestAsync(session => session.LoadAsync<OfficerAccount>(id, ct), a => a is null ? null : change(a), a => a, ct);

    /// <summary>
    /// Loads the account, decides, stores what changed under optimistic concurrency (MartenSetup): two attempts at once
    /// can neither both spend one code nor both escape the count. The one that finds the account changed meanwhile (a
    /// colleague's attempt, an administrator's grant) decides again on the latest account rather than failing; each
    /// conflict means another change was saved, so the loop ends.
    /// </summary>
    private async Task<T> OnLatestAsync<T>(
        Func<IDocumentSession, Task<OfficerAccount?>> load, Func<OfficerAccount?, T> decide, Func<T, OfficerAccount?> changed, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var account = await load(session);
            var result = decide(account);
            if (account is null || changed(result) is not { } after || after == account)
            {
                return result;
            }

            session.Store(after);
            try
            {
                await session.SaveChangesAsync(ct);
                return result;
            }
            catch (JasperFx.ConcurrencyException) when (attempt < MaxConflicts)
            {
            }
        }
    }

    private OfficerAccount Enrol(OfficerAccount account, string password) =>
        account with { PasswordHash = hasher.HashPassword(account, password), TotpSecret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)) };

    private AccountEnrolment EnrolmentOf(OfficerAccount account) =>
        new(AccountResource.From(account), account.TotpSecret,
            new OtpUri(OtpType.Totp, account.TotpSecret, account.Login, settings.AppName).ToString());
}

/// <summary>The deployment's secret for made-up key ids (<see cref="LocalAccounts.DecoySecretAsync"/>): one document.</summary>
public sealed class DecoySecret
{
    public const string TheOne = "security-key-decoys";

    public string Id { get; set; } = TheOne;

    public byte[] Secret { get; set; } = [];
}
