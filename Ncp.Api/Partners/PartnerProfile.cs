using System.Text.Json.Serialization;
using Ncp.Api.Cases;

namespace Ncp.Api.Partners;

public enum Encryption
{
    Smime,
    Openpgp,
}

/// <summary>Local working hours, e.g. 08:00–17:00 on mon..fri.</summary>
public sealed record OfficeHours(string From, string To, string[] Days);

/// <summary>How many days providers in the partner's country typically keep each kind of data.</summary>
public sealed record RetentionDays(
    [property: JsonPropertyName("subscriber-data")] int SubscriberData,
    [property: JsonPropertyName("traffic-data")] int TrafficData,
    [property: JsonPropertyName("content-data")] int ContentData);

/// <summary>
/// What the directory knows of one partner unit or channel entry. <see cref="TrustAnchors"/> are the root CA certificates
/// (PEM) the partner's S/MIME certificates must chain to: its own, never another partner's, so a CA one partner trusts
/// cannot vouch for a certificate in another partner's name.
/// </summary>
public sealed record PartnerProfile(
    string Code,
    string Name,
    string Country,
    Channel[] Channels,
    string[] Addresses,
    string[] Languages,
    string TimeZone,
    OfficeHours OfficeHours,
    RetentionDays RetentionDays,
    int PreservationDays,
    Encryption Encryption,
    Channel? FallbackChannel,
    string[]? TrustAnchors = null);

public sealed record PartnerRegistered(Guid PartnerId, PartnerProfile Profile, Actor By, DateTimeOffset At);

public sealed record PartnerProfileChanged(Guid PartnerId, PartnerProfile Profile, Actor By, DateTimeOffset At);

public sealed record PartnerDeactivated(Guid PartnerId, string Reason, Actor By, DateTimeOffset At);

public sealed record PartnerReactivated(Guid PartnerId, Actor By, DateTimeOffset At);

public sealed record PartnerKeyImported(
    Guid PartnerId, string Scheme, string Fingerprint, byte[] Material, string Subject, DateTimeOffset NotBefore, DateTimeOffset? NotAfter,
    Actor By, DateTimeOffset At);

public sealed record PartnerKeyRemoved(Guid PartnerId, string Fingerprint, string Reason, Actor By, DateTimeOffset At);

public sealed record PlaintextMailAllowed(Guid PartnerId, string Reason, Actor By, DateTimeOffset At);

public sealed record PlaintextMailDisallowed(Guid PartnerId, string Reason, Actor By, DateTimeOffset At);

public static class PartnerEvents
{
    public static readonly Type[] All =
    [
        typeof(PartnerRegistered), typeof(PartnerProfileChanged), typeof(PartnerDeactivated), typeof(PartnerReactivated),
        typeof(PartnerKeyImported), typeof(PartnerKeyRemoved), typeof(PlaintextMailAllowed), typeof(PlaintextMailDisallowed),
    ];
}
