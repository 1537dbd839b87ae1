using Ncp.Api.Cases;

namespace Ncp.Tests.Cases.Corresponding;

/// <summary>
/// What a mail server's delivery report and a partner's marking do to an item: the decider's rules and the item's mail
/// rows, as tables. No I/O.
/// </summary>
public sealed class MailReportRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly Actor Officer = new("officer-1", "Officer One");
    private static readonly Guid Id = Guid.Parse("01930000-0000-7000-8000-000000000016");
    private static readonly Guid Dispatch = Guid.Parse("01930000-0000-7000-8000-0000000000d1");
    private static readonly string[] Both = ["a@partner.example", "b@partner.example"];

    private static ItemFields Fields(HandlingCode code) => new(
        "FR-CYBER247", "FR", Channel.TwentyFourSeven, "IP logs", CrimeCategory.ComputerCrime, Priority.Urgent, null, null, [], null, "en",
        code, null, null);

    private static WorkItem Registered(HandlingCode code) => WorkItemDecider.Evolve(WorkItem.Initial,
        new ItemRegistered(Id, "KZ-NCP-2026-000016", WorkItemKind.Request, Direction.Outgoing, Fields(code), Officer, Now));

    private static MailReceived Mail(PartnerMarking? marking) => new(
        Guid.Empty, Guid.CreateVersion7(), "m1@partner.example", "FR-CYBER247", "cyber@partner.example", "Re", "Text", null, "smime",
        "valid", null, [],
        null, Now, default, null, marking);

    // Item's code × the marking's code: the code the item ends with ("=": no event, the code stays).
    [Theory]
    [InlineData(HandlingCode.Open, HandlingCode.NoOtherChannels, "NoOtherChannels")]
    [InlineData(HandlingCode.Open, HandlingCode.NoThirdParties, "NoThirdParties")]
    [InlineData(HandlingCode.Open, HandlingCode.Open, "=")]
    [InlineData(HandlingCode.NoOtherChannels, HandlingCode.NoThirdParties, "NoThirdParties")]
    [InlineData(HandlingCode.NoOtherChannels, HandlingCode.NoOtherChannels, "=")]
    [InlineData(HandlingCode.NoOtherChannels, HandlingCode.Open, "=")]
    [InlineData(HandlingCode.NoThirdParties, HandlingCode.NoOtherChannels, "=")]
    [InlineData(HandlingCode.NoThirdParties, HandlingCode.Open, "=")]
    public void A_partners_marking_raises_the_items_code_to_the_stricter_and_never_lowers_it(
        HandlingCode item, HandlingCode marked, string expected)
    {
        var state = Registered(item);
        var mail = Mail(new PartnerMarking("TLP:X", marked, "subject: \"TLP:X\""));

        var events = WorkItemDecider.Decide(state, new RecordMailReceived(mail), Now);

        var raised = events.OfType<HandlingCodeRaised>().SingleOrDefault();
        Assert.Equal(expected, raised is null ? "=" : raised.To.ToString());
        Assert.Equal(expected == "=" ? item : marked, events.Aggregate(state, WorkItemDecider.Evolve).HandlingCode);
        Assert.All(events.OfType<HandlingCodeRaised>(),
            r => Assert.Contains("TLP:X (subject: \"TLP:X\")", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_mail_without_a_marking_leaves_the_code_and_a_repeated_report_is_recorded_once()
    {
        var state = Registered(HandlingCode.NoOtherChannels);
        var mail = Mail(null);

        var events = WorkItemDecider.Decide(state, new RecordMailReceived(mail), Now);

        Assert.IsType<MailReceived>(Assert.Single(events));
        Assert.Empty(WorkItemDecider.Decide(events.Aggregate(state, WorkItemDecider.Evolve), new RecordMailReceived(mail), Now));
    }

    [Fact]
    public void A_delivery_report_is_recorded_once_whatever_the_items_status()
    {
        var closed = new object[] { new ItemSent(Id, Officer, Now), new ItemWithdrawn(Id, "No longer needed", Officer, Now) }
            .Aggregate(Registered(HandlingCode.Open), WorkItemDecider.Evolve);
        var report = Report("failed", ["a@partner.example"], ["a@partner.example"]);

        var events = WorkItemDecider.Decide(closed, new RecordMailBounced(report), Now);

        Assert.Equal(Id, Assert.IsType<MailBounced>(Assert.Single(events)).ItemId);
        Assert.Empty(WorkItemDecider.Decide(events.Aggregate(closed, WorkItemDecider.Evolve), new RecordMailBounced(report), Now));
    }

    // Reports of one dispatch to two addresses, in order ("failed:a" = failed for a@): the mail row's status and what it
    // says, the item's delivery and whether a warning shows.
    [Theory]
    [InlineData("failed:a,b", "not-delivered", "returned", "not-delivered", false)]
    [InlineData("failed:a", "sent", "returned", null, true)]
    [InlineData("failed:a failed:b", "not-delivered", "returned", "not-delivered", false)]
    [InlineData("delayed:a,b", "sent", "delayed", null, true)]
    [InlineData("delayed:a,b failed:a,b", "not-delivered", "returned", "not-delivered", false)]
    [InlineData("failed:a,b delayed:a", "not-delivered", "returned", "not-delivered", false)]
    public void Delivery_reports_add_up_to_not_delivered_only_when_every_address_failed(
        string reports, string row, string says, string? delivery, bool warned)
    {
        var item = ItemDetailsProjection.Fold(
            new ItemDetails { Id = Id }, new MailDispatched(Id, Dispatch, "request", "d1@ncp.example", "smime", Now, Now));

        foreach (var said in reports.Split(' '))
        {
            var (action, to) = (said.Split(':')[0], said.Split(':')[1].Split(',').Select(a => $"{a}@partner.example").ToArray());
            item = ItemDetailsProjection.Fold(item, Report(action, to, Both));
        }

        var mail = Assert.Single(item.Mail);
        Assert.Equal(row, mail.Status);
        Assert.StartsWith(says, mail.Detail, StringComparison.Ordinal);
        Assert.Equal(delivery, item.Delivery);
        Assert.Equal(warned, item.DeliveryWarning is not null);
    }

    [Fact]
    public void A_report_before_the_gateways_word_that_the_mail_left_keeps_its_row_when_that_word_comes()
    {
        var item = ItemDetailsProjection.Fold(new ItemDetails { Id = Id }, Report("failed", ["a@partner.example"], ["a@partner.example"]));

        item = ItemDetailsProjection.Fold(item, new MailDispatched(Id, Dispatch, "request", "d1@ncp.example", "smime", Now, Now));

        Assert.Equal("not-delivered", Assert.Single(item.Mail).Status);
    }

    private static MailBounced Report(string action, string[] recipients, string[] all) => new(
        Id, Guid.CreateVersion7(), Dispatch, "request", "d1@ncp.example", action, recipients, all, action == "failed" ? "5.1.1" : "4.4.1",
        action == "failed" ? "smtp; 550 5.1.1 User unknown" : "smtp; 451 4.4.1 Try again later", "dns; mx.partner.example", null, Now, Now);
}
