using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Ncp.Api.Infrastructure.Http;

/// <summary>The reverse proxy in front of the Api that ends TLS (<c>ReverseProxy:*</c>).</summary>
public sealed class ReverseProxySettings
{
    public const string Section = "ReverseProxy";

    /// <summary>Addresses of the proxies whose X-Forwarded-For and X-Forwarded-Proto are believed. With neither these nor
    /// <see cref="KnownNetworks"/> set: a proxy on loopback only.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of such proxies, in CIDR notation (<c>10.20.0.0/16</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How long browsers keep to HTTPS once told (Strict-Transport-Security max-age).</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);
}

/// <summary>
/// The Api runs behind a proxy that ends TLS. The proxy's X-Forwarded-Proto makes a request count as HTTPS (HSTS, secure
/// cookies, redirects) and its X-Forwarded-For names the officer's address (sign-in from loopback, the audit) — but only
/// from a proxy we know: anyone else could claim to be on loopback or on HTTPS with a header.
/// </summary>
public static class ReverseProxy
{
    public static IServiceCollection AddNcpReverseProxy(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(ReverseProxySettings.Section).Get<ReverseProxySettings>() ?? new ReverseProxySettings();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            if (settings.KnownProxies.Count > 0 || settings.KnownNetworks.Count > 0)
            {
                // Configured: exactly these. The defaults (127.0.0.0/8, ::1) stay only where listed again.
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                foreach (var proxy in settings.KnownProxies)
                {
                    o.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address : throw Invalid("KnownProxies", proxy));
                }

                foreach (var network in settings.KnownNetworks)
                {
                    o.KnownIPNetworks.Add(IPNetwork.TryParse(network, out var range) ? range : throw Invalid("KnownNetworks", network));
                }
            }
        });
        // Browsers keep to HTTPS for this host once an HTTPS answer said so; loopback names are left out (the options' default).
        services.AddHsts(o => o.MaxAge = settings.HstsMaxAge);
        return services;
    }

    /// <summary>First in the pipeline: everything after it sees the officer's address and the scheme the browser used.</summary>
    public static IApplicationBuilder UseNcpReverseProxy(this IApplicationBuilder app) => app.UseForwardedHeaders().UseHsts();

    private static InvalidOperationException Invalid(string setting, string text) =>
        new($"{ReverseProxySettings.Section}:{setting} holds \"{text}\", which is not an IP address or network.");
}
