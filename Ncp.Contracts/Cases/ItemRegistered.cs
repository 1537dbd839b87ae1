namespace Ncp.Contracts.Cases;

/// <summary>
/// Published by the Api after a work item was registered (an outgoing request drafted, an incoming one received, ...).
/// Delivered at least once: consumers must treat <see cref="EventId"/> as the idempotency key.
/// </summary>
/// <param name="EventId">Id of the event in the Api's event log; the same on every redelivery.</param>
/// <param name="ItemId">Stream id of the work item.</param>
/// <param name="RegisterNumber">Our register number, e.g. <c>KZ-NCP-2026-000001</c>.</param>
/// <param name="Kind"><c>request</c>, <c>initiative-message</c> or <c>legal-assistance-task</c>.</param>
/// <param name="Direction"><c>outgoing</c> (we ask or inform) or <c>incoming</c> (a partner asks or informs us).</param>
/// <param name="PartnerCode">Code of the partner unit in the directory, e.g. <c>DE-CYBER247</c>.</param>
/// <param name="Channel"><c>24-7</c>, <c>interpol</c>, <c>cis-bkbop</c>, <c>csto</c> or <c>bilateral</c>.</param>
/// <param name="Subject">Subject line of the item.</param>
/// <param name="Priority"><c>urgent</c>, <c>high</c> or <c>normal</c>.</param>
/// <param name="RegisteredBy">Object id of the officer who registered it.</param>
/// <param name="RegisteredAt">When it was registered (Api clock).</param>
/// <param name="Restricted">The channel is a compartment (e.g. CSTO): digests show the item only to people cleared for it.</param>
public sealed record ItemRegistered(
    Guid EventId,
    Guid ItemId,
    string RegisterNumber,
    string Kind,
    string Direction,
    string PartnerCode,
    string Channel,
    string Subject,
    string Priority,
    string RegisteredBy,
    DateTimeOffset RegisteredAt,
    bool Restricted = false);

/// <summary>An item was assigned to an officer (the Worker's digests and notifications follow the assignee).</summary>
/// <param name="EventId">Id of the event in the Api's log.</param>
/// <param name="ItemId">The work item.</param>
/// <param name="OfficerId">The officer's id (Entra object id).</param>
/// <param name="OfficerName">The officer's name.</param>
/// <param name="AssignedAt">When (Api clock); a later assignment wins.</param>
public sealed record ItemAssigned(Guid EventId, Guid ItemId, string OfficerId, string OfficerName, DateTimeOffset AssignedAt);

/// <summary>
/// An item's details were changed (its channel may have changed with them): the Worker's digests follow the channel.
/// A later <see cref="ChangedAt"/> wins; at least once.
/// </summary>
/// <param name="ItemId">The work item.</param>
/// <param name="Channel">The item's channel now, as in <see cref="ItemRegistered.Channel"/>.</param>
/// <param name="Restricted">Whether that channel is a compartment.</param>
/// <param name="ChangedAt">When (Api clock).</param>
public sealed record ItemChannelSet(Guid ItemId, string Channel, bool Restricted, DateTimeOffset ChangedAt);
