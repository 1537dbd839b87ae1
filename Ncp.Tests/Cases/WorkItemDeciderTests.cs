using Ncp.Api.Cases;

namespace Ncp.Tests.Cases;

public sealed class WorkItemDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static RegisterOutgoingRequest Register(Guid id) =>
        new(id, "KZ-NCP-2026-000001", "DE-BKA", "IP logs", Priority.Urgent, "officer-1");

    [Fact]
    public void Registering_a_new_item_records_who_and_when()
    {
        var id = Guid.CreateVersion7();

        var events = WorkItemDecider.Decide(WorkItem.Initial, Register(id), Now);

        var registered = Assert.IsType<OutgoingRequestRegistered>(Assert.Single(events));
        Assert.Equal(new OutgoingRequestRegistered(id, "KZ-NCP-2026-000001", "DE-BKA", "IP logs", Priority.Urgent, "officer-1", Now), registered);
        Assert.Equal(WorkItemStatus.Draft, WorkItemDecider.Evolve(WorkItem.Initial, registered).Status);
    }

    [Fact]
    public void Registering_an_item_twice_is_refused()
    {
        var id = Guid.CreateVersion7();
        var state = WorkItemDecider.Decide(WorkItem.Initial, Register(id), Now).Aggregate(WorkItem.Initial, WorkItemDecider.Evolve);

        var refused = Assert.Throws<DomainRuleViolation>(() => WorkItemDecider.Decide(state, Register(id), Now));
        Assert.Equal("item-already-registered", refused.Rule);
    }
}
