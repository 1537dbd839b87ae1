namespace Ncp.Api.Cases;

public enum WorkItemKind
{
    OutgoingRequest,
}

public enum WorkItemStatus
{
    None,
    Draft,
}

/// <summary>The decider's view of one work item: only what the rules need.</summary>
public sealed record WorkItem(Guid Id, WorkItemKind Kind, WorkItemStatus Status, string RegisterNumber)
{
    public static readonly WorkItem Initial = new(Guid.Empty, WorkItemKind.OutgoingRequest, WorkItemStatus.None, "");
}
