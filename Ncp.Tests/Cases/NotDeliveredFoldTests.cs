using Ncp.Api.Cases;

namespace Ncp.Tests.Cases;

/// <summary>When the item read model calls a request "not delivered": given the gateway's reports in order, the flag. No I/O.</summary>
public sealed class NotDeliveredFoldTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("01930000-0000-7000-8000-000000000002");

    private static object Report(string report) => report.Split(':') switch
    {
        ["sent", var purpose] => new MailDispatched(Id, Guid.NewGuid(), purpose, $"{Guid.NewGuid():N}@ncp.example", "smime", Now, Now),
        ["failed", var purpose] => new MailNotDelivered(Id, Guid.NewGuid(), purpose, "partner-key-missing", "no key", 3, Now),
        _ => throw new ArgumentException(report),
    };

    [Theory]
    [InlineData("", false)]
    [InlineData("sent:request", false)]
    [InlineData("failed:request", true)]
    [InlineData("failed:reminder", false)]
    [InlineData("sent:request failed:reminder", false)]
    [InlineData("failed:request sent:reminder", true)]
    [InlineData("failed:request failed:reminder", true)]
    [InlineData("failed:request sent:request", false)]
    [InlineData("failed:request sent:request failed:request", true)]
    public void A_request_is_not_delivered_once_the_gateway_gave_up_on_it_until_a_later_dispatch_of_it_succeeds(string reports, bool notDelivered)
    {
        var item = reports.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Report)
            .Aggregate(new ItemDetails { Id = Id, Status = WorkItemStatus.Sent }, ItemDetailsProjection.Fold);

        Assert.Equal(notDelivered, item.NotDelivered);
    }
}
