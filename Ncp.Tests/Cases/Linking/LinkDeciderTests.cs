using Ncp.Api.Cases;

namespace Ncp.Tests.Cases.Linking;

/// <summary>Links from both ends and groups, decided without I/O: given a history, when a command, then the events.</summary>
public sealed class LinkDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Actor Officer = new("officer-1", "Officer One");
    private static readonly Guid Id = Guid.Parse("01930000-0000-7000-8000-000000000011");
    private static readonly Guid Other = Guid.Parse("01930000-0000-7000-8000-000000000012");

    private static readonly ItemFields Fields = new(
        "DE-CYBER247", "DE", Channel.TwentyFourSeven, "IP logs", CrimeCategory.ComputerCrime, Priority.Normal, null, null,
        [RequestedData.TrafficData], null, "en", HandlingCode.Open, null, null);

    private static readonly ItemRegistered Registered = new(Id, "KZ-NCP-2026-000011", WorkItemKind.Request, Direction.Outgoing, Fields,
        Officer, Now);

    // Rows: the link asked for, whether the other item already made that link to this one; then what is recorded.
    [Theory]
    [InlineData(LinkType.SameCriminalCase, false, "linked")]
    [InlineData(LinkType.SameCriminalCase, true, "")]
    [InlineData(LinkType.SameRequestOtherChannel, true, "")]
    [InlineData(LinkType.SameIdentifiers, true, "")]
    [InlineData(LinkType.SameGroup, true, "")]
    [InlineData(LinkType.ReplyTo, true, "linked")]
    [InlineData(LinkType.FollowUp, true, "linked")]
    public void A_link_that_reads_the_same_both_ways_is_not_made_again_from_the_other_end(LinkType type, bool linkedFromThere,
        string recorded)
    {
        var history = linkedFromThere
            ? new object[] { Registered, new ItemLinkedFrom(Id, Other, "KZ-NCP-2026-000012", type, Officer, Now) }
            : [Registered];

        var events = WorkItemDecider.Decide(
            Fold(history), new LinkItem(Other, "KZ-NCP-2026-000012", Channel.TwentyFourSeven, "FR-CYBER247", type, Officer), Now);

        Assert.Equal(recorded, string.Join(" ", events.Select(e => e is ItemLinked ? "linked" : e.GetType().Name)));
    }

    [Fact]
    public void The_other_end_of_a_link_is_recorded_once_whatever_the_item_s_status()
    {
        var ended = Fold(Registered, new ItemWithdrawn(Id, "Not needed", Officer, Now));
        string[] shared = ["ip-address:198.51.100.7"];
        var reverse = new RecordLinkFrom(Other, "KZ-NCP-2026-000012", LinkType.SameIdentifiers, Officer, shared);

        var first = WorkItemDecider.Decide(ended, reverse, Now);

        Assert.Equal([new ItemLinkedFrom(Id, Other, "KZ-NCP-2026-000012", LinkType.SameIdentifiers, Officer, Now, shared)], first);
        Assert.Empty(WorkItemDecider.Decide(first.Aggregate(ended, WorkItemDecider.Evolve), reverse, Now));
    }

    [Fact]
    public void An_item_registered_in_a_group_records_the_group_and_links_to_each_sibling_but_not_to_itself()
    {
        var group = Guid.CreateVersion7();
        var third = Guid.CreateVersion7();
        var members = new[]
        {
            new ItemLink(Id, "KZ-NCP-2026-000011", LinkType.SameGroup),
            new ItemLink(Other, "KZ-NCP-2026-000012", LinkType.SameGroup),
            new ItemLink(third, "KZ-NCP-2026-000013", LinkType.SameGroup),
        };

        var events = WorkItemDecider.Decide(
            WorkItem.Initial,
            new RegisterItem(Id, "KZ-NCP-2026-000011", WorkItemKind.Request, Direction.Outgoing, Fields, Officer,
                Group: new ItemGroup(group, members, "consent 1")),
            Now);

        Assert.Equal(
            [
                Registered,
                new ItemGrouped(Id, group, "consent 1", Officer, Now),
                new ItemLinked(Id, Other, "KZ-NCP-2026-000012", LinkType.SameGroup, Officer, Now),
                new ItemLinked(Id, third, "KZ-NCP-2026-000013", LinkType.SameGroup, Officer, Now),
            ],
            events);
    }

    // Rows: this item's handling code and channel, the other's; then whether Ncp links them when they share an identifier.
    [Theory]
    [InlineData(HandlingCode.Open, Channel.TwentyFourSeven, HandlingCode.Open, Channel.Csto, true)]
    [InlineData(HandlingCode.NoOtherChannels, Channel.TwentyFourSeven, HandlingCode.Open, Channel.TwentyFourSeven, true)]
    [InlineData(HandlingCode.NoOtherChannels, Channel.TwentyFourSeven, HandlingCode.Open, Channel.Interpol, false)]
    [InlineData(HandlingCode.Open, Channel.TwentyFourSeven, HandlingCode.NoOtherChannels, Channel.Interpol, false)]
    [InlineData(HandlingCode.NoThirdParties, Channel.TwentyFourSeven, HandlingCode.Open, Channel.TwentyFourSeven, true)]
    public void Items_sharing_an_identifier_are_linked_where_both_handling_codes_let_their_information_meet(
        HandlingCode code, Channel channel, HandlingCode otherCode, Channel otherChannel, bool linked)
    {
        var state = Fold(Registered with { Fields = Fields with { HandlingCode = code, Channel = channel } });
        string[] shared = ["ip-address:198.51.100.7"];
        var match = new IdentifierMatch(Other, "KZ-NCP-2026-000012", otherChannel, "RU-CYBER247", otherCode, shared);

        var events = WorkItemDecider.Decide(state, new RecordSameIdentifiers([match]), Now);

        Assert.Equal(
            linked ? [new ItemLinked(Id, Other, "KZ-NCP-2026-000012", LinkType.SameIdentifiers, WorkItemDecider.Ncp, Now, shared)] : [],
            events);
    }

    [Fact]
    public void Identifiers_shared_again_with_an_item_already_linked_either_way_or_in_the_same_group_link_nothing_new()
    {
        var third = Guid.CreateVersion7();
        var state = Fold(
            Registered,
            new ItemLinkedFrom(Id, Other, "KZ-NCP-2026-000012", LinkType.SameIdentifiers, WorkItemDecider.Ncp, Now),
            new ItemLinked(Id, third, "KZ-NCP-2026-000013", LinkType.SameGroup, Officer, Now));
        IdentifierMatch Match(Guid id) => new(id, "KZ-NCP-2026-0000xx", Channel.TwentyFourSeven, "FR-CYBER247", HandlingCode.Open,
            ["email:a@b.example"]);

        Assert.Empty(WorkItemDecider.Decide(state, new RecordSameIdentifiers([Match(Other), Match(third), Match(Id)]), Now));
    }

    [Fact]
    public void A_forwarded_copy_sharing_its_sources_identifiers_is_not_linked_to_it_again()
    {
        var source = Guid.CreateVersion7();
        var copy = Fold(
            Registered,
            new ItemLinkedFrom(Id, source, "KZ-NCP-2026-000010", LinkType.SameRequestOtherChannel, Officer, Now));
        var match = new IdentifierMatch(source, "KZ-NCP-2026-000010", Channel.TwentyFourSeven, "FR-CYBER247", HandlingCode.Open,
            ["ip-address:198.51.100.7"]);

        Assert.Empty(WorkItemDecider.Decide(copy, new RecordSameIdentifiers([match]), Now));
    }

    private static WorkItem Fold(params object[] events) => events.Aggregate(WorkItem.Initial, WorkItemDecider.Evolve);
}
