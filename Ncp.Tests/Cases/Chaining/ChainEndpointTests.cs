using System.Net;
using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Chaining;

/// <summary>GET /api/items/{number}/chain and the preservation's term, through HTTP against the real servers.</summary>
[Collection(NcpCollection.Name)]
public sealed class ChainEndpointTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_preservation_and_its_legal_assistance_are_one_chain_from_either_end_warning_until_the_term_is_extended()
    {
        var duty = ncp.ClientFor("duty");
        var until = ChainApi.Whole(DateTimeOffset.UtcNow.AddDays(30));
        var preservation = await duty.PreservedAsync(ChainApi.Preservation("TR-CYBER247", $"Chain {Guid.NewGuid():N}"), until);
        var legalAssistance = await duty.FollowedUpAsync(
            preservation, ChainApi.LegalAssistance("TR-CYBER247", "Formal request for the preserved logs"));
        var replyBy = legalAssistance.ReplyBy();
        Assert.True(replyBy > until, $"The legal-assistance policy's reply-by {replyBy:u} should fall after the preservation's {until:u}");

        var fromPreservation = await duty.ChainAsync(preservation.Number());
        var fromFollowUp = await duty.ChainAsync(legalAssistance.Number());

        Assert.Equal([preservation.Number(), legalAssistance.Number()], Numbers(fromPreservation));
        Assert.Equal(Numbers(fromPreservation), Numbers(fromFollowUp));
        var (p, m) = (fromPreservation.GetProperty("steps")[0], fromPreservation.GetProperty("steps")[1]);
        Assert.Equal(
            ("preservation", "acknowledged", until), (p.Str("role"), p.Str("status"), p.GetProperty("preservedUntil").GetDateTimeOffset()));
        Assert.Equal(("ncp", "TR-CYBER247", "preserving"), Wait(p));
        Assert.Equal(("legal-assistance", replyBy), (m.Str("role"), m.GetProperty("expectedAnswer").GetDateTimeOffset()));
        Assert.Equal(("ncp", "TR-CYBER247", "acknowledgement"), Wait(m));
        var warning = Assert.Single(fromPreservation.GetProperty("warnings").EnumerateArray());
        Assert.Equal(
            ("preservation-expires-before-answer", preservation.Number(), legalAssistance.Number(), until, replyBy),
            (warning.Str("code"), warning.Str("preservation"), warning.Str("followUp"),
                warning.GetProperty("preservedUntil").GetDateTimeOffset(), warning.GetProperty("expectedAnswer").GetDateTimeOffset()));
        Assert.True(p.GetProperty("warned").GetBoolean() && m.GetProperty("warned").GetBoolean());
        var read = await duty.GetJsonAsync($"/api/items/{preservation.Number()}");
        Assert.Contains(read.GetProperty("timeline").EnumerateArray(), t => t.Str("what") == "preservation-confirmed");

        await duty.ActAsync(preservation.Number(), "preservation/confirm", new { preservedUntil = replyBy.AddDays(30) });
        Assert.Empty((await duty.ChainAsync(legalAssistance.Number())).GetProperty("warnings").EnumerateArray());
        Assert.Equal(3L, await ncp.QueryAsync<long>(
            $"select count(*) from {ncp.ApiSchema}.audit_log where action = 'read-item-chain' and register_number = any(@n)",
            ("n", new[] { preservation.Number(), legalAssistance.Number() })));
    }

    [Fact]
    public async Task An_acknowledgement_without_a_date_takes_the_default_term_and_the_chain_of_a_lone_item_is_itself()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ChainApi.Preservation("TR-CYBER247", $"Lone {Guid.NewGuid():N}"));
        await duty.ActAsync(item.Number(), "send");
        var acknowledged = await duty.ActAsync(item.Number(), "acknowledge", new { partnerReference = "TR-2" });

        var step = Assert.Single((await duty.ChainAsync(item.Number())).GetProperty("steps").EnumerateArray());

        var preservedFor =
            step.GetProperty("preservedUntil").GetDateTimeOffset() - acknowledged.GetProperty("acknowledgedAt").GetDateTimeOffset();
        Assert.InRange(preservedFor, TimeSpan.FromDays(90), TimeSpan.FromDays(90).Add(TimeSpan.FromSeconds(1)));
        Assert.Equal(("TR-CYBER247", "ncp", "legal-assistance-request"), Wait(step));
    }

    [Fact]
    public async Task The_chain_leaves_out_an_item_the_reader_may_not_see_and_an_uncleared_item_has_no_chain()
    {
        var supervisor = ncp.ClientFor("supervisor");
        var preservation = await supervisor.PreservedAsync(
            ChainApi.Preservation("TR-CYBER247", $"Compartment {Guid.NewGuid():N}"), ChainApi.Whole(DateTimeOffset.UtcNow.AddDays(30)));
        var csto = ItemsApi.OutgoingRequest("RU-CYBER247", "Disclosure through the CSTO channel");
        csto["channel"] = "csto";
        var restricted = await supervisor.RegisterAsync(csto);
        await supervisor.ActAsync(restricted.Number(), "links", new { targetNumber = preservation.Number(), type = "follow-up" });

        Assert.Equal(2, (await supervisor.ChainAsync(preservation.Number())).GetProperty("steps").GetArrayLength());
        var duty = ncp.ClientFor("duty");
        Assert.Equal([preservation.Number()], Numbers(await duty.ChainAsync(preservation.Number())));
        await duty.ChainAsync(restricted.Number(), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_term_and_an_extension_are_refused_naming_the_field_or_the_rule()
    {
        var duty = ncp.ClientFor("duty");
        var request = await duty.RegisterAsync(ItemsApi.OutgoingRequest("TR-CYBER247", "Not a preservation"));
        await duty.ActAsync(request.Number(), "send");

        var notPreserving = await duty.ActAsync(
            request.Number(), "acknowledge", new { preservedUntil = DateTimeOffset.UtcNow.AddDays(10) },
            expected: HttpStatusCode.Conflict);
        Assert.Equal("not-a-preservation", notPreserving.Str("rule"));
        var noDate = await duty.ActAsync(request.Number(), "preservation/confirm", new { }, expected: HttpStatusCode.BadRequest);
        Assert.True(noDate.GetProperty("errors").TryGetProperty("preservedUntil", out _));
        var noDays = await duty.ActAsync(request.Number(), "preservation/extend", new { days = 0 }, expected: HttpStatusCode.BadRequest);
        Assert.True(noDays.GetProperty("errors").TryGetProperty("days", out _));
        var unconfirmed = await duty.ActAsync(request.Number(), "preservation/extend", expected: HttpStatusCode.Conflict);
        Assert.Equal("not-a-preservation", unconfirmed.Str("rule"));
    }

    private static string[] Numbers(JsonElement chain) =>
        [.. chain.GetProperty("steps").EnumerateArray().Select(s => s.Str("registerNumber"))];

    private static (string, string, string) Wait(JsonElement step)
    {
        var wait = step.GetProperty("waits");
        return (wait.Str("who"), wait.Str("onWhom"), wait.Str("for"));
    }
}
