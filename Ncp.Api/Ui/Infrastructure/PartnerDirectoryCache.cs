using Ncp.Api.Partners.Directory;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// The partner directory (about a hundred entries) fetched once per circuit through the Api: for partner pickers and
/// for the partner's local time beside deadlines.
/// </summary>
public sealed class PartnerDirectoryCache(NcpApiClient api)
{
    private IReadOnlyDictionary<string, PartnerResource>? partners;

    public async Task<IReadOnlyDictionary<string, PartnerResource>> AllAsync(CancellationToken ct = default)
    {
        if (partners is not null)
        {
            return partners;
        }

        // A failed load is not remembered: the next page tries again.
        var result = await api.ListPartnersAsync(ct);
        return result.Succeeded
            ? partners = result.Value!.ToDictionary(p => p.Code, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, PartnerResource>();
    }

    /// <summary>The partner's IANA time zone, if the directory knows the partner.</summary>
    public async Task<string?> TimeZoneOfAsync(string partnerCode, CancellationToken ct = default) =>
        (await AllAsync(ct)).TryGetValue(partnerCode, out var partner) ? partner.Profile.TimeZone : null;
}
