using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Tests.Partners;

namespace Ncp.Tests.Quarantine;

/// <summary>
/// Held mail is in a channel's compartment like an item, and a mail held because nothing proves who signed it takes two
/// officers to let through. Real mail through Postfix and Dovecot, the Worker's judgement, the Api's review.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class CompartmentedQuarantineTests(NcpSystem ncp)
{
    private const string Inner = "Content-Type: text/plain; charset=utf-8\r\n\r\nОперативная информация по каналу ОДКБ.";

    [Fact]
    public async Task Mail_held_from_a_csto_partner_is_no_mail_to_an_uncleared_officer_and_a_cleared_one_decides_it()
    {
        var (held, subject) = await HeldUnsignedFromCstoPartnerAsync();
        var duty = ncp.ClientFor("duty");
        var supervisor = ncp.ClientFor("supervisor");

        Assert.Contains(Listed(await supervisor.GetJsonAsync("/api/quarantine")), m => m.Str("id") == held.ToString() && m.Str("channel") == "csto");
        Assert.DoesNotContain(Listed(await duty.GetJsonAsync("/api/quarantine?status=all")), m => m.Str("id") == held.ToString() || m.Str("subject") == subject);
        var missing = Guid.CreateVersion7();
        foreach (var (method, path, body) in Probes)
        {
            using var hidden = await SendAsync(duty, method, $"/api/quarantine/{held}{path}", body);
            using var none = await SendAsync(duty, method, $"/api/quarantine/{missing}{path}", body);
            Assert.Equal((HttpStatusCode.NotFound, await TitleAsync(none, missing)), (hidden.StatusCode, await TitleAsync(hidden, held)));
        }

        Assert.Equal("held", (await supervisor.GetJsonAsync($"/api/quarantine/{held}")).Str("status"));
        var rejected = await ItemsApi.ExpectAsync(
            await supervisor.PostAsJsonAsync($"/api/quarantine/{held}/reject", new { reason = "Not from our colleagues" }), HttpStatusCode.OK);
        Assert.Equal("rejected", rejected.Str("status"));
    }

    [Fact]
    public async Task A_mail_held_for_its_signature_is_released_only_when_a_second_officer_confirms()
    {
        var (held, subject) = await HeldUnsignedFromCstoPartnerAsync();
        var supervisor = ncp.ClientFor("supervisor");
        var head = ncp.ClientFor("head");

        var requested = await ItemsApi.ExpectAsync(
            await supervisor.PostAsJsonAsync($"/api/quarantine/{held}/release", new { reason = "Confirmed by phone with the CSTO desk" }), HttpStatusCode.Accepted);
        Assert.Equal(("held", "Supervisor (demo)"), (requested.Str("status"), requested.GetProperty("releaseRequest").GetProperty("by").Str("name")));
        using (var again = await supervisor.PostAsJsonAsync($"/api/quarantine/{held}/release", new { reason = "Really" }))
        {
            var refused = await ItemsApi.ExpectAsync(again, HttpStatusCode.Conflict);
            Assert.Equal("release-needs-a-second-officer", refused.Str("rule"));
        }

        Assert.Equal("held", (await supervisor.GetJsonAsync($"/api/quarantine/{held}")).Str("status"));
        var released = await ItemsApi.ExpectAsync(
            await head.PostAsJsonAsync($"/api/quarantine/{held}/release", new { reason = "Agreed" }), HttpStatusCode.OK);
        Assert.Equal(("released", "Head of Unit (demo)", "Supervisor (demo)"),
            (released.Str("status"), released.GetProperty("decidedBy").Str("name"), released.GetProperty("releaseRequestedBy").Str("name")));

        // Let through, it opens an item in the partner's (CSTO) channel, with both officers' names on the mail.
        var list = await NcpSystem.EventuallyAsync(
            () => head.GetJsonAsync("/api/items?direction=incoming&channel=csto"),
            l => l.GetProperty("items").EnumerateArray().Any(i => i.Str("subject") == subject), TimeSpan.FromSeconds(60));
        var number = list.GetProperty("items").EnumerateArray().Single(i => i.Str("subject") == subject).Number();
        var mail = await head.GetJsonAsync($"/api/items/{number}/mail/{held}");
        Assert.Equal("Supervisor (demo), confirmed by Head of Unit (demo)", mail.Str("releasedBy"));
    }

    private static readonly (string Method, string Path, object? Body)[] Probes =
    [
        ("GET", "", null),
        ("GET", "/content", null),
        ("GET", "/attachments/0000000000000000000000000000000000000000000000000000000000000000", null),
        ("POST", "/release", new { reason = "Looks fine" }),
        ("POST", "/reject", new { reason = "Looks wrong" }),
    ];

    // What the answer says, but for the id asked about and the trace id of the request.
    private static async Task<string> TitleAsync(HttpResponseMessage response, Guid id)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return $"{problem.Str("title")}: {problem.Str("detail").Replace(id.ToString(), "ID", StringComparison.Ordinal)}";
    }

    private static IEnumerable<JsonElement> Listed(JsonElement list) => list.GetProperty("mail").EnumerateArray();

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url, object? body) =>
        method == "GET" ? await client.GetAsync(url) : await client.PostAsJsonAsync(url, body);

    /// <summary>A partner of this run in the CSTO channel only; a mail from it encrypted to us but not signed is held (missing-signature).</summary>
    private async Task<(Guid Id, string Subject)> HeldUnsignedFromCstoPartnerAsync()
    {
        // Not under the run's "<run>-" prefix, which the mail gateway's fixture counts as its own partners.
        var code = $"CSTO-{ncp.RunId.ToUpperInvariant()}-{Guid.NewGuid().ToString("N")[..4].ToUpperInvariant()}";
        var address = $"{code.ToLowerInvariant()}@csto-partner.example";
        var profile = PartnerDirectoryTests.Profile(code);
        profile["channels"] = new JsonArray("csto");
        profile["addresses"] = new JsonArray(address);
        profile["languages"] = new JsonArray("ru");
        profile["encryption"] = "smime";
        await ItemsApi.ExpectAsync(await ncp.ClientFor("admin").PostAsJsonAsync("/api/partners", profile), HttpStatusCode.Created);
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.partners where code = @code", ("code", code)), n => n == 1, TimeSpan.FromSeconds(60));

        var messageId = $"csto-{Guid.NewGuid():N}@csto-partner.example";
        var subject = $"CSTO operation {Guid.NewGuid():N}"[..28];
        await ncp.SendRawAsync(OpenSslMail.EncryptOnly(Inner, address, "ncp@ncp.example", subject, MailGateway.Pki.NcpNext.CertPem,
            new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" }));
        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "missing-signature" }, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
        await NcpSystem.EventuallyAsync(
            async () => (await ncp.ClientFor("supervisor").GetAsync($"/api/quarantine/{outcome.Id}")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        return (outcome.Id, subject);
    }
}
