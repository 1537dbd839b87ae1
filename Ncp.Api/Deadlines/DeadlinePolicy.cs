using Ncp.Api.Cases;

namespace Ncp.Api.Deadlines;

public enum Counting
{
    /// <summary>Round the clock: the 24/7 network's way.</summary>
    CalendarHours,

    /// <summary>Only the partner's office hours, in the partner's time zone.</summary>
    WorkingHours,
}

public enum Anchor
{
    AcknowledgeBy,
    ReplyBy,
    UsefulUntil,
}

public enum Recipient
{
    AssignedOfficer,
    DutyOfficer,
    Supervisor,
    HeadOfUnit,
}

public enum SuggestedAction
{
    None,
    SendPreservationRequest,
    UseAnotherChannel,
    EscalateThroughNationalAuthority,

    /// <summary>A preservation lapses before the answer it keeps the data for: ask for a further period (art. 29(7)).</summary>
    ExtendPreservation,
}

/// <summary>
/// One rung of an escalation ladder: at a fraction of the way from the start to its anchor (0.5 = half-time), or at an
/// offset from the anchor (-7 days = a week before), tell these people and, if asked, remind the partner.
/// </summary>
public sealed record LadderStep(
    string Name,
    Anchor Anchor,
    Recipient[] Notify,
    double? Fraction = null,
    TimeSpan? Offset = null,
    bool RemindPartner = false,
    SuggestedAction Suggest = SuggestedAction.None);

/// <summary>
/// Deadlines for the items it matches. Null match fields match anything; the most specific matching policy wins.
/// </summary>
public sealed record DeadlinePolicy(
    string Name,
    TimeSpan AcknowledgeWithin,
    TimeSpan ReplyWithin,
    Counting Counting,
    LadderStep[] Ladder,
    WorkItemKind? Kind = null,
    Direction? Direction = null,
    Priority? Priority = null,
    Channel? Channel = null,
    bool? Preservation = null)
{
    public int Specificity => new object?[] { Kind, Direction, Priority, Channel, Preservation }.Count(f => f is not null);

    public bool Matches(WorkItemKind kind, Direction direction, Priority priority, Channel channel, bool preservation) =>
        (Kind is null || Kind == kind) && (Direction is null || Direction == direction) && (Priority is null || Priority == priority)
        && (Channel is null || Channel == channel) && (Preservation is null || Preservation == preservation);
}
