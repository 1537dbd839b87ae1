namespace Ncp.Api.Cases;

// Events of a work item stream as stored in the event log. They stay internal to the Api:
// the Worker sees only the integration events of Ncp.Contracts, mapped in Infrastructure/Messaging.

public sealed record OutgoingRequestRegistered(
    Guid ItemId,
    string RegisterNumber,
    string PartnerCode,
    string Subject,
    Priority Priority,
    string RegisteredBy,
    DateTimeOffset RegisteredAt);
