namespace Ncp.Api.Cases;

public sealed record RegisterOutgoingRequest(
    Guid ItemId,
    string RegisterNumber,
    string PartnerCode,
    string Subject,
    Priority Priority,
    string OfficerId);

/// <summary>A command that the rules of the domain refuse; the edge answers 409 naming <see cref="Rule"/>.</summary>
public sealed class DomainRuleViolation(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}

public static class WorkItemDecider
{
    public static WorkItem Evolve(WorkItem state, object @event) => @event switch
    {
        OutgoingRequestRegistered e => state with
        {
            Id = e.ItemId,
            Kind = WorkItemKind.OutgoingRequest,
            Status = WorkItemStatus.Draft,
            RegisterNumber = e.RegisterNumber,
        },
        _ => state,
    };

    public static object[] Decide(WorkItem state, object command, DateTimeOffset now) => command switch
    {
        RegisterOutgoingRequest c => Register(state, c, now),
        _ => throw new InvalidOperationException($"No rule decides {command.GetType().Name}."),
    };

    private static object[] Register(WorkItem state, RegisterOutgoingRequest c, DateTimeOffset now)
    {
        if (state.Status != WorkItemStatus.None)
        {
            throw new DomainRuleViolation("item-already-registered", $"Item {state.RegisterNumber} is already registered.");
        }

        return [new OutgoingRequestRegistered(c.ItemId, c.RegisterNumber, c.PartnerCode, c.Subject, c.Priority, c.OfficerId, now)];
    }
}
