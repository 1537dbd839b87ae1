using System.Net;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

/// <summary>The web UI's sign-in beside the Api's bearer tokens: pages redirect, the API still answers 401.</summary>
[Collection(NcpCollection.Name)]
public sealed class SigningInTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_page_asked_for_without_a_session_sends_the_browser_to_the_sign_in_page()
    {
        var page = await new UiSession(ncp.Api).GetAsync("/items?status=draft");

        Assert.Equal(302, page.Status);
        Assert.Equal("/sign-in?returnUrl=%2Fitems%3Fstatus%3Ddraft", page.Location);
    }

    [Fact]
    public async Task The_api_answers_401_and_never_a_redirect_whether_or_not_a_browser_has_a_session()
    {
        var browser = new UiSession(ncp.Api);
        Assert.Equal(401, (await browser.GetAsync("/api/items")).Status);

        await browser.SignInAsync("duty");
        Assert.Equal(401, (await browser.GetAsync("/api/items")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ncp.Api.CreateClient().GetAsync("/api/items")).StatusCode);
    }

    [Fact]
    public async Task A_demo_officer_signed_in_with_a_cookie_gets_the_item_list_rendered_on_the_server()
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(subject: $"UI list {Guid.NewGuid():N}"));
        var browser = new UiSession(ncp.Api);

        var signedIn = await browser.SignInAsync("duty", "/items");
        Assert.Equal(302, signedIn.Status);
        Assert.Equal("/items", signedIn.Location);
        Assert.Contains(signedIn.SetCookies, c => c.StartsWith("ncp.session=", StringComparison.Ordinal)
            && c.Contains("httponly", StringComparison.OrdinalIgnoreCase) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));

        var list = await browser.GetAsync("/items");
        Assert.Equal(200, list.Status);
        Assert.Contains(item.Number(), list.Body, StringComparison.Ordinal);
        Assert.Contains($"href=\"/items/{item.Number()}\"", list.Body, StringComparison.Ordinal);
        Assert.Contains("Duty Officer (demo)", list.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_sign_in_is_refused_to_a_browser_that_is_not_on_loopback()
    {
        var local = new UiSession(ncp.Api);
        var token = UiSession.AntiforgeryToken((await local.GetAsync("/sign-in")).Body)!;
        var remote = new UiSession(ncp.Api, loopback: false);
        Assert.DoesNotContain("data-testid=\"demo-duty\"", (await remote.GetAsync("/sign-in")).Body, StringComparison.Ordinal);

        // Even with a valid form from a page served on loopback, a remote caller gets no session: the form is not
        // there for it (400), and its handler checks the caller again (403).
        remote.Adopt(local);
        var refused = await remote.PostFormAsync("/sign-in", new Dictionary<string, string>
        {
            ["_handler"] = "demo",
            ["__RequestVerificationToken"] = token,
            ["Login"] = "duty",
        });
        Assert.Contains(refused.Status, new[] { 400, 403 });
        Assert.False(remote.Cookies.ContainsKey("ncp.session"));
        Assert.Equal(302, (await remote.GetAsync("/items")).Status);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("supervisor");
        var list = await browser.GetAsync("/items");
        Assert.Equal(200, list.Status);

        // Not without the page's antiforgery token: another site's form cannot sign an officer out.
        Assert.Equal(400, (await browser.PostFormAsync("/sign-out", new Dictionary<string, string>())).Status);
        Assert.Equal(200, (await browser.GetAsync("/items")).Status);

        var signedOut = await browser.PostFormAsync("/sign-out", new Dictionary<string, string> { ["__RequestVerificationToken"] = UiSession.AntiforgeryToken(list.Body)! });
        Assert.Equal(302, signedOut.Status);
        Assert.Equal(302, (await browser.GetAsync("/items")).Status);
    }
}
