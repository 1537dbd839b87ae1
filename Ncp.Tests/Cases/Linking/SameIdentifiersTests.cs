using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Registering;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

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

    [Fact]
    public async Task A_partners_new_request_mail_naming_an_ip_and_time_already_in_our_open_item_opens_an_item_linked_to_ours()
    {
        var duty = ncp.ClientFor("duty");
        var ip = UniqueIp();
        var ours = await duty.RegisterAsync(WithIdentifiers(ItemsApi.OutgoingRequest(subject: "Ours, about an IPv6 address"), Ip(ip)));
        var de = await ncp.PartnerAsync("de");
        var signer = MailGateway.Pki.Partner("de");
        var token = Guid.NewGuid().ToString("N")[..12];

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nDear colleagues,\r\nplease preserve the subscriber data of the user of "
                + $"IP address {ip} on 2026-10-05 11:03:12 +02:00 (Europe/Berlin).\r\nThe suspect also wrote from "
                + "shop-support@fake-shop.example.\r\n--\r\nBKA 24/7, " + de.Address + "\r\n",
            de.Address, "ncp@ncp.example", $"Preservation request {token}", signer.CertPem, signer.KeyPem, MailGateway.Pki.NcpNext.CertPem));

        var opened = await NcpSystem.EventuallyAsync(
            async () => await IncomingWithAsync(duty, de.Code, token) is { } number ? await duty.GetJsonAsync($"/api/items/{number}") : default,
            i => i.ValueKind == JsonValueKind.Object && i.GetProperty("links").GetArrayLength() > 0, TimeSpan.FromSeconds(90));

        var link = Assert.Single(opened.GetProperty("links").EnumerateArray());
        Assert.Equal((ours.Number(), "same-identifiers"), (link.Str("targetRegisterNumber"), link.Str("type")));
        Assert.Equal([$"ip-address:{ip}"], link.GetProperty("sharedKeys").EnumerateArray().Select(k => k.GetString()));
        var identifiers = opened.GetProperty("content").GetProperty("identifiers").EnumerateArray().ToList();
        Assert.Equal([("ip-address", ip), ("email", "shop-support@fake-shop.example")], identifiers.Select(i => (i.Str("type"), i.Str("value"))));
        Assert.Equal(("2026-10-05T11:03:12+02:00", "Europe/Berlin"), (identifiers[0].Str("at"), identifiers[0].Str("timeZone")));
        Assert.Contains($"IP address {ip} on 2026-10-05", identifiers[0].Str("foundInMail"), StringComparison.Ordinal);
        var back = await duty.GetJsonAsync($"/api/items/{ours.Number()}");
        Assert.Contains(back.GetProperty("links").EnumerateArray(), l => l.Str("targetRegisterNumber") == opened.Number());
    }

    [Fact]
    public async Task An_item_whose_registration_committed_but_whose_linking_never_ran_is_linked_from_the_event_log()
    {
        var duty = ncp.ClientFor("duty");
        var ip = UniqueIp();
        var ours = await duty.RegisterAsync(WithIdentifiers(ItemsApi.OutgoingRequest(subject: "Ours, before the crash"), Ip(ip)));
        var content = RequestContent.Empty with
        {
            Identifiers = [new ItemIdentifier(IdentifierType.IpAddress, ip, null, null, null, [], null)],
        };
        var fields = new ItemFields("FR-CYBER247", "FR", Channel.TwentyFourSeven, "Registered, then the process died", CrimeCategory.Other,
            Priority.Normal, null, null, [], null, "en", HandlingCode.Open, null, null, content);

        // What a registration commits before the endpoint (or the mail consumer) links: the process stops right here.
        var (registered, _) = await ncp.Api.Services.GetRequiredService<Registrar>().RegisterAsync(
            new Registration(WorkItemKind.Request, Direction.Incoming, fields, new Actor("test", "Test"), null, Guid.NewGuid().ToString("N")),
            null, CancellationToken.None);

        var linked = await NcpSystem.EventuallyAsync(() => duty.GetJsonAsync($"/api/items/{registered.RegisterNumber}"),
            i => i.GetProperty("links").GetArrayLength() > 0, TimeSpan.FromSeconds(60));
        Assert.Equal(ours.Number(), Assert.Single(linked.GetProperty("links").EnumerateArray()).Str("targetRegisterNumber"));
    }

    private static async Task<string?> IncomingWithAsync(HttpClient client, string partner, string token) =>
        (await client.GetJsonAsync($"/api/items?partner={partner}&direction=incoming&limit=200")).GetProperty("items").EnumerateArray()
            .Where(i => i.Str("subject").Contains(token, StringComparison.Ordinal)).Select(i => i.Number()).FirstOrDefault();

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
