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
