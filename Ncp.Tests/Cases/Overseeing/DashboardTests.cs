using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Overseeing;

[Collection(NcpCollection.Name)]
public sealed class DashboardTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_counts_follow_registered_items_due_soon_and_overdue()
    {
        var duty = ncp.ClientFor("duty");
        var before = await duty.GetJsonAsync("/api/dashboard");

        var overdue = await duty.RegisterAsync(ItemsApi.IncomingRequest("NL-CYBER247", "Dashboard overdue", DateTimeOffset.UtcNow.AddHours(-2)));
        var dueSoon = await duty.RegisterAsync(ItemsApi.IncomingRequest("FR-CYBER247", "Dashboard due soon", DateTimeOffset.UtcNow.AddHours(3)));
        var after = await duty.GetJsonAsync("/api/dashboard");

        Assert.True(Count(after, "newIncoming") >= Count(before, "newIncoming") + 2);
        Assert.True(Count(after, "overdue") >= Count(before, "overdue") + 1);
        Assert.True(Count(after, "dueSoon") >= Count(before, "dueSoon") + 1);
        Assert.Contains(overdue.Number(), Numbers(after, "newIncoming"));
        Assert.Contains(dueSoon.Number(), Numbers(after, "newIncoming"));

        // The chart's today is the same count of overdue items as the card.
        var days = after.GetProperty("days").EnumerateArray().ToArray();
        Assert.Equal(30, days.Length);
        Assert.Equal(Count(after, "overdue"), days[^1].GetProperty("overdue").GetInt32());
        Assert.True(days[^1].GetProperty("open").GetInt32() >= days[^1].GetProperty("overdue").GetInt32());
        Assert.True(after.GetProperty("quarantineHeld").GetInt32() >= 0);
        Assert.Equal(JsonValueKind.Array, after.GetProperty("slowestPartners").ValueKind);
    }

    [Fact]
    public async Task A_CSTO_item_is_not_counted_for_an_officer_without_the_compartment()
    {
        var duty = ncp.ClientFor("duty");
        var supervisor = ncp.ClientFor("supervisor");
        var dutyBefore = await duty.GetJsonAsync("/api/dashboard");
        var supervisorBefore = await supervisor.GetJsonAsync("/api/dashboard");

        var item = await supervisor.RegisterAsync(ItemsApi.IncomingRequest("CSTO-CYBER", "Dashboard cleared only", DateTimeOffset.UtcNow.AddHours(-1)));

        var dutyAfter = await duty.GetJsonAsync("/api/dashboard");
        var supervisorAfter = await supervisor.GetJsonAsync("/api/dashboard");
        foreach (var list in new[] { "newIncoming", "overdue" })
        {
            Assert.Equal(Count(dutyBefore, list), Count(dutyAfter, list));
            Assert.DoesNotContain(item.Number(), Numbers(dutyAfter, list));
            Assert.True(Count(supervisorAfter, list) >= Count(supervisorBefore, list) + 1);
        }

        Assert.Contains(item.Number(), Numbers(supervisorAfter, "newIncoming"));
    }

    [Fact]
    public async Task An_escalation_waits_on_the_dashboard_until_it_is_acknowledged()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.ActAsync((await duty.RegisterAsync(ItemsApi.OutgoingRequest("FR-CYBER247", "Dashboard escalation"))).Number(), "send");
        var rung = await ncp.EscalateAsync(item);
        Assert.True(Count(await duty.GetJsonAsync("/api/dashboard"), "awaitingAcknowledgement") >= 1);

        await duty.ActAsync(item.Number(), $"escalations/{Uri.EscapeDataString(rung)}/acknowledge");
        Assert.False(await ncp.AwaitsAcknowledgementAsync(item.Number()));
    }

    private static int Count(JsonElement dashboard, string list) => dashboard.GetProperty(list).GetProperty("count").GetInt32();

    private static string[] Numbers(JsonElement dashboard, string list) =>
        [.. dashboard.GetProperty(list).GetProperty("first").EnumerateArray().Select(r => r.Str("registerNumber"))];
}
