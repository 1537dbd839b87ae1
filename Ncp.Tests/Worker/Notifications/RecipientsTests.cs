using Ncp.Contracts.Deadlines;
using Ncp.Worker.Notifications;

namespace Ncp.Tests.Worker.Notifications;

public sealed class RecipientsTests
{
    // Saturday 28 November 2026, 15:00 in Almaty (UTC+5).
    private static readonly DateTimeOffset Saturday = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static readonly NotificationSettings Settings = new()
    {
        DutyMailbox = "duty@ncp.example",
        People =
        [
            new() { Id = "officer-1", Name = "Officer One", Email = "officer1@ncp.example" },
            new() { Id = "sup-1", Name = "Supervisor", Email = "supervisor@ncp.example", Roles = ["supervisor"] },
            new() { Id = "head-1", Name = "Head", Email = "head@ncp.example", Roles = ["head-of-unit"], AlwaysReachable = true },
        ],
    };

    private static EscalationRaised Escalation(string[] notify, string? assigned = "officer-1") => new(
        Guid.CreateVersion7(), Guid.CreateVersion7(), "KZ-NCP-2026-000001", "IP logs", "DE-CYBER247", "24-7", "urgent", "reply-by:80%",
        Saturday, notify, assigned, true, "none", Saturday);

    [Fact]
    public void The_duty_desk_is_told_at_once_and_an_officer_off_duty_at_the_start_of_their_next_working_day()
    {
        var told = Recipients.Of(Escalation(["assigned-officer", "duty-officer"]), Settings, Saturday);

        Assert.Equal(Saturday, told.Single(r => r.Address == "duty@ncp.example").SendAfter);
        // Monday 30 November, 09:00 in Almaty = 04:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 4, 0, 0, TimeSpan.Zero), told.Single(r => r.Address == "officer1@ncp.example").SendAfter);
    }

    [Fact]
    public void Someone_always_reachable_is_told_at_once_and_someone_at_work_too()
    {
        var monday = new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero); // 11:00 in Almaty
        Assert.Equal(Saturday, Recipients.Of(Escalation(["head-of-unit"]), Settings, Saturday).Single().SendAfter);
        Assert.Equal(monday, Recipients.Of(Escalation(["supervisor"]), Settings, monday).Single().SendAfter);
    }

    [Fact]
    public void With_nobody_assigned_or_named_the_duty_desk_stands_in_and_nobody_is_told_twice()
    {
        var told = Recipients.Of(Escalation(["assigned-officer", "duty-officer"], assigned: null), Settings, Saturday);
        Assert.Equal("duty@ncp.example", Assert.Single(told).Address);

        var empty = new NotificationSettings { DutyMailbox = "duty@ncp.example" };
        Assert.Equal("duty@ncp.example", Assert.Single(Recipients.Of(Escalation(["supervisor", "head-of-unit"]), empty, Saturday)).Address);
    }
}

public sealed class CompartmentRecipientsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    private static readonly NotificationSettings Settings = new()
    {
        DutyMailbox = "duty@ncp.example",
        People =
        [
            new() { Id = "sup-1", Name = "Supervisor", Email = "supervisor@ncp.example", Roles = ["supervisor"], AlwaysReachable = true },
            new() { Id = "sup-2", Name = "Cleared supervisor", Email = "cleared@ncp.example", Roles = ["supervisor"], AlwaysReachable = true, Clearances = ["csto"] },
        ],
    };

    private static EscalationRaised Escalation(string channel, bool restricted, string[] notify) => new(
        Guid.CreateVersion7(), Guid.CreateVersion7(), "KZ-NCP-2026-000002", "Botnet", "CSTO-CYBER", channel, "urgent", "reply-by:100%",
        Now, notify, null, false, "none", Now, restricted);

    [Fact]
    public void A_compartments_escalation_goes_only_to_people_cleared_for_it()
    {
        Assert.Equal(["cleared@ncp.example"], Recipients.Of(Escalation("csto", true, ["supervisor"]), Settings, Now).Select(r => r.Address));
        Assert.Equal(2, Recipients.Of(Escalation("24-7", false, ["supervisor"]), Settings, Now).Count);
    }

    [Fact]
    public void The_duty_desk_stands_in_for_a_compartments_item_only_when_its_mailbox_is_cleared()
    {
        var unassigned = Escalation("csto", true, ["assigned-officer", "duty-officer"]);
        Assert.Empty(Recipients.Of(unassigned, Settings, Now));

        var cleared = new NotificationSettings { DutyMailbox = "duty@ncp.example", DutyClearances = ["csto"] };
        Assert.Equal("duty@ncp.example", Assert.Single(Recipients.Of(unassigned, cleared, Now)).Address);
    }
}

public sealed class NotificationTextTests
{
    private static readonly EscalationRaised Escalation = new(
        Guid.CreateVersion7(), Guid.CreateVersion7(), "KZ-NCP-2026-000001", "IP logs", "DE-CYBER247", "24-7", "urgent", "reply-by:80%",
        new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), ["duty-officer"], null, true, "use-another-channel", DateTimeOffset.UtcNow);

    [Theory]
    [InlineData("ru", "достигнут этап", "Рекомендуемое действие")]
    [InlineData("kk", "кезеңіне жетті", "Ұсынылатын әрекет")]
    [InlineData("en", "reached", "Suggested action")]
    [InlineData("fr", "reached", "Suggested action")]
    public void Each_person_is_written_to_in_their_language(string language, string inSubject, string inBody)
    {
        var recipient = new Recipient("duty@ncp.example", "Duty", "duty-officer", DateTimeOffset.UtcNow, language);

        Assert.Contains(inSubject, EscalationRaisedConsumer.SubjectOf(Escalation, language), StringComparison.Ordinal);
        var body = EscalationRaisedConsumer.BodyOf(Escalation, recipient, new NotificationSettings());
        Assert.Contains(inBody, body, StringComparison.Ordinal);
        Assert.Contains("KZ-NCP-2026-000001", body, StringComparison.Ordinal);
    }
}
