using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;
using OtpNet;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// Signing in on a network without an identity provider, in Chromium: the web app's OpenID Connect client (the same path
/// as for any provider) against the Api's own local issuer, with password and TOTP code.
/// </summary>
[Collection(LocalIssuerCollection.Name)]
public sealed class LocalIssuerBrowserTests(LocalIssuerNcp ncp, Browser browser)
{
    [Fact]
    public async Task An_officer_signs_in_with_password_and_TOTP_through_the_OpenID_Connect_client_and_works_under_their_own_name()
    {
        var officer = await ncp.CreateAccountAsync(Roles.DutyOfficer);
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            var visited = new List<string>();
            page.Request += (_, request) => visited.Add(request.Url);

            await StartAsync(page);
            await TypeAsync(page, officer.Login, officer.Password, Code(officer.Secret));

            await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/sign-in", StringComparison.Ordinal));
            await page.WaitForInteractiveAsync();
            await Expect(page.Locator("body")).ToContainTextAsync($"Officer {officer.Login[8..]}");
            // The standard path: an authorization request with PKCE to the issuer, the code posted back to the client's callback.
            Assert.Contains(visited, u => u.Contains(LocalIssuer.AuthorizePath, StringComparison.Ordinal)
                && u.Contains("code_challenge_method=S256", StringComparison.Ordinal) && u.Contains("response_type=code", StringComparison.Ordinal));
            Assert.Contains(visited, u => new Uri(u).AbsolutePath == OidcSignIn.CallbackPath);

            // A duty officer composes.
            await page.GotoAsync("/compose");
            await Expect(page).ToHaveURLAsync(new Regex("/compose$"));
        });

        var signIns = (await ncp.ClientFor("admin").GetJsonAsync($"/api/audit?user={officer.Id}&action=sign-in")).ToString();
        Assert.Contains("browser session (Oidc)", signIns, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_codes_lock_the_account_and_then_even_the_right_code_is_refused_and_every_failure_is_audited()
    {
        var officer = await ncp.CreateAccountAsync(Roles.DutyOfficer);
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await StartAsync(page);
            await TypeAsync(page, officer.Login, officer.Password, "000000");
            await Expect(page.GetByTestId("local-sign-in-error")).ToContainTextAsync("wrong");
            await TypeAsync(page, officer.Login, officer.Password, "111111");
            await TypeAsync(page, officer.Login, officer.Password, "222222");
            await Expect(page.GetByTestId("local-sign-in-error")).ToContainTextAsync("locked");

            await TypeAsync(page, officer.Login, officer.Password, Code(officer.Secret));
            await Expect(page.GetByTestId("local-sign-in-error")).ToContainTextAsync("locked");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == BrowserSignIn.CookieName);
        });

        var failures = (await ncp.ClientFor("admin").GetJsonAsync($"/api/audit?user={officer.Login}&action=sign-in")).GetProperty("entries");
        Assert.Equal(4, failures.EnumerateArray().Count(e => e.GetProperty("outcome").GetString() == "failure"));
        Assert.Contains("local issuer: LockedOut", failures.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_account_is_refused_even_with_the_right_password_and_code()
    {
        var officer = await ncp.CreateAccountAsync(Roles.Supervisor, "csto");
        using var disabled = await ncp.ClientFor("admin").PostAsync($"/api/accounts/{officer.Id}/disable", null);
        disabled.EnsureSuccessStatusCode();

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await StartAsync(page);
            await TypeAsync(page, officer.Login, officer.Password, Code(officer.Secret));

            await Expect(page.GetByTestId("local-sign-in-error")).ToContainTextAsync("disabled");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == BrowserSignIn.CookieName);
            await page.GotoAsync("/items");
            await Expect(page).ToHaveURLAsync(new Regex("/sign-in"));
        });
    }

    [Fact]
    public async Task An_auditor_from_the_local_issuer_reads_the_audit_log_but_may_not_compose()
    {
        var auditor = await ncp.CreateAccountAsync(Roles.Auditor);
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await StartAsync(page);
            await TypeAsync(page, auditor.Login, auditor.Password, Code(auditor.Secret));
            await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/sign-in", StringComparison.Ordinal));

            await page.GotoAsync("/audit");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Audit log" })).ToBeVisibleAsync();
            var refused = await page.GotoAsync("/compose");
            // Refused in place: 403 at the address asked for, with the page that says why.
            Assert.Equal(403, refused!.Status);
            await Expect(page).ToHaveURLAsync(new Regex("/compose$"));
        });
    }

    [Fact]
    public async Task An_administrator_keeps_accounts_on_the_screen_and_the_officer_signs_in_with_what_was_granted_until_disabled()
    {
        var login = $"clerk-{Guid.NewGuid():N}"[..16];
        var (password, secret) = ("", "");
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("admin");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" }).GetByRole(AriaRole.Link, new() { Name = "Accounts" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Accounts" })).ToBeVisibleAsync();
            await page.WaitForInteractiveAsync();

            await page.GetByTestId("new-account").ClickAsync();
            var form = page.GetByTestId("new-account-form");
            await form.GetByLabel("Login").FillAsync(login);
            await form.GetByLabel("Name").FillAsync("Clerk Abenova");
            await form.GetByLabel("Initial password").FillAsync("short");
            await form.GetByRole(AriaRole.Checkbox, new() { Name = "Duty officer", Exact = true }).UncheckAsync();
            await page.GetByTestId("create-account").ClickAsync();
            // The Api's policy, beside the field it is about; nothing created.
            await Expect(form).ToContainTextAsync("At least 12 characters");

            await page.GetByTestId("account-password-generate").ClickAsync();
            await page.GetByTestId("create-account").ClickAsync();
            var enrolment = page.GetByTestId("enrolment");
            await Expect(enrolment).ToContainTextAsync(login);
            password = await page.GetByTestId("enrolment-password").InnerTextAsync();
            secret = await page.GetByTestId("enrolment-secret").InnerTextAsync();
            Assert.Matches("^[a-z2-9]{5}(-[a-z2-9]{5}){3}$", password);

            var row = page.GetByTestId("account").Filter(new() { Has = page.GetByText(login, new() { Exact = true }) });
            await Expect(row).ToContainTextAsync("Not used yet");
            await row.GetByTestId("manage").ClickAsync();
            var manage = page.GetByTestId("manage-account");
            await manage.GetByRole(AriaRole.Checkbox, new() { Name = "Supervisor", Exact = true }).CheckAsync();
            await manage.GetByRole(AriaRole.Checkbox, new() { Name = "Cleared for CSTO" }).CheckAsync();
            await page.GetByTestId("save-grants").ClickAsync();
            await Expect(page.GetByTestId("account-done")).ToContainTextAsync("Saved");
            await Expect(row).ToContainTextAsync("Supervisor");
            await Expect(row).ToContainTextAsync("CSTO");
            await Browser.ScreenshotAsync(page, "accounts");
        });

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await StartAsync(page);
            await TypeAsync(page, login, password, Code(secret));
            await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/sign-in", StringComparison.Ordinal));
            await page.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("officer")).ToContainTextAsync("Clerk Abenova · Supervisor");
            // A supervisor reads the unit's reports; administering accounts is not a supervisor's.
            var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Reports" })).ToBeVisibleAsync();
            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Accounts" })).ToHaveCountAsync(0);
        });

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("admin");
            await page.GotoAsync("/accounts");
            await page.WaitForInteractiveAsync();
            var row = page.GetByTestId("account").Filter(new() { Has = page.GetByText(login, new() { Exact = true }) });
            await Expect(row).ToContainTextAsync("Enrolled");
            await row.GetByTestId("manage").ClickAsync();
            await page.GetByTestId("disable-account").ClickAsync();
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
            await Expect(page.GetByTestId("account-done")).ToContainTextAsync("Disabled");
            await Expect(row.GetByTestId("account-state")).ToContainTextAsync("Disabled");
        });

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await StartAsync(page);
            // The next step's code: the one used above is spent.
            await TypeAsync(page, login, password, new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30)));
            await Expect(page.GetByTestId("local-sign-in-error")).ToContainTextAsync("disabled");
        });

        // The screen's changes went through /api/accounts: audited there, under the administrator's name.
        var admin = ncp.ClientFor("admin");
        var id = (await admin.GetJsonAsync("/api/accounts")).EnumerateArray().Single(a => a.GetProperty("login").GetString() == login).GetProperty("id").GetString();
        foreach (var action in new[] { "grant-account", "disable-account" })
        {
            var entries = (await admin.GetJsonAsync($"/api/audit?action={action}")).ToString();
            Assert.Contains($"id={id}", entries, StringComparison.Ordinal);
            Assert.Contains("Administrator (demo)", entries, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_officer_who_is_not_an_administrator_is_refused_the_accounts_screen_in_place_and_is_not_offered_it()
    {
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("supervisor");
            var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Reports" })).ToBeVisibleAsync();
            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Accounts" })).ToHaveCountAsync(0);

            var refused = await page.GotoAsync("/accounts");
            Assert.Equal(403, refused!.Status);
            await Expect(page).ToHaveURLAsync(new Regex("/accounts$"));
            await Expect(page.GetByTestId("accounts")).ToHaveCountAsync(0);
        });
    }

    /// <summary>The sign-in page's provider button, which the OpenID Connect client turns into a redirect to the issuer's page.</summary>
    private static async Task StartAsync(IPage page)
    {
        await page.GotoAsync("/sign-in");
        await page.GetByTestId("sign-in-oidc").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == LocalIssuer.SignInPath);
    }

    private static async Task TypeAsync(IPage page, string login, string password, string code)
    {
        await page.GetByLabel("Login").FillAsync(login);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByLabel("Code from the authenticator app").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private static string Code(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);
}
