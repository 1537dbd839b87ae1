using Ncp.Api.Cases;

namespace Ncp.Api.Deadlines;

/// <summary>
/// What a rung of the ladder waits for. Its anchor says which by default; a word of its own so that ladders may grow
/// rungs that wait for something else (a preservation's expiry, say) without changing what an acknowledgement or an
/// answer stops.
/// </summary>
public enum RungKind
{
    /// <summary>Waits for receipt to be confirmed: the partner's on outgoing items, ours on incoming ones.</summary>
    Acknowledgement,

    /// <summary>
    /// Waits for the answer. Useful-until rungs are of this kind: they warn that the data goes before the answer comes,
    /// and a full answer brought the data (a partial one did not, so they keep waiting).
    /// </summary>
    Reply,
}

/// <summary>Which rungs still wait for something, given the item's status: the clock follows what happened.</summary>
public static class Rungs
{
    /// <summary>After a partial answer the partner works on the rest: rungs tell our people but leave the partner alone a day.</summary>
    public static readonly TimeSpan PartnerQuietAfterPartialAnswer = TimeSpan.FromDays(1);

    public static RungKind KindOf(Anchor anchor) => anchor == Anchor.AcknowledgeBy ? RungKind.Acknowledgement : RungKind.Reply;

    // Rungs recorded before they carried their kind: every configured ladder names its rungs after their anchor.
    public static RungKind KindOf(ScheduledStep step) =>
        step.Kind ?? (step.Name.StartsWith("acknowledge-by", StringComparison.Ordinal) ? RungKind.Acknowledgement : RungKind.Reply);

    /// <summary>
    /// Whether a rung of <paramref name="rung"/> still waits on an item of <paramref name="item"/> kind in <paramref name="status"/>.
    /// An initiative message is never answered: its acknowledgement is all it waits for.
    /// </summary>
    public static bool Waits(RungKind rung, WorkItemKind item, WorkItemStatus status) => rung switch
    {
        RungKind.Acknowledgement => status is WorkItemStatus.Sent or WorkItemStatus.Received,
        RungKind.Reply when item == WorkItemKind.InitiativeMessage => status is WorkItemStatus.Sent or WorkItemStatus.Received,
        RungKind.Reply =>
            status is WorkItemStatus.Sent or WorkItemStatus.Received or WorkItemStatus.Acknowledged or WorkItemStatus.PartlyAnswered,
        _ => false,
    };

    public static bool Waits(ScheduledStep step, WorkItemKind item, WorkItemStatus status) => Waits(KindOf(step), item, status);
}
