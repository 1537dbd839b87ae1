using JasperFx.Events;
using Marten.Events.Aggregation;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Api.Cases.Chaining;

/// <summary>
/// What a chain needs of one item beyond its <see cref="ItemDetails"/>: its form, the items it names as follow-ups (so that a
/// chain is found from either end), and, for a preservation, its term. Kept inline beside the item's other read models.
/// </summary>
public sealed record ChainMember
{
    public Guid Id { get; init; }
    public Direction Direction { get; init; }
    public RequestForm? Form { get; init; }
    public bool Preserving { get; init; }

    /// <summary>Items this item is linked to as follow-ups; a JSON containment query finds the items that name a given one.</summary>
    public Guid[] FollowUps { get; init; } = [];

    public DateTimeOffset? PreservedUntil { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
    public DateTimeOffset? WarnAt { get; init; }
    public DateTimeOffset? ExtensionRequestedAt { get; init; }
    public int? ExtensionDays { get; init; }

    /// <summary>The expiry the preservation-expiring rung last warned of (its due time).</summary>
    public DateTimeOffset? WarnedFor { get; init; }
}

public sealed class ChainMemberProjection : SingleStreamProjection<ChainMember, Guid>
{
    // Only this aggregate's events: an explicit Evolve would otherwise fold in every stream of the store.
    public ChainMemberProjection() => this.IncludeTypes(WorkItemEvents.All);

    public override ChainMember Evolve(ChainMember? snapshot, Guid id, IEvent e) => Fold(snapshot ?? new ChainMember { Id = id }, e.Data);

    public static ChainMember Fold(ChainMember member, object @event) => @event switch
    {
        ItemRegistered e => member with
        {
            Direction = e.Direction, Form = e.Fields.Content?.Form, Preserving = Preservations.Asks(e.Direction, e.Fields),
        },
        ItemDetailsChanged e => member with { Form = e.Fields.Content?.Form, Preserving = Preservations.Asks(member.Direction, e.Fields) },
        ItemLinked { Type: LinkType.FollowUp } e when !member.FollowUps.Contains(e.TargetId) =>
            member with { FollowUps = [.. member.FollowUps, e.TargetId] },
        PreservationConfirmed e => member with
        {
            PreservedUntil = e.PreservedUntil, ConfirmedAt = e.At, WarnAt = e.WarnAt, ExtensionRequestedAt = null, ExtensionDays = null,
        },
        PreservationExtensionRequested e => member with { ExtensionRequestedAt = e.At, ExtensionDays = e.Days },
        DeadlineEscalated { Step: Preservations.ExpiringStep } e => member with { WarnedFor = e.DueAt },
        _ => member,
    };
}
