namespace Ncp.Contracts.Deadlines;

/// <summary>
/// The Api asks the Worker to wake it at <see cref="DueAt"/> for one step of an item's escalation ladder.
/// Asking again for the same item and step moves the wake-up (a deadline extended or resumed); idempotent.
/// </summary>
/// <param name="ItemId">The work item.</param>
/// <param name="Step">Name of the ladder step, unique within the item, e.g. <c>reply-by:80%</c>.</param>
/// <param name="DueAt">When to wake up.</param>
/// <param name="RequestedAt">When the Api asked (its clock); a later request for the same step wins.</param>
public sealed record WakeUpRequested(Guid ItemId, string Step, DateTimeOffset DueAt, DateTimeOffset RequestedAt);

/// <summary>The Api no longer needs a wake-up (item closed, deadline paused). Unknown or already fired: nothing happens.</summary>
/// <param name="ItemId">The work item.</param>
/// <param name="Step">Name of the ladder step; <c>*</c> cancels every pending step of the item.</param>
/// <param name="RequestedAt">When the Api asked.</param>
public sealed record WakeUpCancelled(Guid ItemId, string Step, DateTimeOffset RequestedAt);

/// <summary>
/// The Worker's clock says a requested wake-up is due. Delivered at least once: the Api records each step once.
/// </summary>
/// <param name="ItemId">The work item.</param>
/// <param name="Step">Name of the ladder step.</param>
/// <param name="DueAt">When it was due.</param>
/// <param name="FiredAt">When the Worker fired it (its clock); <c>FiredAt - DueAt</c> is the lateness.</param>
public sealed record WakeUpDue(Guid ItemId, string Step, DateTimeOffset DueAt, DateTimeOffset FiredAt);
