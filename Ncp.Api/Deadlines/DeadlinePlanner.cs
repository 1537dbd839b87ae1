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
        var partner = await session.FindPartnerAsync(fields.PartnerCode, ct)
            ?? throw new InvalidOperationException($"Partner {fields.PartnerCode} is not in the directory.");
        return DeadlineCalculator.Compute(settings.Effective, kind, direction, fields, partner.Profile, start);
    }

    /// <summary>The ladder again, with one deadline moved later.</summary>
    public ItemDeadlines Extend(ItemDeadlines current, Anchor deadline, DateTimeOffset until) =>
        DeadlineCalculator.Place(
            PolicyOf(current), current.Start,
            deadline == Anchor.AcknowledgeBy ? until : current.AcknowledgeBy,
            deadline == Anchor.ReplyBy ? until : current.ReplyBy,
            current.UsefulUntil);

    /// <summary>The ladder moved by the time the clock stood still; the data's useful-until does not wait.</summary>
    public ItemDeadlines Resume(ItemDeadlines current, TimeSpan pausedFor) =>
        DeadlineCalculator.Place(
            PolicyOf(current), current.Start + pausedFor, current.AcknowledgeBy + pausedFor, current.ReplyBy + pausedFor, current.UsefulUntil);

    private DeadlinePolicy PolicyOf(ItemDeadlines current) =>
        settings.Effective.FirstOrDefault(p => p.Name == current.Policy)
        ?? throw new DomainRuleViolation("policy-missing", $"The deadline policy '{current.Policy}' is no longer configured; restore it to change these deadlines.");
}
