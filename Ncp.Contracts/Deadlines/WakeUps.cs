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

/// <summary>
/// A rung of an item's escalation ladder was reached; the Worker tells the people it names. At least once: the
/// Worker sends one notification per (<see cref="EventId"/>, recipient).
/// </summary>
/// <param name="EventId">Id of the DeadlineEscalated event in the Api's log.</param>
/// <param name="ItemId">The work item.</param>
/// <param name="RegisterNumber">Our register number.</param>
/// <param name="Subject">The item's subject.</param>
/// <param name="PartnerCode">The partner unit.</param>
/// <param name="Channel">The channel, e.g. <c>24-7</c>.</param>
/// <param name="Priority"><c>urgent</c>, <c>high</c> or <c>normal</c>.</param>
/// <param name="Step">The rung, e.g. <c>reply-by:80%</c>.</param>
/// <param name="DueAt">When the rung was due.</param>
/// <param name="Notify">Who must be told: <c>assigned-officer</c>, <c>duty-officer</c>, <c>supervisor</c>, <c>head-of-unit</c>.</param>
/// <param name="AssignedOfficerId">The assigned officer's id, if any (else the duty officer stands in).</param>
/// <param name="RemindPartner">Whether the partner is to be reminded (done by the mail gateway).</param>
/// <param name="SuggestedAction"><c>none</c>, <c>send-preservation-request</c>, <c>use-another-channel</c> or <c>escalate-through-national-authority</c>.</param>
/// <param name="RaisedAt">When the Api recorded it.</param>
/// <param name="Restricted">The channel is a compartment (e.g. CSTO): only people cleared for it are told (the Api's <c>Compartments:Restricted</c>).</param>
public sealed record EscalationRaised(
    Guid EventId,
    Guid ItemId,
    string RegisterNumber,
    string Subject,
    string PartnerCode,
    string Channel,
    string Priority,
    string Step,
    DateTimeOffset DueAt,
    string[] Notify,
    string? AssignedOfficerId,
    bool RemindPartner,
    string SuggestedAction,
    DateTimeOffset RaisedAt,
    bool Restricted = false);
