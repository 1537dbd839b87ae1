using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ncp.Api.Auditing;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Accounts;

/// <summary>
/// Administrators keep the local issuer's accounts. Every call is audited (who created, reset, disabled or granted
/// what); the TOTP secret is in the answer to a creation or a reset only.
/// </summary>
public static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccounts(this RouteGroupBuilder accounts)
    {
        accounts.RequireAuthorization(Policies.Administer).AddEndpointFilter(AccountTexts.InRequestLanguage);
        accounts.MapGet("/", ListAsync).AuditedAs("list-accounts").WithName("ListAccounts").WithSummary("The local issuer's accounts (administrators)");
        accounts.MapPost("/", CreateAsync).AuditedAs("create-account").WithName("CreateAccount")
            .WithSummary("Create an account; the answer shows its TOTP secret, once (administrators)").ProducesValidationProblem();
        accounts.MapPost("/{id:guid}/reset", ResetAsync).AuditedAs("reset-account").WithName("ResetAccount")
            .WithSummary("New password and TOTP secret, lockout lifted; the answer shows the secret, once (administrators)").ProducesValidationProblem();
        accounts.MapPost("/{id:guid}/disable", (Guid id, LocalAccounts store, CancellationToken ct) => SetDisabledAsync(id, true, store, ct))
            .AuditedAs("disable-account").WithName("DisableAccount").WithSummary("Refuse the account's sign-ins from now on (administrators)");
        accounts.MapPost("/{id:guid}/enable", (Guid id, LocalAccounts store, CancellationToken ct) => SetDisabledAsync(id, false, store, ct))
            .AuditedAs("enable-account").WithName("EnableAccount").WithSummary("Allow the account's sign-ins again (administrators)");
        accounts.MapPost("/{id:guid}/unlock", UnlockAsync).AuditedAs("unlock-account").WithName("UnlockAccount")
            .WithSummary("Lift the lockout before its minutes are over (administrators)");
        accounts.MapPut("/{id:guid}/grants", GrantAsync).AuditedAs("grant-account").WithName("GrantAccount")
            .WithSummary("Replace the account's roles and clearances; they apply from its next sign-in (administrators)").ProducesValidationProblem();
        accounts.MapDelete("/{id:guid}/keys/{keyId}", RemoveKeyAsync).AuditedAs("remove-security-key").WithName("RemoveSecurityKey")
            .WithSummary("Remove an officer's security key (lost or stolen); its next use is refused (administrators)");
        return accounts;
    }

    /// <summary>
    /// The signed-in officer's own local account (<c>/api/account</c>): security keys registered after a sign-in with
    /// password and code. Only the account the token names is ever touched.
    /// </summary>
    public static RouteGroupBuilder MapOwnAccount(this RouteGroupBuilder own)
    {
        own.RequireAuthorization(Policies.Read).AddEndpointFilter(AccountTexts.InRequestLanguage);
        own.MapGet("/", OwnAccountAsync).WithName("OwnAccount").WithSummary("The signed-in officer's local account, with its security keys");
        own.MapPost("/keys/options", KeyOptionsAsync).WithName("SecurityKeyOptions").WithSummary("WebAuthn options to register a security key, valid five minutes");
        own.MapPost("/keys", RegisterKeyAsync).AuditedAs("register-security-key").WithName("RegisterSecurityKey")
            .WithSummary("Register the security key the browser made with the options").ProducesValidationProblem();
        own.MapDelete("/keys/{keyId}", RemoveOwnKeyAsync).AuditedAs("remove-own-security-key").WithName("RemoveOwnSecurityKey")
            .WithSummary("Remove one of your own security keys (lost, stolen or no longer used); its next use is refused");
        return own;
    }

    private static async Task<Results<Ok<AccountResource>, NotFound<ProblemDetails>>> OwnAccountAsync(
        HttpContext http, LocalAccounts store, CancellationToken ct) =>
        await OwnAsync(http, store, ct) is { } account ? TypedResults.Ok(AccountResource.From(account)) : NoOwnAccount();

    private static async Task<Results<Ok<KeyCeremony>, NotFound<ProblemDetails>>> KeyOptionsAsync(
        HttpContext http, LocalAccounts store, SecurityKeyCeremonies keys, CancellationToken ct) =>
        await OwnAsync(http, store, ct) is { } account ? TypedResults.Ok(keys.StartRegistration(account)) : NoOwnAccount();

    private static async Task<Results<Created<SecurityKeyResource>, ValidationProblem, NotFound<ProblemDetails>>> RegisterKeyAsync(
        NewSecurityKey body, HttpContext http, LocalAccounts store, SecurityKeyCeremonies keys, CancellationToken ct)
    {
        if (await OwnAsync(http, store, ct) is not { } account)
        {
            return NoOwnAccount();
        }

        var (key, refusal) = await keys.FinishRegistrationAsync(account, body, ct);
        if (key is null)
        {
            return FieldError.ToProblem([new("credential", AccountTexts.Get(refusal == "expired" ? "KeyExpired" : "KeyRefused"))]);
        }

        await store.AddKeyAsync(account.Id, key, ct);
        return TypedResults.Created($"/api/account/keys/{key.Id}", SecurityKeyResource.From(key));
    }

    private static async Task<Results<Ok<AccountResource>, NotFound<ProblemDetails>>> RemoveOwnKeyAsync(
        string keyId, HttpContext http, LocalAccounts store, CancellationToken ct)
    {
        if (await OwnAsync(http, store, ct) is not { } account)
        {
            return NoOwnAccount();
        }

        // Only a key of the account the token names: another officer's key id is "not yours", whoever it belongs to.
        if (account.SecurityKeys.All(k => k.Id != keyId))
        {
            return TypedResults.NotFound(new ProblemDetails
            {
                Status = 404, Title = AccountTexts.Get("NoSuchKeyTitle"), Detail = AccountTexts.Get("NoSuchKey", keyId),
            });
        }

        return await store.RemoveKeyAsync(account.Id, keyId, ct) is { } changed ? TypedResults.Ok(AccountResource.From(changed)) : NoOwnAccount();
    }

    private static async Task<Results<Ok<AccountResource>, NotFound<ProblemDetails>>> RemoveKeyAsync(
        Guid id, string keyId, LocalAccounts store, CancellationToken ct) =>
        await store.RemoveKeyAsync(id, keyId, ct) is { } account ? TypedResults.Ok(AccountResource.From(account)) : NoSuchAccount(id);

    private static async Task<OfficerAccount?> OwnAsync(HttpContext http, LocalAccounts store, CancellationToken ct) =>
        Guid.TryParse(http.User.OfficerId(), out var id) ? await store.FindAsync(id, ct) : null;

    private static NotFound<ProblemDetails> NoOwnAccount() =>
        TypedResults.NotFound(new ProblemDetails
        {
            Status = 404, Title = AccountTexts.Get("NoOwnAccountTitle"), Detail = AccountTexts.Get("NoOwnAccount"),
        });

    private static async Task<Ok<AccountResource[]>> ListAsync(LocalAccounts store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(ct)).Select(AccountResource.From).ToArray());

    private static async Task<Results<Created<AccountEnrolment>, ValidationProblem>> CreateAsync(
        NewAccount body, HttpContext http, LocalAccounts store, CancellationToken ct)
    {
        var (enrolment, errors) = await store.CreateAsync(body, http.User.Actor(), ct);
        return enrolment is null ? FieldError.ToProblem(errors) : TypedResults.Created($"/api/accounts/{enrolment.Account.Id}", enrolment);
    }

    private static async Task<Results<Ok<AccountEnrolment>, ValidationProblem, NotFound<ProblemDetails>>> ResetAsync(
        Guid id, AccountReset body, LocalAccounts store, CancellationToken ct)
    {
        var (enrolment, errors) = await store.ResetAsync(id, body, ct);
        return enrolment is not null ? TypedResults.Ok(enrolment) : errors.Count > 0 ? FieldError.ToProblem(errors) : NoSuchAccount(id);
    }

    private static async Task<Results<Ok<AccountResource>, NotFound<ProblemDetails>>> SetDisabledAsync(
        Guid id, bool disabled, LocalAccounts store, CancellationToken ct) =>
        await store.SetDisabledAsync(id, disabled, ct) is { } account ? TypedResults.Ok(AccountResource.From(account)) : NoSuchAccount(id);

    private static async Task<Results<Ok<AccountResource>, NotFound<ProblemDetails>>> UnlockAsync(Guid id, LocalAccounts store, CancellationToken ct) =>
        await store.UnlockAsync(id, ct) is { } account ? TypedResults.Ok(AccountResource.From(account)) : NoSuchAccount(id);

    private static async Task<Results<Ok<AccountResource>, ValidationProblem, NotFound<ProblemDetails>>> GrantAsync(
        Guid id, AccountGrant body, LocalAccounts store, CancellationToken ct)
    {
        var errors = LocalAccounts.CheckGrant(body.Roles, body.Clearances).ToList();
        if (errors.Count > 0)
        {
            return FieldError.ToProblem(errors);
        }

        return await store.GrantAsync(id, body, ct) is { } account ? TypedResults.Ok(AccountResource.From(account)) : NoSuchAccount(id);
    }

    private static NotFound<ProblemDetails> NoSuchAccount(Guid id) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = AccountTexts.Get("NoSuchAccountTitle"), Detail = AccountTexts.Get("NoSuchAccount", id) });
}
