using System.Net;
using System.Net.Http.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ncp.Api.Accounts;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;
using OtpNet;

namespace Ncp.Tests.Accounts;

/// <summary>The local issuer's accounts in the Api's PostgreSQL, on a simulated clock; and the administrators' API.</summary>
[Collection(NcpCollection.Name)]
public sealed class LocalAccountsTests(NcpSystem ncp)
{
    private const string Password = "a long walk to almaty";

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_locked_account_opens_again_only_when_the_lockout_minutes_are_over()
    {
        var accounts = Accounts();
        var (login, secret) = await CreateAsync(accounts);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.NotEqual(SignInOutcome.SignedIn, (await accounts.SignInAsync(login, Password, "000000", default)).Outcome);
        }

        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(SignInOutcome.LockedOut, (await accounts.SignInAsync(login, Password, CodeNow(secret), default)).Outcome);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SignInOutcome.SignedIn, (await accounts.SignInAsync(login, Password, CodeNow(secret), default)).Outcome);
    }

    [Fact]
    public async Task An_administrator_lifts_a_lockout_and_the_officer_signs_in_at_once()
    {
        var accounts = Accounts();
        var (login, secret) = await CreateAsync(accounts);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await accounts.SignInAsync(login, Password, "000000", default);
        }

        var locked = (await accounts.ListAsync(default)).Single(a => a.Login == login);
        Assert.True(AccountResource.From(locked).IsLockedAt(clock.GetUtcNow()));
        using var unlocked = await ncp.ClientFor("admin").PostAsync($"/api/accounts/{locked.Id}/unlock", null);
        var account = await ItemsApi.ExpectAsync(unlocked, HttpStatusCode.OK);

        Assert.Equal(System.Text.Json.JsonValueKind.Null, account.GetProperty("lockedUntil").ValueKind);
        Assert.Equal(SignInOutcome.SignedIn, (await accounts.SignInAsync(login, Password, CodeNow(secret), default)).Outcome);
        Assert.True(AccountResource.From((await accounts.FindAsync(locked.Id, default))!).TotpConfirmed);
        Assert.Contains("unlock-account", (await ncp.ClientFor("admin").GetJsonAsync("/api/audit?action=unlock-account")).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_code_is_accepted_once_and_a_code_one_step_old_still_is_but_not_two()
    {
        var accounts = Accounts();
        var (login, secret) = await CreateAsync(accounts);
        var code = CodeNow(secret);

        Assert.Equal(SignInOutcome.SignedIn, (await accounts.SignInAsync(login, Password, code, default)).Outcome);
        Assert.Equal(SignInOutcome.Refused, (await accounts.SignInAsync(login, Password, code, default)).Outcome);

        clock.Advance(TimeSpan.FromSeconds(30));
        var oneStepOld = Code(secret, clock.GetUtcNow().AddSeconds(-30));
        Assert.Equal(SignInOutcome.Refused, (await accounts.SignInAsync(login, Password, oneStepOld, default)).Outcome);

        var (other, otherSecret) = await CreateAsync(accounts);
        Assert.Equal(SignInOutcome.Refused, (await accounts.SignInAsync(other, Password, Code(otherSecret, clock.GetUtcNow().AddSeconds(-60)), default)).Outcome);
        Assert.Equal(SignInOutcome.SignedIn, (await accounts.SignInAsync(other, Password, Code(otherSecret, clock.GetUtcNow().AddSeconds(-30)), default)).Outcome);
    }

    [Fact]
    public async Task An_unknown_login_and_a_wrong_password_are_refused_alike()
    {
        var accounts = Accounts();
        var (login, secret) = await CreateAsync(accounts);

        Assert.Equal(SignInOutcome.Refused, (await accounts.SignInAsync("nobody-" + login, Password, CodeNow(secret), default)).Outcome);
        Assert.Equal(SignInOutcome.Refused, (await accounts.SignInAsync(login, Password + "!", CodeNow(secret), default)).Outcome);
    }

    [Fact]
    public async Task Administrators_create_grant_disable_and_reset_accounts_and_weak_passwords_are_refused_by_field()
    {
        var admin = ncp.ClientFor("admin");
        var login = $"clerk-{Guid.NewGuid():N}"[..16];

        Assert.Equal("password", await RefusedFieldAsync(admin, new { login, name = "Clerk", password = "short", roles = new[] { Roles.DutyOfficer } }));
        Assert.Equal("password", await RefusedFieldAsync(admin, new { login, name = "Clerk", password = $"my name is {login}", roles = new[] { Roles.DutyOfficer } }));
        Assert.Equal("password", await RefusedFieldAsync(admin, new { login, name = "Clerk", password = "password1234", roles = new[] { Roles.DutyOfficer } }));
        Assert.Equal("roles", await RefusedFieldAsync(admin, new { login, name = "Clerk", password = Password, roles = new[] { "Ncp.Janitor" } }));

        using var created = await admin.PostAsJsonAsync("/api/accounts", new { login, name = "Clerk", password = Password, roles = new[] { Roles.DutyOfficer } });
        var enrolment = await ItemsApi.ExpectAsync(created, HttpStatusCode.Created);
        var id = enrolment.GetProperty("account").GetProperty("id").GetString()!;
        var secret = enrolment.GetProperty("totpSecret").GetString()!;
        Assert.StartsWith($"otpauth://totp/", enrolment.GetProperty("otpauthUri").GetString(), StringComparison.Ordinal);
        Assert.Contains($"secret={secret}", enrolment.GetProperty("otpauthUri").GetString(), StringComparison.Ordinal);
        Assert.Equal("login", await RefusedFieldAsync(admin, new { login, name = "Clerk", password = Password, roles = new[] { Roles.DutyOfficer } }));

        // The list never shows a secret or a hash again.
        var list = (await admin.GetJsonAsync("/api/accounts")).ToString();
        Assert.Contains(login, list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.DoesNotContain("AQAAAA", list, StringComparison.Ordinal);

        using var granted = await admin.PutAsJsonAsync($"/api/accounts/{id}/grants", new { roles = new[] { Roles.Supervisor }, clearances = new[] { "csto" } });
        var account = await ItemsApi.ExpectAsync(granted, HttpStatusCode.OK);
        Assert.Equal(Roles.Supervisor, account.GetProperty("roles")[0].GetString());
        var stored = await Accounts().FindAsync(Guid.Parse(id), default);
        Assert.Equal([Roles.Supervisor, "Ncp.Channel.Csto"], stored!.RoleClaims());

        using var disabled = await admin.PostAsync($"/api/accounts/{id}/disable", null);
        Assert.True((await ItemsApi.ExpectAsync(disabled, HttpStatusCode.OK)).GetProperty("disabled").GetBoolean());

        using var reset = await admin.PostAsJsonAsync($"/api/accounts/{id}/reset", new { password = Password + " again" });
        Assert.NotEqual(secret, (await ItemsApi.ExpectAsync(reset, HttpStatusCode.OK)).GetProperty("totpSecret").GetString());
        using var missing = await admin.PostAsync($"/api/accounts/{Guid.Empty}/disable", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // Each change is in the audit log under the administrator's name.
        var audit = (await admin.GetJsonAsync("/api/audit?user=Administrator")).ToString();
        foreach (var action in new[] { "create-account", "grant-account", "disable-account", "reset-account" })
        {
            Assert.Contains(action, audit, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Wrong_attempts_made_at_the_same_moment_each_count_once_and_none_fails()
    {
        var accounts = Accounts(lockoutAttempts: 20);
        var (login, _) = await CreateAsync(accounts);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => accounts.SignInAsync(login, Password + "?", "000000", default))));

        Assert.All(outcomes, o => Assert.Equal(SignInOutcome.Refused, o.Outcome));
        var stored = (await accounts.ListAsync(default)).Single(a => a.Login == login);
        Assert.Equal(8, stored.FailedAttempts);
    }

    [Fact]
    public async Task The_same_code_sent_twice_at_once_signs_in_once_and_the_other_attempt_is_refused_as_a_replay()
    {
        var accounts = Accounts(lockoutAttempts: 20);
        var (login, secret) = await CreateAsync(accounts);
        var code = CodeNow(secret);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => accounts.SignInAsync(login, Password, code, default))));

        Assert.Single(outcomes, o => o.Outcome == SignInOutcome.SignedIn);
        Assert.Equal(3, outcomes.Count(o => o.Outcome == SignInOutcome.Refused));
    }

    private LocalAccounts Accounts(int lockoutAttempts = 3) =>
        new(ncp.Api.Services.GetRequiredService<IDocumentStore>(), new LocalIssuerSettings { LockoutAttempts = lockoutAttempts, LockoutMinutes = 15 }, clock);

    private static async Task<(string Login, string Secret)> CreateAsync(LocalAccounts accounts)
    {
        var login = $"officer-{Guid.NewGuid():N}"[..20];
        var (enrolment, errors) = await accounts.CreateAsync(
            new NewAccount(login, "An Officer", Password, [Roles.DutyOfficer], []), new Ncp.Api.Cases.Actor("admin", "Admin"), default);
        Assert.Empty(errors);
        return (login, enrolment!.TotpSecret);
    }

    private string CodeNow(string secret) => Code(secret, clock.GetUtcNow());

    private static string Code(string secret, DateTimeOffset at) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at.UtcDateTime);

    private static async Task<string> RefusedFieldAsync(HttpClient admin, object body)
    {
        using var response = await admin.PostAsJsonAsync("/api/accounts", body);
        var problem = await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest);
        return Assert.Single(problem.GetProperty("errors").EnumerateObject()).Name;
    }
}
