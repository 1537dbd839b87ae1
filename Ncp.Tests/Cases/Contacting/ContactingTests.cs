using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Deadlines;
using Ncp.Contracts.Mail;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Contacting;

/// <summary>Contacts outside Ncp's mail, and a partner's mail proposing the acknowledgement, through HTTP and the real bus.</summary>
[Collection(NcpCollection.Name)]
public sealed class ContactingTests(NcpSystem ncp)
{
    private const string Acknowledge = "acknowledge-by:100%";

    // Each row spoils one field of an otherwise valid contact: a JSON value, or null to leave the field out.
    [Theory]
    [InlineData("means", "\"pigeon\"")]
    [InlineData("direction", "\"sideways\"")]
    [InlineData("happenedAt", null)]
    [InlineData("happenedAt", "\"2999-01-01T00:00:00Z\"")]
    [InlineData("with", "\" \"")]
    [InlineData("summary", null)]
    [InlineData("countsAs", "\"maybe\"")]
    [InlineData("attachments", "[\"00ff\"]")]
    public async Task A_contact_with_an_invalid_field_is_refused_naming_the_field(string field, string? value)
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["means"] = "fax", ["direction"] = "incoming", ["happenedAt"] = "2026-01-01T09:00:00Z", ["with"] = "BKA", ["summary"] = "Faxed",
        };
        body.Remove(field);
        if (value is not null)
        {
            body[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
        }

        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await duty.PostAsync($"/api/items/{item.Number()}/contacts", content);
        var problem = await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest);

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.DoesNotContain(await TimelineAsync(duty, item.Number()), t => t.Str("what") == "contact");
    }

    [Fact]
    public async Task A_call_counted_as_acknowledgement_acknowledges_the_item_its_acknowledge_rung_stops_and_the_timeline_shows_it()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.ActAsync((await duty.RegisterAsync(Preservation())).Number(), "send");
        var id = item.GetProperty("id").GetGuid();
        var rung = item.GetProperty("deadlines").GetProperty("steps").EnumerateArray().Single(s => s.Str("name") == Acknowledge);
        await NcpSystem.EventuallyAsync(() => PendingAsync(id, Acknowledge), n => n == 1);
        var scan = RandomNumberGenerator.GetBytes(300);
        item = await duty.AttachAsync(item.Number(), scan, "fax-confirmation.pdf");

        item = await duty.ActAsync(item.Number(), "contacts", new
        {
            means = "phone",
            direction = "incoming",
            happenedAt = DateTimeOffset.UtcNow.AddMinutes(-10),
            with = "Sgt. Weber, BKA 24/7 desk",
            summary = "Confirmed receipt; the provider was asked to preserve",
            attachments = new[] { Convert.ToHexStringLower(SHA256.HashData(scan)) },
            countsAs = "acknowledgement",
            partnerReference = "BKA-2026-4471",
        }, item.Version());

        Assert.Equal(("acknowledged", "BKA-2026-4471"), (item.Str("status"), item.Str("partnerReference")));
        await NcpSystem.EventuallyAsync(() => PendingAsync(id, Acknowledge), n => n == 0);
        Assert.Equal(1L, await PendingAsync(id, "reply-by:80%"));

        // A wake-up already on its way (or a Worker that missed the cancel) is heard and records nothing.
        var consumed = new ConsumeCounter();
        using (ncp.Api.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed))
        {
            var late = new WakeUpDue(id, Acknowledge, rung.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow);
            await ncp.Worker.Services.GetRequiredService<IBus>().Publish(late);
            await NcpSystem.EventuallyAsync(() => Task.FromResult(consumed.Count<WakeUpDue>(m => m.ItemId == id)), n => n == 1);
        }

        var timeline = await TimelineAsync(duty, item.Number());
        Assert.DoesNotContain(timeline, t => t.Str("what") == "escalated");
        Assert.Equal(
            ["contact", "acknowledged", "preservation-confirmed", "rungs-cancelled"], timeline.SkipWhile(t => t.Str("what") != "contact").Select(t => t.Str("what")));
        var contact = timeline.Single(t => t.Str("what") == "contact");
        Assert.Equal("Duty Officer (demo)", contact.GetProperty("by").Str("name"));
        foreach (var said in new[] { "phone from Sgt. Weber, BKA 24/7 desk", "preserve", "fax-confirmation.pdf", "as acknowledgement" })
        {
            Assert.Contains(said, contact.Str("text"), StringComparison.Ordinal);
        }

        Assert.Contains(Acknowledge, timeline.Single(t => t.Str("what") == "rungs-cancelled").Str("text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_contact_counted_as_what_the_status_does_not_allow_is_refused_by_the_same_rule_and_not_logged()
    {
        var duty = ncp.ClientFor("duty");
        var draft = await duty.RegisterAsync(ItemsApi.OutgoingRequest());

        var problem = await duty.ActAsync(draft.Number(), "contacts", Call("full-answer"), expected: HttpStatusCode.Conflict);

        Assert.Equal("answer-needs-an-open-request", problem.Str("rule"));
        Assert.DoesNotContain(await TimelineAsync(duty, draft.Number()), t => t.Str("what") == "contact");
        var logged = await duty.ActAsync(draft.Number(), "contacts", Call(null));
        Assert.Equal("draft", logged.Str("status"));
    }

    [Fact]
    public async Task A_partners_mail_to_a_sent_item_proposes_its_acknowledgement_until_an_officer_accepts_it()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.ActAsync((await duty.RegisterAsync(Preservation())).Number(), "send");
        var inbound = Guid.CreateVersion7();
        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(new PartnerMailReceived(
            inbound, $"<{inbound}@bka.example>", "DE-CYBER247", "cyber247@bka.example", $"RE: {item.Number()}", "Received, on it.", null,
            item.GetProperty("id").GetGuid(), [], "smime", "valid", "cyber247@bka.example", [], null, DateTimeOffset.UtcNow));

        var proposed = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{item.Number()}"),
            i => i.GetProperty("acknowledgementProposed").ValueKind == JsonValueKind.Object);
        Assert.Equal(inbound, proposed.GetProperty("acknowledgementProposed").GetProperty("inboundId").GetGuid());
        Assert.Equal("sent", proposed.Str("status"));

        var accepted = await duty.ActAsync(item.Number(), "acknowledge", new { }, proposed.Version());

        Assert.Equal("acknowledged", accepted.Str("status"));
        Assert.Equal(JsonValueKind.Null, accepted.GetProperty("acknowledgementProposed").ValueKind);
    }

    private static object Call(string? countsAs) => new
    {
        means = "fax",
        direction = "outgoing",
        happenedAt = DateTimeOffset.UtcNow.AddHours(-1),
        with = "BKA 24/7 desk",
        summary = "Faxed the request again",
        countsAs,
    };

    // A preservation waits for the partner's acknowledgement (its ladder's first rung); nothing in it is due yet.
    private static System.Text.Json.Nodes.JsonObject Preservation()
    {
        var body = ItemsApi.OutgoingRequest(subject: "Preserve the account's logs");
        body["requestedData"] = new System.Text.Json.Nodes.JsonArray("preservation", "subscriber-data");
        return body;
    }

    private static async Task<List<JsonElement>> TimelineAsync(HttpClient client, string number) =>
        [.. (await client.GetJsonAsync($"/api/items/{number}")).GetProperty("timeline").EnumerateArray()];

    private Task<long> PendingAsync(Guid item, string step) =>
        ncp.QueryAsync<long>(
            $"select count(*) from {ncp.WorkerSchema}.timers where item_id = @i and step = @s and fired_at is null",
            ("i", item), ("s", step));
}
