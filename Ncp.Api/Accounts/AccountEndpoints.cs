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
        accounts.RequireAuthorization(Policies.Administer);
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
        return accounts;
    }

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
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "No such account", Detail = $"There is no account {id}." });
}
