using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// <see cref="NcpSystem"/> with the Api on a real Kestrel port of 127.0.0.1 (free, chosen when it starts), which a
/// browser can reach; the in-memory test server cannot be. <c>Api.CreateClient()</c> and <c>ClientFor</c> talk to
/// the same port over real HTTP.
/// </summary>
public class BrowserNcp : NcpSystem
{
    /// <summary>Where the Api listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => Api.ClientOptions.BaseAddress;

    protected override void ServeApi(WebApplicationFactory<Ncp.Api.Program> api) =>
        api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
}
