using System.Text.Json;
using System.Text.Json.Nodes;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Linking;

/// <summary>
/// An item whose identifiers are already in an open item is linked to it, and both show the link; ended items do not
/// count; an item of a channel the reader is not cleared for is not revealed by what it shares.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class SameIdentifiersTests(NcpSystem ncp)
{
    [Fact]
    public async Task An_incoming_item_registered_with_an_ip_already_in_an_open_outgoing_item_is_linked_and_both_items_show_it()
    {
        var duty = ncp.ClientFor("duty");
        var ip = UniqueIp();
        var outgoing = await duty.RegisterAsync(WithIdentifiers(ItemsApi.OutgoingRequest(subject: "Outgoing about an IP"), Ip(ip)));

        var incoming = await duty.RegisterAsync(WithIdentifiers(Incoming("FR-CYBER247", "Incoming about the same IP"), Ip(ip), Email()));

        var link = Assert.Single(incoming.GetProperty("links").EnumerateArray());
        Assert.Equal((outgoing.Number(), "same-identifiers", false), (link.Str("targetRegisterNumber"), link.Str("type"),
            link.GetProperty("pointsHere").GetBoolean()));
        Assert.Equal([$"ip-address:{ip}"], link.GetProperty("sharedKeys").EnumerateArray().Select(k => k.GetString()));
        var other = await duty.GetJsonAsync($"/api/items/{outgoing.Number()}");
        var back = Assert.Single(other.GetProperty("links").EnumerateArray());
        Assert.Equal((incoming.Number(), "same-identifiers", true), (back.Str("targetRegisterNumber"), back.Str("type"),
            back.GetProperty("pointsHere").GetBoolean()));
        Assert.Contains(other.GetProperty("timeline").EnumerateArray(), t => t.Str("what") == "linked-from" && t.Str("text").Contains(ip,
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_incoming_item_given_its_identifiers_later_by_an_officer_is_linked_then()
    {
        var duty = ncp.ClientFor("duty");
        var ip = UniqueIp();
        var outgoing = await duty.RegisterAsync(WithIdentifiers(ItemsApi.OutgoingRequest(subject: "Outgoing, filled in first"), Ip(ip)));
        var body = Incoming("NL-CYBER247", "A partner's mail, content filled in afterwards");
        var incoming = await duty.RegisterAsync(body);
        Assert.Empty(incoming.GetProperty("links").EnumerateArray());

        var changed = await duty.ChangeDetailsAsync(incoming.Number(), WithIdentifiers(body, Ip(ip)), incoming.Version());

        Assert.Equal(outgoing.Number(), Assert.Single(changed.GetProperty("links").EnumerateArray()).Str("targetRegisterNumber"));
    }

    [Fact]
    public async Task An_ended_item_sharing_an_identifier_is_not_linked()
    {
        var duty = ncp.ClientFor("duty");
        var ip = UniqueIp();
        var withdrawn = await duty.RegisterAsync(WithIdentifiers(ItemsApi.OutgoingRequest(subject: "Withdrawn before"), Ip(ip)));
        await duty.ActAsync(withdrawn.Number(), "withdraw", new { reason = "Sent by telephone instead" });

        var incoming = await duty.RegisterAsync(WithIdentifiers(Incoming("FR-CYBER247", "Same IP as an ended item"), Ip(ip)));

        Assert.Empty(incoming.GetProperty("links").EnumerateArray());
        Assert.Empty((await duty.GetJsonAsync($"/api/items/{withdrawn.Number()}")).GetProperty("links").EnumerateArray());
    }

    [Fact]
    public async Task An_item_of_a_channel_the_reader_is_not_cleared_for_is_not_revealed_by_an_identifier_it_shares()
    {
        var supervisor = ncp.ClientFor("supervisor");
        var duty = ncp.ClientFor("duty");
        var ip = UniqueIp();
        var csto = ItemsApi.OutgoingRequest("CSTO-CYBER", "Within the CSTO channel only");
        csto["kind"] = "initiative-message";
        csto.Remove("requestedData");
        var hidden = await supervisor.RegisterAsync(WithIdentifiers(csto, Ip(ip)));

        var incoming = await duty.RegisterAsync(WithIdentifiers(Incoming("DE-CYBER247", "Seen by the duty desk"), Ip(ip)));

        Assert.Empty(incoming.GetProperty("links").EnumerateArray());
        var read = await duty.GetJsonAsync($"/api/items/{incoming.Number()}");
        Assert.Empty(read.GetProperty("links").EnumerateArray());
        Assert.DoesNotContain(hidden.Number(), read.GetRawText(), StringComparison.Ordinal);
        // Recorded all the same, for those cleared for both ends.
        var cleared = await supervisor.GetJsonAsync($"/api/items/{incoming.Number()}");
        Assert.Equal(hidden.Number(), Assert.Single(cleared.GetProperty("links").EnumerateArray()).Str("targetRegisterNumber"));
    }

    // An address of the documentation range no other test uses: the shared schema holds every test's items.
    private static string UniqueIp() => $"2001:db8::{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";

    private static JsonObject Ip(string ip) => new()
    {
        ["type"] = "ip-address",
        ["value"] = ip,
        ["at"] = "2026-10-05T14:03:12+05:00",
        ["timeZone"] = "Asia/Almaty",
    };

    private static JsonObject Email() => new() { ["type"] = "email", ["value"] = $"{Guid.NewGuid():N}@mail.example" };

    private static JsonObject Incoming(string partner, string subject) => ItemsApi.IncomingRequest(partner, subject,
        DateTimeOffset.UtcNow.AddDays(10));

    private static JsonObject WithIdentifiers(JsonObject body, params JsonObject[] identifiers)
    {
        var copy = (JsonObject)body.DeepClone();
        copy["content"] = new JsonObject { ["identifiers"] = new JsonArray([.. identifiers]) };
        return copy;
    }
}
