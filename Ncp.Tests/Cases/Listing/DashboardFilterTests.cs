using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Listing;

/// <summary>Each dashboard card opens a list as long as the card's count, over the same items.</summary>
[Collection(NcpCollection.Name)]
public sealed class DashboardFilterTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_lists_behind_the_cards_hold_what_the_cards_count()
    {
        var duty = ncp.ClientFor("duty");
        var dueSoon = await duty.RegisterAsync(ItemsApi.IncomingRequest("FR-CYBER247", "Card filter due soon", DateTimeOffset.UtcNow.AddHours(3)));
        var dueLater = await duty.RegisterAsync(ItemsApi.IncomingRequest("FR-CYBER247", "Card filter due later", DateTimeOffset.UtcNow.AddHours(30)));
        var escalated = await duty.ActAsync((await duty.RegisterAsync(ItemsApi.OutgoingRequest("NL-CYBER247", "Card filter escalation"))).Number(), "send");
        await ncp.EscalateAsync(escalated);
        await ncp.ReportMailReceivedAsync("FR-CYBER247", dueLater.Number());

        foreach (var (card, query, member, outsider) in new[]
        {
            ("dueSoon", "dueWithin=24", dueSoon, dueLater),
            ("mailReceived", "mailWithin=24", dueLater, dueSoon),
            ("awaitingAcknowledgement", "awaitingAcknowledgement=true", escalated, dueSoon),
        })
        {
            // Card and list are two reads; the Worker may escalate or deliver for earlier tests' items in between, so
            // they are compared once two reads in a row agree.
            var (dashboard, listed) = await NcpSystem.EventuallyAsync(
                async () => (Dashboard: await duty.GetJsonAsync("/api/dashboard"), Listed: await duty.ListAllAsync(query)),
                read => read.Dashboard.GetProperty(card).GetProperty("count").GetInt32() == read.Listed.Count);
            var count = dashboard.GetProperty(card).GetProperty("count").GetInt32();
            Assert.True(count == listed.Count, $"{card}: the card counts {count}, /api/items?{query} lists {listed.Count}");
            Assert.Contains(member.Number(), listed);
            Assert.DoesNotContain(outsider.Number(), listed);
            Assert.All(dashboard.GetProperty(card).GetProperty("first").EnumerateArray(), row => Assert.Contains(row.Str("registerNumber"), listed));
        }
    }
}
