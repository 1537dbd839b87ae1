using Marten.Events.Aggregation;

namespace Ncp.Api.Cases;

/// <summary>What an officer's item screen shows; kept by an inline projection so it is current on return.</summary>
public sealed record ItemDetails
{
    public Guid Id { get; init; }
    public string RegisterNumber { get; init; } = "";
    public WorkItemKind Kind { get; init; }
    public WorkItemStatus Status { get; init; }
    public string PartnerCode { get; init; } = "";
    public string Subject { get; init; } = "";
    public Priority Priority { get; init; }
    public string RegisteredBy { get; init; } = "";
    public DateTimeOffset RegisteredAt { get; init; }
    public int Version { get; set; }
}

public sealed class ItemDetailsProjection : SingleStreamProjection<ItemDetails, Guid>
{
    public static ItemDetails Create(OutgoingRequestRegistered e) => new()
    {
        Id = e.ItemId,
        RegisterNumber = e.RegisterNumber,
        Kind = WorkItemKind.OutgoingRequest,
        Status = WorkItemStatus.Draft,
        PartnerCode = e.PartnerCode,
        Subject = e.Subject,
        Priority = e.Priority,
        RegisteredBy = e.RegisteredBy,
        RegisteredAt = e.RegisteredAt,
    };
}
