using JasperFx.Events;
using Marten.Events.Aggregation;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Api.Cases;

public enum WorkItemStatus
{
    None,
    Draft,
    Received,
    Sent,
    Acknowledged,
    PartlyAnswered,
    Answered,
    Closed,
    Withdrawn,
    Refused,
}

/// <summary>The decider's view of one work item: only what the rules need.</summary>
public sealed record WorkItem(
    Guid Id,
    string RegisterNumber,
    WorkItemKind Kind,
    Direction Direction,
    WorkItemStatus Status,
    WorkItemStatus StatusBeforeEnd,
    string PartnerCode,
    Channel Channel,
    HandlingCode HandlingCode,
    IReadOnlySet<(Guid Target, LinkType Type)> Links,
    IReadOnlyDictionary<string, Deadlines.ScheduledStep> Ladder,
    IReadOnlySet<string> Escalated,
    Deadlines.ItemDeadlines? Deadlines = null,
    DateTimeOffset? PausedAt = null,
    IReadOnlySet<string>? AcknowledgedEscalations = null,
    IReadOnlySet<Guid>? MailSeen = null,
    DateTimeOffset? LastRemindedAt = null,
    IReadOnlySet<(Guid Source, LinkType Type)>? LinkedFrom = null,
    Chaining.PreservationState? Preservation = null,
    DateTimeOffset? PartlyAnsweredAt = null,
    DateTimeOffset? AnsweredAt = null,
    Answering.Outcome? Outcome = null)
{
    public static readonly WorkItem Initial = new(
        Guid.Empty, "", WorkItemKind.Request, Direction.Outgoing, WorkItemStatus.None, WorkItemStatus.None, "", Channel.TwentyFourSeven,
        HandlingCode.Open, new HashSet<(Guid, LinkType)>(), new Dictionary<string, Deadlines.ScheduledStep>(), new HashSet<string>());

    /// <summary>Whether the gateway's report of this dispatch or inbound mail is already recorded (reports come at least once).</summary>
    public bool HasSeenMail(Guid id) => MailSeen?.Contains(id) == true;

    /// <summary>
    /// Whether the two items are already linked this way from either end; a link whose type reads the same both ways
    /// (same case, same group, same identifiers) is not made again from the other end.
    /// </summary>
    public bool IsLinked(Guid other, LinkType type) =>
        Links.Contains((other, type)) || (LinkTypes.IsSymmetric(type) && LinkedFrom?.Contains((other, type)) == true);

    public bool IsEnded => Status is WorkItemStatus.Closed or WorkItemStatus.Withdrawn or WorkItemStatus.Refused;
}

/// <summary>Rebuilds <see cref="WorkItem"/> from its stream for FetchForWriting; the rules live in <see cref="WorkItemDecider"/>.</summary>
public sealed class WorkItemStateProjection : SingleStreamProjection<WorkItem, Guid>
{
    // Only this aggregate's events: an explicit Evolve would otherwise fold in every stream of the store.
    public WorkItemStateProjection() => this.IncludeTypes(WorkItemEvents.All);

    public override WorkItem Evolve(WorkItem? snapshot, Guid id, IEvent e) => WorkItemDecider.Evolve(snapshot ?? WorkItem.Initial, e.Data);
}
