using JasperFx.Events;
using Marten.Events.Aggregation;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Cases;

namespace Ncp.Api.Partners;

/// <summary>One partner as the directory shows it; kept inline from the partner's stream.</summary>
public sealed record PartnerDirectoryEntry
{
    public Guid Id { get; init; }
    public string Code { get; init; } = "";
    public string Country { get; init; } = "";
    public Channel MainChannel { get; init; }
    public PartnerProfile Profile { get; init; } = null!;
    public bool Active { get; init; } = true;
    public string? DeactivationReason { get; init; }
    public PartnerKey[] Keys { get; init; } = [];
    public PlaintextOverride? PlaintextOverride { get; init; }
    public DateTimeOffset ChangedAt { get; init; }
    public Actor ChangedBy { get; init; } = new("", "");
    public long Version { get; set; }
}

public sealed class PartnerDirectoryProjection : SingleStreamProjection<PartnerDirectoryEntry, Guid>
{
    // Only this aggregate's events: an explicit Evolve would otherwise fold in every stream of the store.
    public PartnerDirectoryProjection() => this.IncludeTypes(PartnerEvents.All);

    public override PartnerDirectoryEntry Evolve(PartnerDirectoryEntry? snapshot, Guid id, IEvent e)
    {
        var entry = snapshot ?? new PartnerDirectoryEntry { Id = id };
        entry = e.Data switch
        {
            PartnerRegistered r => WithProfile(entry, r.Profile, r.By, r.At) with { Active = true },
            PartnerProfileChanged c => WithProfile(entry, c.Profile, c.By, c.At),
            PartnerDeactivated d => entry with { Active = false, DeactivationReason = d.Reason, ChangedBy = d.By, ChangedAt = d.At },
            PartnerReactivated r => entry with { Active = true, DeactivationReason = null, ChangedBy = r.By, ChangedAt = r.At },
            PartnerKeyImported k => entry with
            {
                Keys = [.. entry.Keys.Where(x => x.Fingerprint != k.Fingerprint), new(k.Scheme, k.Fingerprint, k.Subject, k.NotBefore, k.NotAfter, k.By, k.At)],
                ChangedBy = k.By,
                ChangedAt = k.At,
            },
            PartnerKeyRemoved k => entry with { Keys = [.. entry.Keys.Where(x => x.Fingerprint != k.Fingerprint)], ChangedBy = k.By, ChangedAt = k.At },
            PlaintextMailAllowed p => entry with { PlaintextOverride = new(p.Reason, p.By, p.At), ChangedBy = p.By, ChangedAt = p.At },
            PlaintextMailDisallowed p => entry with { PlaintextOverride = null, ChangedBy = p.By, ChangedAt = p.At },
            _ => entry,
        };
        return entry with { Version = e.Version };
    }

    private static PartnerDirectoryEntry WithProfile(PartnerDirectoryEntry entry, PartnerProfile profile, Actor by, DateTimeOffset at) =>
        entry with { Code = profile.Code, Country = profile.Country, MainChannel = profile.Channels[0], Profile = profile, ChangedBy = by, ChangedAt = at };
}

/// <summary>A partner key as the directory lists it; every screen reads this document, so the material stays in the event that imported it.</summary>
public sealed record PartnerKey(
    string Scheme, string Fingerprint, string Subject, DateTimeOffset NotBefore, DateTimeOffset? NotAfter, Actor ImportedBy, DateTimeOffset ImportedAt);

public sealed record PlaintextOverride(string Reason, Actor AllowedBy, DateTimeOffset AllowedAt);
