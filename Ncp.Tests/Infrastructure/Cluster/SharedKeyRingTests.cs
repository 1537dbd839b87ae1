using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Tests.Fixtures;
using Npgsql;

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
    public async Task A_key_ring_built_afresh_from_the_database_alone_reads_the_cookie_an_Api_set()
    {
        var before = new UiSession(ncp.Api2);
        Assert.Equal(302, (await before.SignInAsync("supervisor")).Status);

        // A restart: a key ring made from configuration alone, its keys read from PostgreSQL. Not a third Api host: one
        // started and disposed in this process was followed by the twins no longer publishing (its daemon's leadership lock
        // outlived it, the kind of in-process leak of JasperFx/marten#5090); a killed process drops its locks with its connections.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ncp.ApiSettings).Build();
        await using var restarted = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new MartenSettings { Schema = ncp.ApiSchema })
            .AddSingleton(_ => NpgsqlDataSource.Create(ncp.MultiHostPostgres))
            .AddNcpKeyRing(configuration)
            .BuildServiceProvider();
        var cookies = new TicketDataFormat(restarted.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", BrowserSignIn.CookieScheme, "v2"));

        var ticket = cookies.Unprotect(before.Cookies[BrowserSignIn.CookieName]);
        Assert.True(ticket?.Principal.Identity?.IsAuthenticated, "The cookie could not be read with the keys from PostgreSQL");
        var stored = await ncp.QueryRowsAsync($"select friendly_name from {ncp.ApiSchema}.{KeyRing.TableName}");
        var known = restarted.GetRequiredService<IKeyManager>().GetAllKeys().Select(k => $"key-{k.KeyId}");
        Assert.Equal(stored.Select(r => (string)r[0]!).Order(), known.Order());
    }
}
