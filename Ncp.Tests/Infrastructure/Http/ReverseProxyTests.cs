using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Http;

/// <summary>
/// The Api behind a proxy that ends TLS: HTTPS (said by the proxy's X-Forwarded-Proto, believed from known proxies only)
/// brings Strict-Transport-Security, and the session cookie is Secure whatever the request.
/// </summary>
[Collection(OwnHostsCollection.Name)]
public sealed class ReverseProxyTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_session_cookie_is_secure_even_when_signing_in_over_plain_http()
    {
        var signedIn = await new UiSession(ncp.Api).SignInAsync("duty");

        var session = Assert.Single(signedIn.SetCookies, c => c.StartsWith("ncp.session=", StringComparison.Ordinal));
        Assert.Contains("; secure", session, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("127.0.0.1", "http", "https", true)]
    [InlineData("203.0.113.7", "http", "https", false)]
    [InlineData("203.0.113.7", "https", null, true)]
    [InlineData("127.0.0.1", "http", null, false)]
    public async Task Hsts_answers_https_and_x_forwarded_proto_https_only_from_a_loopback_proxy_by_default(
        string from, string scheme, string? forwardedProto, bool hsts)
    {
        var headers = await HeadersAsync(ncp.Api, from, scheme, forwardedProto);

        Assert.Equal(hsts, headers.ContainsKey("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Configured_proxies_replace_loopback_as_the_ones_whose_forwarded_headers_are_believed()
    {
        var settings = ncp.ApiSettings;
        // No database, no broker: the answers asked for here need neither.
        settings["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=9;Database=ncp;Username=ncp;Password=x";
        settings["RabbitMq:Port"] = "9";
        settings["ReverseProxy:KnownProxies:0"] = "192.0.2.10";
        settings["ReverseProxy:KnownNetworks:0"] = "10.20.0.0/16";
        await using var api = NcpSystem.Host<Ncp.Api.Program>(settings);

        var fromProxy = await HeadersAsync(api, "192.0.2.10", "http", "https");
        var fromNetwork = await HeadersAsync(api, "10.20.30.40", "http", "https");
        var fromLoopback = await HeadersAsync(api, "127.0.0.1", "http", "https");

        Assert.Contains("max-age=31536000", fromProxy["Strict-Transport-Security"].ToString(), StringComparison.Ordinal);
        Assert.True(fromNetwork.ContainsKey("Strict-Transport-Security"));
        Assert.False(fromLoopback.ContainsKey("Strict-Transport-Security"));
    }

    /// <summary>The answer's headers to a request for <c>/health/live</c> on ncp.example (HSTS leaves loopback names out).</summary>
    private static async Task<IHeaderDictionary> HeadersAsync(
        WebApplicationFactory<Ncp.Api.Program> api, string from, string scheme, string? forwardedProto)
    {
        var context = await api.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Scheme = scheme;
            c.Request.Host = new HostString("ncp.example");
            c.Request.Path = "/health/live";
            c.Connection.RemoteIpAddress = IPAddress.Parse(from);
            if (forwardedProto is not null)
            {
                c.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
                c.Request.Headers["X-Forwarded-For"] = "198.51.100.23";
            }
        });
        Assert.Equal(200, context.Response.StatusCode);
        return context.Response.Headers;
    }
}
