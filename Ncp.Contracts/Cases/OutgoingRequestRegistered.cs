namespace Ncp.Contracts.Cases;

/// <summary>
/// Published by the Api after an officer registered an outgoing request to a partner.
/// Delivered at least once: consumers must treat <see cref="EventId"/> as the idempotency key.
/// </summary>
/// <param name="EventId">Id of the event in the Api's event log; the same on every redelivery.</param>
/// <param name="ItemId">Stream id of the work item.</param>
/// <param name="RegisterNumber">Our register number, e.g. <c>KZ-NCP-2026-000001</c>.</param>
/// <param name="PartnerCode">Code of the partner unit the request goes to.</param>
/// <param name="Subject">Subject line of the request.</param>
/// <param name="Priority">Priority: <c>urgent</c>, <c>high</c> or <c>normal</c>.</param>
/// <param name="RegisteredBy">Object id of the officer who registered it.</param>
/// <param name="RegisteredAt">When it was registered (Api clock).</param>
public sealed record OutgoingRequestRegistered(
    Guid EventId,
    Guid ItemId,
    string RegisterNumber,
    string PartnerCode,
    string Subject,
    string Priority,
    string RegisteredBy,
    DateTimeOffset RegisteredAt);
