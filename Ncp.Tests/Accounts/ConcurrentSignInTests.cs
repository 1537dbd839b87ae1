using System.Net;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Accounts;

/// <summary>The local issuer's sign-in page under attempts of one account arriving together (two tabs, a script).</summary>
[Collection(LocalIssuerCollection.Name)]
public sealed class ConcurrentSignInTests(LocalIssuerNcp ncp)
{
    [Fact]
    public async Task Sign_ins_of_one_account_posted_at_the_same_moment_each_get_an_answer_and_each_failure_counts()
    {
        var officer = await ncp.CreateAccountAsync(Roles.DutyOfficer);
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = ncp.BaseAddress };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        var token = UiSession.AntiforgeryToken(await browser.GetStringAsync(LocalIssuer.SignInPath))!;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async attempt =>
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "local",
                ["__RequestVerificationToken"] = token,
                ["Form.Login"] = officer.Login,
                ["Form.Password"] = attempt == 0 ? officer.Password : officer.Password + "?",
                ["Form.Code"] = "000000",
            });
            using var response = await browser.PostAsync(LocalIssuer.SignInPath, form);
            return (int)response.StatusCode;
        }));

        // Wrong password or wrong code, then locked out after three (the fixture's lockout): refused, never a server error.
        Assert.Equal(Enumerable.Repeat(401, statuses.Length), statuses);
        var account = (await ncp.ClientFor("admin").GetJsonAsync("/api/accounts")).EnumerateArray().Single(a => a.GetProperty("login").GetString() == officer.Login);
        Assert.True(account.GetProperty("lockedUntil").ValueKind == System.Text.Json.JsonValueKind.String, account.ToString());
    }
}
