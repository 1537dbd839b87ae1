using Microsoft.Playwright;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;
using OtpNet;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// Security keys at the local issuer, in Chromium with a virtual authenticator (the DevTools protocol's WebAuthn
/// domain: a CTAP2 USB key that is always touched and verified), on localhost where browsers allow WebAuthn over HTTP.
/// </summary>
[Collection(PasskeyCollection.Name)]
public sealed class SecurityKeyBrowserTests(PasskeyNcp ncp, Browser browser)
{
    [Fact]
    public async Task An_officer_registers_a_key_signs_in_with_it_instead_of_the_code_and_a_key_an_administrator_removed_is_refused()
    {
        var officer = await ncp.CreateAccountAsync(Roles.DutyOfficer);
        await browser.RunAsync(ncp.IssuerAddress, async page =>
        {
            var cdp = await page.Context.NewCDPSessionAsync(page);
            await cdp.SendAsync("WebAuthn.enable");
            await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
            {
                ["options"] = new Dictionary<string, object>
                {
                    ["protocol"] = "ctap2", ["transport"] = "usb", ["hasResidentKey"] = true, ["hasUserVerification"] = true,
                    ["isUserVerified"] = true, ["automaticPresenceSimulation"] = true,
                },
            });

            // Registered after a sign-in with password and code, on the officer's own page.
            await StartAsync(page);
            await page.GetByLabel("Login").FillAsync(officer.Login);
            await page.GetByLabel("Password").FillAsync(officer.Password);
            await page.GetByLabel("Code from the authenticator app").FillAsync(new Totp(Base32Encoding.ToBytes(officer.Secret)).ComputeTotp(DateTime.UtcNow));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await SignedInAsync(page, officer.Login);
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" }).GetByRole(AriaRole.Link, new() { Name = "Your account" }).ClickAsync();
            await page.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("no-own-keys")).ToBeVisibleAsync();
            await page.GetByLabel("Name of the key").FillAsync("blue key");
            await page.GetByTestId("register-key").ClickAsync();
            await Expect(page.GetByTestId("key-registered")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("own-key")).ToContainTextAsync("blue key");

            // Signed out; back in with password and the key, no code.
            await page.Context.ClearCookiesAsync();
            await SignInWithKeyAsync(page, officer.Login, officer.Password);
            await SignedInAsync(page, officer.Login);

            // The key answers, but it does not make up for a wrong password.
            await page.Context.ClearCookiesAsync();
            await SignInWithKeyAsync(page, officer.Login, officer.Password + "!");
            await Expect(page.GetByTestId("local-sign-in-error")).ToContainTextAsync("wrong");

            await RemoveKeyOnTheAccountsScreenInRussianAsync(officer.Login);

            // The authenticator still holds the key, but the options no longer name it (a made-up id stands there, as for any
            // login without keys): the browser finds no key to use and says so; had it answered, Ncp refuses it (SecurityKeyTests).
            await page.Context.ClearCookiesAsync();
            await SignInWithKeyAsync(page, officer.Login, officer.Password);
            await Expect(page.GetByTestId("key-error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("key-error")).ToContainTextAsync("NotAllowedError");
            Assert.StartsWith("/sign-in", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        });

        var admin = ncp.ClientFor("admin");
        var registered = (await admin.GetJsonAsync($"/api/audit?user={officer.Id}&action=register-security-key")).ToString();
        Assert.Contains("success", registered, StringComparison.Ordinal);
        var used = (await admin.GetJsonAsync($"/api/audit?user={officer.Id}&action=use-security-key")).ToString();
        Assert.Contains("local issuer: security key", used, StringComparison.Ordinal);
        var removed = (await admin.GetJsonAsync("/api/audit?action=remove-security-key")).ToString();
        Assert.Contains(officer.Id.ToString(), removed, StringComparison.Ordinal);
        var refused = (await admin.GetJsonAsync("/api/audit?action=sign-in")).ToString();
        Assert.Contains("local issuer (security key): Refused", refused, StringComparison.Ordinal);
    }

    /// <summary>
    /// An administrator who reads Russian: the Api's password policy comes back in Russian beside the field, and the
    /// officer's lost key is removed from the accounts screen.
    /// </summary>
    private async Task RemoveKeyOnTheAccountsScreenInRussianAsync(string login)
    {
        await using var context = await browser.NewContextAsync(ncp.BaseAddress, "ru-RU");
        var page = await context.NewPageAsync();
        await page.SignInAsync("admin");
        await page.GotoAsync("/accounts");
        await page.WaitForInteractiveAsync();

        await page.GetByTestId("new-account").ClickAsync();
        var form = page.GetByTestId("new-account-form");
        await form.GetByLabel("Логин").FillAsync("short-one");
        await form.GetByLabel("Начальный пароль").FillAsync("short");
        await page.GetByTestId("create-account").ClickAsync();
        await Expect(form).ToContainTextAsync("Не менее 12 символов");

        var row = page.GetByTestId("account").Filter(new() { Has = page.GetByText(login, new() { Exact = true }) });
        await row.GetByTestId("manage").ClickAsync();
        var manage = page.GetByTestId("manage-account");
        await Expect(manage.GetByTestId("account-key")).ToContainTextAsync("blue key");
        await manage.GetByTestId("remove-key").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Удалить ключ" }).ClickAsync();
        await Expect(page.GetByTestId("account-done")).ToContainTextAsync("Ключ удалён");
        await Expect(manage.GetByTestId("no-keys")).ToBeVisibleAsync();
    }

    private static async Task StartAsync(IPage page)
    {
        await page.GotoAsync("/sign-in");
        await page.GetByTestId("sign-in-oidc").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == LocalIssuer.SignInPath);
    }

    private static async Task SignInWithKeyAsync(IPage page, string login, string password)
    {
        await StartAsync(page);
        await page.GetByLabel("Login").FillAsync(login);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByTestId("sign-in-with-key").ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private static async Task SignedInAsync(IPage page, string login)
    {
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/sign-in", StringComparison.Ordinal));
        await page.WaitForInteractiveAsync();
        await Expect(page.Locator("body")).ToContainTextAsync($"Officer {login[8..]}");
    }
}
