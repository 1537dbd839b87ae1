using Microsoft.Extensions.Configuration;
using Ncp.Api.Cases;
using Ncp.Api.Deadlines;
using Ncp.Api.Partners;

namespace Ncp.Tests.Deadlines;

public sealed class DeadlineCalculatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static PartnerProfile Partner(string zone = "Europe/Berlin", string from = "08:00", string to = "17:00", string[]? days = null, int preservation = 60) => new(
        "DE-CYBER247", "Test unit", "DE", [Channel.TwentyFourSeven, Channel.Bilateral], ["a@b.example"], ["en"], zone,
        new OfficeHours(from, to, days ?? ["mon", "tue", "wed", "thu", "fri"]), new RetentionDays(365, 90, 30), preservation, Encryption.Smime, Channel.Interpol);

    private static ItemFields Fields(Priority priority, RequestedData[] data, Channel channel = Channel.TwentyFourSeven, DateTimeOffset? dueBy = null) => new(
        "DE-CYBER247", "DE", channel, "x", CrimeCategory.ComputerCrime, priority, null, null, data,
        new DataPeriod(new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31)), "en", HandlingCode.Open, null, dueBy);

    private static ItemDeadlines Compute(ItemFields fields, PartnerProfile? partner = null, Direction direction = Direction.Outgoing, WorkItemKind kind = WorkItemKind.Request) =>
        DeadlineCalculator.Compute(DefaultPolicies.All, kind, direction, fields, partner ?? Partner(), Start);

    [Fact]
    public void An_urgent_24_7_preservation_is_acknowledged_in_4_hours_done_in_a_day_and_lapses_after_the_partners_preservation_period()
    {
        var deadlines = Compute(Fields(Priority.Urgent, [RequestedData.Preservation]), Partner(preservation: 90));

        Assert.Equal("urgent-24-7-preservation", deadlines.Policy);
        Assert.Equal(Start.AddHours(4), deadlines.AcknowledgeBy);
        Assert.Equal(Start.AddHours(24), deadlines.ReplyBy);
        Assert.Equal(Start.AddDays(90), deadlines.UsefulUntil);
        Assert.Equal(Start.AddDays(83), deadlines.Steps.Single(s => s.Name == "useful-until:-7d").DueAt);
        Assert.Equal(SuggestedAction.SendPreservationRequest, deadlines.Steps.Single(s => s.Name == "useful-until:-7d").Suggest);
    }

    [Fact]
    public void An_urgent_data_request_is_due_in_8_hours_and_its_ladder_climbs_at_half_four_fifths_and_the_deadline()
    {
        var deadlines = Compute(Fields(Priority.Urgent, [RequestedData.TrafficData]));

        Assert.Equal("urgent-request", deadlines.Policy);
        Assert.Equal(Start.AddHours(8), deadlines.ReplyBy);
        Assert.Equal(
            [Start.AddHours(4), Start.AddHours(6.4), Start.AddHours(8)],
            deadlines.Steps.Where(s => s.Name.StartsWith("reply-by", StringComparison.Ordinal)).Select(s => s.DueAt));
        Assert.True(deadlines.Steps.Single(s => s.Name == "reply-by:80%").RemindPartner);
    }

    [Fact]
    public void The_oldest_data_asked_for_sets_useful_until_from_the_partners_retention()
    {
        var deadlines = Compute(Fields(Priority.Normal, [RequestedData.SubscriberData, RequestedData.TrafficData]));

        // IP logs from 1 October kept 90 days: gone from 30 December.
        Assert.Equal(new DateTimeOffset(2026, 12, 30, 0, 0, 0, TimeSpan.Zero), deadlines.UsefulUntil);
        Assert.Equal(new DateTimeOffset(2026, 12, 23, 0, 0, 0, TimeSpan.Zero), deadlines.Steps.Single(s => s.Name == "useful-until:-7d").DueAt);
        Assert.Equal(Start.AddDays(7), deadlines.ReplyBy);
    }

    [Fact]
    public void A_ladder_rung_already_in_the_past_fires_at_once()
    {
        var fields = Fields(Priority.Normal, [RequestedData.TrafficData]) with { DataPeriod = new DataPeriod(new DateOnly(2026, 8, 1), new DateOnly(2026, 8, 2)) };
        var deadlines = Compute(fields);
        Assert.Equal(Start, deadlines.Steps.Single(s => s.Name == "useful-until:-7d").DueAt);
    }

    [Fact]
    public void An_incoming_request_is_due_when_the_partner_says()
    {
        var theirs = Start.AddHours(30);
        var deadlines = Compute(Fields(Priority.High, [RequestedData.SubscriberData], dueBy: theirs), direction: Direction.Incoming);
        Assert.Equal(theirs, deadlines.ReplyBy);
    }

    [Fact]
    public void Working_hours_skip_the_weekend_and_follow_the_partners_clock_across_the_spring_change()
    {
        // Friday 27 March 2026, 16:00 in Berlin (CET, UTC+1); clocks go to CEST (UTC+2) on Sunday 29 March.
        var friday = new DateTimeOffset(2026, 3, 27, 15, 0, 0, TimeSpan.Zero);

        var due = DeadlineCalculator.AddWorkingTime(friday, TimeSpan.FromHours(16), Partner());

        // 1 h on Friday, 9 h on Monday, 6 h on Tuesday: Tuesday 14:00 CEST = 12:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 12, 0, 0, TimeSpan.Zero), due);
    }

    [Fact]
    public void Working_hours_of_a_Sunday_to_Thursday_week()
    {
        var partner = Partner("Asia/Jerusalem", "08:00", "15:00", ["sun", "mon", "tue", "wed", "thu"]);
        // Thursday 3 December 2026, 14:00 in Jerusalem (UTC+2).
        var thursday = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

        var due = DeadlineCalculator.AddWorkingTime(thursday, TimeSpan.FromHours(2), partner);

        // 1 h on Thursday, then Sunday 08:00-09:00 local = 07:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 7, 0, 0, TimeSpan.Zero), due);
    }

    [Fact]
    public void Calendar_hours_are_unmoved_by_the_autumn_change()
    {
        // 24 h across the night of 25 October 2026, when Berlin's clocks go back: still 24 real hours.
        var saturday = new DateTimeOffset(2026, 10, 24, 20, 0, 0, TimeSpan.Zero);
        Assert.Equal(saturday.AddHours(24), DeadlineCalculator.Add(saturday, TimeSpan.FromHours(24), Counting.CalendarHours, Partner()));
    }

    [Fact]
    public void The_most_specific_policy_wins_and_deadlines_are_whole_seconds()
    {
        var bilateral = Compute(Fields(Priority.Normal, [RequestedData.ContentData], Channel.Bilateral));
        Assert.Equal("bilateral-request", bilateral.Policy);
        Assert.All(bilateral.Steps, s => Assert.Equal(0, s.DueAt.Ticks % TimeSpan.TicksPerSecond));
        Assert.Equal("legal-assistance", Compute(Fields(Priority.Urgent, [], Channel.Bilateral), kind: WorkItemKind.LegalAssistanceTask).Policy);
    }

    [Fact]
    public void Policies_are_read_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Deadlines:Policies:0:Name"] = "everything-in-a-week",
            ["Deadlines:Policies:0:AcknowledgeWithin"] = "1.00:00:00",
            ["Deadlines:Policies:0:ReplyWithin"] = "7.00:00:00",
            ["Deadlines:Policies:0:Counting"] = "CalendarHours",
            ["Deadlines:Policies:0:Ladder:0:Name"] = "reply-by:100%",
            ["Deadlines:Policies:0:Ladder:0:Anchor"] = "ReplyBy",
            ["Deadlines:Policies:0:Ladder:0:Fraction"] = "1",
            ["Deadlines:Policies:0:Ladder:0:Notify:0"] = "Supervisor",
        }).Build();

        var settings = configuration.GetSection(DeadlineSettings.Section).Get<DeadlineSettings>()!;
        var deadlines = DeadlineCalculator.Compute(settings.Effective, WorkItemKind.Request, Direction.Outgoing, Fields(Priority.Urgent, []), Partner(), Start);

        Assert.Equal("everything-in-a-week", deadlines.Policy);
        Assert.Equal(Start.AddDays(7), Assert.Single(deadlines.Steps).DueAt);
    }
}

public sealed class DefaultPolicyTests
{
    [Fact]
    public void Every_default_ladder_suggests_an_action_a_week_before_the_data_is_gone() =>
        Assert.All(DefaultPolicies.All, p => Assert.Contains(
            p.Ladder, s => s.Anchor == Anchor.UsefulUntil && s.Offset <= TimeSpan.FromDays(-7) && s.Suggest != SuggestedAction.None));
}
