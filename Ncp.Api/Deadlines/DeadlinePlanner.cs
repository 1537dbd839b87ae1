using Marten;
using Ncp.Api.Cases;
using Ncp.Api.Partners;

namespace Ncp.Api.Deadlines;

public sealed class DeadlineSettings
{
    public const string Section = "Deadlines";

    /// <summary>Replaces the built-in policies when set (see <see cref="DefaultPolicies"/>); keep a catch-all per kind.</summary>
    public List<DeadlinePolicy> Policies { get; set; } = [];

    public IReadOnlyList<DeadlinePolicy> Effective => Policies.Count > 0 ? Policies : DefaultPolicies.All;
}

/// <summary>Computes an item's deadlines at the edge: the policies from configuration, the partner from the directory.</summary>
public sealed class DeadlinePlanner(DeadlineSettings settings)
{
    public async Task<ItemDeadlines> PlanAsync(IQuerySession session, WorkItemKind kind, Direction direction, ItemFields fields, DateTimeOffset start, CancellationToken ct)
    {
        var partner = await session.Query<PartnerDirectoryEntry>().SingleOrDefaultAsync(p => p.Code == fields.PartnerCode, ct)
            ?? throw new InvalidOperationException($"Partner {fields.PartnerCode} is not in the directory.");
        return DeadlineCalculator.Compute(settings.Effective, kind, direction, fields, partner.Profile, start);
    }
}
