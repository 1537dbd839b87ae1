using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Linking;

/// <summary>Links shown from both ends, and never across a compartment the reader is not cleared for.</summary>
[Collection(NcpCollection.Name)]
public sealed class TwoWayLinkTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_link_made_on_one_item_shows_on_the_other_as_pointing_to_it_with_a_line_on_its_timeline()
    {
        var duty = ncp.ClientFor("duty");
        var first = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: "Linked from here"));
        var second = await duty.RegisterAsync(ItemsApi.OutgoingRequest("FR-CYBER247", "Linked to here"));

        await duty.ActAsync(first.Number(), "links", new { targetNumber = second.Number(), type = "follow-up" });

        var target = await duty.GetJsonAsync($"/api/items/{second.Number()}");
        var link = Assert.Single(target.GetProperty("links").EnumerateArray());
        Assert.Equal((first.Number(), "follow-up", true), (link.Str("targetRegisterNumber"), link.Str("type"),
            link.GetProperty("pointsHere").GetBoolean()));
        Assert.Contains(target.GetProperty("timeline").EnumerateArray(),
            t => t.Str("what") == "linked-from" && t.Str("text").Contains(first.Number(), StringComparison.Ordinal));
        var source = await duty.GetJsonAsync($"/api/items/{first.Number()}");
        Assert.False(Assert.Single(source.GetProperty("links").EnumerateArray()).GetProperty("pointsHere").GetBoolean());
    }

    [Fact]
    public async Task A_link_to_an_item_of_a_channel_the_reader_is_not_cleared_for_is_not_shown_from_either_end()
    {
        var supervisor = ncp.ClientFor("supervisor");
        var duty = ncp.ClientFor("duty");
        var open = await duty.RegisterAsync(ItemsApi.OutgoingRequest("RU-CYBER247", "Seen by the duty desk"));
        var csto = ItemsApi.OutgoingRequest("CSTO-CYBER", "Not for the duty desk");
        csto["kind"] = "initiative-message";
        csto.Remove("requestedData");
        var hidden = await supervisor.RegisterAsync(csto);

        await supervisor.ActAsync(hidden.Number(), "links", new { targetNumber = open.Number(), type = "same-criminal-case" });

        var cleared = await supervisor.GetJsonAsync($"/api/items/{open.Number()}");
        Assert.Equal(hidden.Number(), Assert.Single(cleared.GetProperty("links").EnumerateArray()).Str("targetRegisterNumber"));
        var uncleared = await duty.GetJsonAsync($"/api/items/{open.Number()}");
        Assert.Empty(uncleared.GetProperty("links").EnumerateArray());
        Assert.DoesNotContain(hidden.Number(), uncleared.GetRawText(), StringComparison.Ordinal);
        // A command's answer is the item as the caller may see it, too.
        var noted = await duty.ActAsync(open.Number(), "notes", new { text = "Checked" });
        Assert.DoesNotContain(hidden.Number(), noted.GetRawText(), StringComparison.Ordinal);
    }
}
