using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Cluster;

/// <summary>Behind a load balancer an officer's next request may reach the other Api: both read one key ring, in PostgreSQL.</summary>
[Collection(TwinCollection.Name)]
public sealed class SharedKeyRingTests(TwinNcp ncp)
{
    [Fact]
    public async Task A_sign_in_form_from_one_Api_is_accepted_by_the_other_and_the_cookie_it_sets_is_good_on_both()
    {
        var onA = new UiSession(ncp.Api);
        const string url = "/sign-in?returnUrl=%2F";
        var form = await onA.GetAsync(url);
        var onB = new UiSession(ncp.Api2);
        onB.Adopt(onA);

        // B checks the antiforgery token A wrote, and protects the sign-in cookie with the shared ring.
        var signedIn = await onB.PostFormAsync(url, new Dictionary<string, string>
        {
            ["_handler"] = "demo",
            ["__RequestVerificationToken"] = UiSession.AntiforgeryToken(form.Body) ?? "",
            ["Login"] = "duty",
        });
        Assert.Equal((302, "/"), (signedIn.Status, signedIn.Location));
        Assert.Contains(BrowserSignIn.CookieName, onB.Cookies.Keys);

        onA.Adopt(onB);
        var home = await onA.GetAsync("/");
        Assert.Equal(200, home.Status);

        // The key that protected A's antiforgery cookie is the one in the Api's schema (payload: magic, key id, ...).
        var antiforgery = onA.Cookies.Single(c => c.Key.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Value;
        var keyId = new Guid(WebEncoders.Base64UrlDecode(antiforgery).AsSpan(4, 16));
        Assert.Equal(1L, await ncp.QueryAsync<long>(
            $"select count(*) from {ncp.ApiSchema}.{KeyRing.TableName} where friendly_name = @name", ("name", $"key-{keyId}")));
    }

    [Fact]
    public async Task An_Api_started_afresh_reads_the_same_keys_and_keeps_the_officer_signed_in()
    {
        var before = new UiSession(ncp.Api2);
        Assert.Equal(302, (await before.SignInAsync("supervisor")).Status);

        // A restart is a new host: nothing in memory, the keys only from PostgreSQL.
        await using var restarted = NcpSystem.Host<Ncp.Api.Program>(ncp.ApiSettings, NcpSystem.RouteUiToTestServer);
        restarted.StartServer();
        var after = new UiSession(restarted);
        after.Adopt(before);

        Assert.Equal(200, (await after.GetAsync("/")).Status);
        var stored = await ncp.QueryRowsAsync($"select friendly_name from {ncp.ApiSchema}.{KeyRing.TableName}");
        var known = restarted.Services.GetRequiredService<IKeyManager>().GetAllKeys().Select(k => $"key-{k.KeyId}");
        Assert.Equal(stored.Select(r => (string)r[0]!).Order(), known.Order());
    }
}
