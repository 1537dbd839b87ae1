using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Partners.Keys;

/// <summary>Ordered best first, so that the best of several keys is the smallest.</summary>
public enum KeyStatus
{
    Valid,
    Expiring,
    Expired,
    Missing,
}

public static class KeyStatuses
{
    // A month leaves time to ask the partner for a new key before mail to them has to stop.
    public static readonly TimeSpan ExpiringWithin = TimeSpan.FromDays(30);

    public static KeyStatus Of(PartnerKey key, DateTimeOffset now) => key.NotAfter switch
    {
        { } end when end <= now => KeyStatus.Expired,
        { } end when end - now <= ExpiringWithin => KeyStatus.Expiring,
        _ => KeyStatus.Valid,
    };

    /// <summary>Only keys of the partner's preferred scheme count: the gateway encrypts with no other.</summary>
    public static KeyStatus Summary(PartnerDirectoryEntry entry, DateTimeOffset now)
    {
        var scheme = ApiEnum<Encryption>.NameOf(entry.Profile.Encryption);
        return entry.Keys.Where(k => k.Scheme == scheme).Select(k => Of(k, now)).DefaultIfEmpty(KeyStatus.Missing).Min();
    }
}
