using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Registering;

/// <summary>The substance of a request (form, identifiers, facts, files to send) through the items API: checked, kept, found.</summary>
[Collection(NcpCollection.Name)]
public sealed class ContentTests(NcpSystem ncp)
{
    /// <summary>A full art. 29 preservation of a phone number and an IP address; <paramref name="phone"/> makes it a test's own.</summary>
    public static JsonObject Preservation(string phone, string subject = "Preserve the subscriber's data")
    {
        var body = ItemsApi.OutgoingRequest(subject: subject);
        body["handlingCode"] = "no-other-channels";
        body["content"] = new JsonObject
        {
            ["form"] = "preservation",
            ["identifiers"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "ip-address", ["value"] = "203.0.113.7", ["qualifier"] = "443",
                    ["at"] = "2026-10-05T09:03:12Z", ["timeZone"] = "Asia/Almaty",
                    ["data"] = new JsonArray("traffic-data"),
                    ["period"] = new JsonObject { ["from"] = "2026-10-05", ["to"] = "2026-10-05" },
                },
                new JsonObject { ["type"] = "phone", ["value"] = phone, ["data"] = new JsonArray("subscriber-data") }),
            ["facts"] = $"  {Facts}  ",
            ["offence"] = "Fraud, art. 190(2) of the Criminal Code",
            ["urgencyReason"] = "The provider keeps connection logs for 30 days.",
        };
        return body;
    }

    public const string Facts = "On 5 October 2026 the victim paid 2,000,000 KZT to a fake marketplace; its number and address follow.";

    [Fact]
    public async Task The_item_resource_shows_the_request_as_registered_in_camel_case_and_kebab_enums()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(Preservation("+7 701 555 01 02"));

        var read = await duty.GetJsonAsync($"/api/items/{item.Number()}");

        var content = read.GetProperty("content");
        Assert.Equal("preservation", content.Str("form"));
        Assert.Equal(Facts, content.Str("facts"));
        Assert.Equal("Fraud, art. 190(2) of the Criminal Code", content.Str("offence"));
        Assert.Equal("The provider keeps connection logs for 30 days.", content.Str("urgencyReason"));
        Assert.Empty(content.GetProperty("attachmentsToSend").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, content.GetProperty("legalAssistance").ValueKind);
        var ip = content.GetProperty("identifiers")[0];
        Assert.Equal(("ip-address", "203.0.113.7", "443", "2026-10-05T14:03:12+05:00", "Asia/Almaty"),
            (ip.Str("type"), ip.Str("value"), ip.Str("qualifier"), ip.Str("at"), ip.Str("timeZone")));
        Assert.Equal("traffic-data", ip.GetProperty("data")[0].GetString());
        Assert.Equal("2026-10-05", ip.GetProperty("period").Str("from"));
        Assert.Equal("+77015550102", content.GetProperty("identifiers")[1].Str("value"));
        var keys = read.GetProperty("identifierKeys").EnumerateArray().Select(k => k.GetString());
        Assert.Equal(["ip-address:203.0.113.7", "phone:+77015550102"], keys);
    }

    [Fact]
    public async Task Registration_errors_name_each_field_of_the_content_with_a_sentence()
    {
        var body = Preservation("+77015550103");
        var content = body["content"]!.AsObject();
        content["form"] = "legal-assistance";
        content["identifiers"]![1]!["value"] = "701 555 01 03";
        content["identifiers"]!.AsArray().Add(new JsonObject { ["type"] = "ip-address", ["value"] = "198.51.100.9" });
        content["facts"] = new string('f', 20_001);
        content["offence"] = new string('o', 501);
        content["urgencyReason"] = new string('u', 2_001);
        content["legalAssistance"] = new JsonObject { ["penalty"] = "Up to 7 years" };

        var problem = await ncp.ClientFor("duty").RegisterAsync(body, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal(
            [
                "content.facts", "content.form", "content.identifiers[1].value", "content.identifiers[2].at", "content.legalAssistance",
                "content.offence", "content.urgencyReason",
            ],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("stored-data, preservation, disclosure, general", errors.GetProperty("content.form")[0].GetString(),
            StringComparison.Ordinal);
        Assert.Contains("+77012345678", errors.GetProperty("content.identifiers[1].value")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_legal_assistance_task_carries_what_the_requested_authority_checks()
    {
        // Formal legal assistance goes through the central authorities (bilateral), not the 24/7 network.
        var body = ItemsApi.OutgoingRequest("AE-CYBER247", "MLA: the marketplace's server");
        body["kind"] = "legal-assistance-task";
        body["channel"] = "bilateral";
        body["content"] = new JsonObject
        {
            ["facts"] = "The panel of the fake marketplace runs on a server in your country.",
            ["legalAssistance"] = new JsonObject
            {
                ["requestingAuthority"] = "Prosecutor General's Office of the Republic of Kazakhstan",
                ["requestedAuthority"] = "Ministry of Justice, United Arab Emirates",
                ["penalty"] = "Up to 7 years of imprisonment",
                ["assistanceSought"] = "A copy of the server's disk",
                ["confidentiality"] = "The suspect must not learn of the request.",
            },
        };

        var item = await ncp.ClientFor("duty").RegisterAsync(body);

        var content = item.GetProperty("content");
        Assert.Equal("legal-assistance", content.Str("form"));
        Assert.Equal("Ministry of Justice, United Arab Emirates", content.GetProperty("legalAssistance").Str("requestedAuthority"));

        body["content"]!["legalAssistance"]!["assistanceSought"] = new string('a', 5_001);
        var problem = await ncp.ClientFor("duty").RegisterAsync(body, HttpStatusCode.BadRequest);
        Assert.Equal(["content.legalAssistance.assistanceSought"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task Files_to_send_are_chosen_from_the_items_own_files_and_kept_under_the_mail_limit()
    {
        var duty = ncp.ClientFor("duty");
        var body = Preservation("+77015550104");
        body["content"]!["attachmentsToSend"] = new JsonArray(new string('0', 64));

        var refused = await duty.RegisterAsync(body, HttpStatusCode.BadRequest);
        var refusal = refused.GetProperty("errors").GetProperty("content.attachmentsToSend")[0].GetString();
        Assert.Contains("attach the file to it", refusal, StringComparison.Ordinal);

        body["content"]!["attachmentsToSend"] = new JsonArray();
        var item = await duty.RegisterAsync(body);
        var (first, _) = await AttachAsync(duty, item.Number(), 60_000);
        var (second, afterBoth) = await AttachAsync(duty, item.Number(), 60_000);

        body["content"]!["attachmentsToSend"] = new JsonArray(first.ToUpperInvariant(), "not-a-file-of-this-item");
        var unknown = await duty.ChangeDetailsAsync(item.Number(), body, afterBoth, HttpStatusCode.BadRequest);
        Assert.Equal(["content.attachmentsToSend[1]"], unknown.GetProperty("errors").EnumerateObject().Select(e => e.Name));

        body["content"]!["attachmentsToSend"] = new JsonArray(first, second);
        var tooMuch = await duty.ChangeDetailsAsync(item.Number(), body, afterBoth, HttpStatusCode.BadRequest);
        Assert.Contains("25 MB", tooMuch.GetProperty("errors").GetProperty("content.attachmentsToSend")[0].GetString(),
            StringComparison.Ordinal);

        body["content"]!["attachmentsToSend"] = new JsonArray(first.ToUpperInvariant(), first);
        var changed = await duty.ChangeDetailsAsync(item.Number(), body, afterBoth);
        Assert.Equal([first], changed.GetProperty("content").GetProperty("attachmentsToSend").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Changing_the_details_without_content_keeps_it_and_with_content_replaces_it()
    {
        var duty = ncp.ClientFor("duty");
        var body = Preservation("+77015550105");
        var item = await duty.RegisterAsync(body);

        var header = ItemsApi.OutgoingRequest(subject: "Preserve: subject corrected");
        var kept = await duty.ChangeDetailsAsync(item.Number(), header, item.Version());
        Assert.Equal("Preserve: subject corrected", kept.Str("subject"));
        Assert.Equal(2, kept.GetProperty("content").GetProperty("identifiers").GetArrayLength());

        body["content"] = new JsonObject
        {
            ["form"] = "stored-data",
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "domain", ["value"] = "example.com" }),
        };
        var replaced = await duty.ChangeDetailsAsync(item.Number(), body, kept.Version());
        Assert.Equal("stored-data", replaced.GetProperty("content").Str("form"));
        Assert.Equal(["domain:example.com"], replaced.GetProperty("identifierKeys").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact]
    public async Task The_list_finds_items_by_identifier_however_typed_and_open_drops_ended_ones()
    {
        var duty = ncp.ClientFor("duty");
        var digits = RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var phone = $"+7705{digits}";
        var open = await duty.RegisterAsync(Preservation(phone, "Open about the phone"));
        var ended = await duty.RegisterAsync(Preservation(phone, "Withdrawn about the phone"));
        await duty.ActAsync(ended.Number(), "withdraw", new { reason = "Sent through Interpol instead" });
        var other = await duty.RegisterAsync(Preservation("+77015550106", "Another phone"));

        var typed = Uri.EscapeDataString($"phone:8 705 {digits[..3]}-{digits[3..]}");
        var all = await duty.ListAllAsync($"identifier={typed}");
        var openOnly = await duty.ListAllAsync($"identifier={Uri.EscapeDataString("phone:" + phone)}&open=true");
        var searched = await duty.ListAllAsync($"q={Uri.EscapeDataString(phone)}");

        Assert.Equal([ended.Number(), open.Number()], all);
        Assert.Equal([open.Number()], openOnly);
        Assert.Equal([ended.Number(), open.Number()], searched);
        Assert.DoesNotContain(other.Number(), all);
        Assert.Contains(open.Number(), await duty.ListAllAsync("identifier=ip-address:203.0.113.7&open=true"));
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("fax:+77012345678")]
    [InlineData("phone:12")]
    [InlineData("account:nobody")]
    public async Task An_identifier_filter_that_is_not_a_key_is_refused_naming_it(string filter)
    {
        var problem = await ncp.ClientFor("duty").GetJsonAsync(
            $"/api/items?identifier={Uri.EscapeDataString(filter)}", HttpStatusCode.BadRequest);
        Assert.Equal(["identifier"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    private static async Task<(string Sha256, long Version)> AttachAsync(HttpClient duty, string number, int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        return (Convert.ToHexStringLower(SHA256.HashData(bytes)), (await duty.AttachAsync(number, bytes, "capture.pcap")).Version());
    }
}
