using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// Where the UI's Api client sends its calls: <c>Ui:ApiBaseAddress</c> when set, else this process's own Kestrel
/// address (a wildcard host becomes 127.0.0.1; plain HTTP preferred, the call never leaves the machine).
/// </summary>
public sealed class ApiAddress(UiSettings settings, IServer server)
{
    private Uri? resolved;

    public Uri Resolve() => resolved ??= Choose();

    private Uri Choose()
    {
        if (!string.IsNullOrWhiteSpace(settings.ApiBaseAddress))
        {
            return new Uri(settings.ApiBaseAddress.TrimEnd('/') + "/");
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var chosen = addresses.Select(BindingAddress.Parse).OrderBy(a => a.Scheme == "https" ? 1 : 0).FirstOrDefault()
            ?? throw new InvalidOperationException(
                "The web UI cannot find this server's own address for its Api calls; set Ui:ApiBaseAddress (e.g. http://127.0.0.1:5080).");
        var host = chosen.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*" ? "127.0.0.1" : chosen.Host;
        return new UriBuilder(chosen.Scheme, host, chosen.Port, chosen.PathBase + "/").Uri;
    }
}
