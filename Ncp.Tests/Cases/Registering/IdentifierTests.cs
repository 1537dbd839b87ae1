using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Cases.Registering;

/// <summary>Each identifier as an officer types it, registered through the Api: its normal form, or the field its error names.</summary>
[Collection(NcpCollection.Name)]
public sealed class IdentifierTests(NcpSystem ncp)
{
    private const string Seen = "2026-10-05T09:03:12Z";

    // type, value, qualifier → "value" or "value | qualifier" as stored, or "!field" for the field the error names.
    public static TheoryData<string, string, string?, string> Inputs => new()
    {
        { "ip-address", "203.0.113.7", "443", "203.0.113.7 | 443" },
        { "ip-address", " 2001:DB8:0::7 ", null, "2001:db8::7" },
        { "ip-address", "::ffff:203.0.113.8", null, "203.0.113.8" },
        { "ip-address", "010.0.0.1", null, "!value" },
        { "ip-address", "10.1", null, "!value" },
        { "ip-address", "203.0.113.7:443", null, "!value" },
        { "ip-address", "203.0.113.7", "0", "!qualifier" },
        { "ip-address", "203.0.113.7", "70000", "!qualifier" },
        { "email", "John.Doe@Example.COM", null, "John.Doe@example.com" },
        { "email", "иван@пример.рф", null, "иван@xn--e1afmkfd.xn--p1ai" },
        { "email", "John <john@example.com>", null, "!value" },
        { "email", "someone@localhost", null, "!value" },
        { "email", "someone@example.com", "gmail", "!qualifier" },
        { "phone", "+7 (701) 234-56-78", null, "+77012345678" },
        { "phone", "8 701 234 56 78", null, "+77012345678" },
        { "phone", "0049 30.1234567", null, "+49301234567" },
        { "phone", "701 234 56 78", null, "!value" },
        { "phone", "+7701", null, "!value" },
        { "account", " some.user ", "Telegram", "some.user | telegram" },
        { "account", "some.user", null, "!qualifier" },
        { "account", new string('a', 501), "telegram", "!value" },
        { "url", "HTTPS://Пример.РФ/path?q=1", null, "https://xn--e1afmkfd.xn--p1ai/path?q=1" },
        { "url", "http://203.0.113.7:8080/panel", null, "http://203.0.113.7:8080/panel" },
        { "url", "example.com/page", null, "!value" },
        { "url", "javascript:alert(1)", null, "!value" },
        { "url", "file:///etc/passwd", null, "!value" },
        { "domain", "Пример.РФ.", null, "xn--e1afmkfd.xn--p1ai" },
        { "domain", "Mail.Example.COM", null, "mail.example.com" },
        { "domain", "exa_mple.com", null, "!value" },
        { "domain", "localhost", null, "!value" },
        { "domain", "-bad.example.com", null, "!value" },
        { "payment-card", "4111 1111 1111 1111", null, "4111111111111111" },
        { "payment-card", "4111-1111-1111-1112", null, "!value" },
        { "payment-card", "411111111111", null, "!value" },
        { "iban", "de89 3704 0044 0532 0130 00", null, "DE89370400440532013000" },
        { "iban", "KZ86 125K ZT50 0410 0100", null, "KZ86125KZT5004100100" },
        { "iban", "DE89 3704 0044 0532 0130 01", null, "!value" },
        { "crypto-wallet", "0x52908400098527886E0F7030069857D2E4169EE7", "ETH", "0x52908400098527886e0f7030069857d2e4169ee7 | ethereum" },
        { "crypto-wallet", "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "btc", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq | bitcoin" },
        { "crypto-wallet", "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", "tron", "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW | tron" },
        { "crypto-wallet", "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", null, "!qualifier" },
        { "crypto-wallet", "0x123", "ethereum", "!value" },
        { "crypto-wallet", "bc1 not an address", "bitcoin", "!value" },
        { "imei", "49-015420-323751-8", null, "490154203237518" },
        { "imei", "49015420323751", null, "490154203237518" },
        { "imei", "490154203237519", null, "!value" },
        { "imsi", "401 01 1234567890", null, "401011234567890" },
        { "imsi", "12345", null, "!value" },
        { "fax", "+77012345678", null, "!type" },
        { "phone", "  ", null, "!value" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task An_identifier_is_stored_in_its_normal_form_or_refused_naming_its_field(
        string type, string value, string? qualifier, string expected)
    {
        var identifier = new JsonObject { ["type"] = type, ["value"] = value, ["qualifier"] = qualifier };
        if (type == "ip-address")
        {
            identifier["at"] = Seen;
            identifier["timeZone"] = "Asia/Almaty";
        }

        if (expected.StartsWith('!'))
        {
            var errors = await RefusedAsync(identifier);
            Assert.Equal([$"content.identifiers[0].{expected[1..]}"], errors.Keys);
            Assert.All(errors.Values.SelectMany(m => m), m => Assert.True(m.Length > 20, $"A sentence, not a code: {m}"));
            return;
        }

        var stored = (await RegisteredAsync(identifier)).GetProperty("content").GetProperty("identifiers")[0];
        var parts = expected.Split(" | ");
        Assert.Equal(parts[0], stored.Str("value"));
        Assert.Equal(parts.Length > 1 ? parts[1] : null, stored.GetProperty("qualifier").GetString());
        Assert.Equal(type, stored.Str("type"));
    }

    // at, timeZone → the moment as stored (in the zone's offset), or "!field".
    [Theory]
    [InlineData(Seen, "Asia/Almaty", "2026-10-05T14:03:12+05:00")]
    [InlineData("2026-10-05T11:03:12+02:00", "europe/berlin", "2026-10-05T11:03:12+02:00")]
    [InlineData(null, "Asia/Almaty", "!at")]
    [InlineData(null, null, "!at")]
    [InlineData(Seen, null, "!timeZone")]
    [InlineData(Seen, "Central Asia Standard Time", "!timeZone")]
    [InlineData(Seen, "Mars/Olympus", "!timeZone")]
    [InlineData("2999-01-01T00:00:00Z", "UTC", "!at")]
    public async Task An_ip_address_needs_the_exact_time_and_its_iana_zone(string? at, string? zone, string expected)
    {
        var identifier = new JsonObject { ["type"] = "ip-address", ["value"] = "198.51.100.23", ["at"] = at, ["timeZone"] = zone };

        if (expected.StartsWith('!'))
        {
            var errors = await RefusedAsync(identifier);
            Assert.Equal([$"content.identifiers[0].{expected[1..]}"], errors.Keys);
            if (expected == "!at" && at is null)
            {
                Assert.Contains("without the time", errors.Values.Single()[0], StringComparison.Ordinal);
            }

            return;
        }

        var stored = (await RegisteredAsync(identifier)).GetProperty("content").GetProperty("identifiers")[0];
        Assert.Equal(expected, stored.Str("at"));
        Assert.Equal(DateTimeOffset.Parse(at!, CultureInfo.InvariantCulture), DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Other_identifiers_take_a_time_when_given_and_drop_a_zone_without_one()
    {
        var stored = (await RegisteredAsync(
            new JsonObject { ["type"] = "email", ["value"] = "someone@example.com", ["timeZone"] = "Asia/Almaty" },
            new JsonObject { ["type"] = "phone", ["value"] = "+77012345678", ["at"] = Seen, ["timeZone"] = "UTC" }))
            .GetProperty("content").GetProperty("identifiers");

        Assert.Equal(JsonValueKind.Null, stored[0].GetProperty("timeZone").ValueKind);
        Assert.Equal("UTC", stored[1].Str("timeZone"));
    }

    [Fact]
    public async Task Each_identifier_says_what_data_it_wants_over_which_period_checked_like_the_item()
    {
        var errors = await RefusedAsync(
            new JsonObject
            {
                ["type"] = "phone", ["value"] = "+77012345678", ["data"] = new JsonArray("subscriber-data", "dna"),
            },
            new JsonObject
            {
                ["type"] = "email", ["value"] = "someone@example.com",
                ["period"] = new JsonObject { ["from"] = "2026-10-31", ["to"] = "2026-10-01" },
            },
            new JsonObject
            {
                ["type"] = "domain", ["value"] = "example.com",
                ["period"] = new JsonObject { ["from"] = "2026-10-01", ["to"] = "2999-01-01" },
            });
        Assert.Equal(
            ["content.identifiers[0].data", "content.identifiers[1].period", "content.identifiers[2].period"], errors.Keys.Order());

        var stored = (await RegisteredAsync(new JsonObject
        {
            ["type"] = "phone", ["value"] = "+77012345678", ["data"] = new JsonArray("subscriber-data", "traffic-data"),
            ["period"] = new JsonObject { ["from"] = "2026-09-01", ["to"] = "2026-09-30" },
        })).GetProperty("content").GetProperty("identifiers")[0];
        Assert.Equal(["subscriber-data", "traffic-data"], stored.GetProperty("data").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("2026-09-01", stored.GetProperty("period").Str("from"));
        Assert.Equal("2026-09-30", stored.GetProperty("period").Str("to"));
    }

    [Fact]
    public async Task At_most_fifty_identifiers_and_no_identifier_twice()
    {
        JsonObject[] Domains(int count) =>
            [.. Enumerable.Range(0, count).Select(i => new JsonObject { ["type"] = "domain", ["value"] = $"host{i}.example.com" })];
        Assert.Equal(["content.identifiers"], (await RefusedAsync(Domains(51))).Keys);

        var twice = await RefusedAsync(
            new JsonObject { ["type"] = "phone", ["value"] = "+77012345678" },
            new JsonObject { ["type"] = "phone", ["value"] = "8 701 234-56-78" });
        Assert.Equal(["content.identifiers[1].value"], twice.Keys);

        var fifty = await RegisteredAsync(Domains(50));
        Assert.Equal(50, fifty.GetProperty("content").GetProperty("identifiers").GetArrayLength());
    }

    [Fact]
    public async Task Each_identifier_has_a_stable_key_of_its_type_and_normal_value()
    {
        var item = await RegisteredAsync(
            new JsonObject
            {
                ["type"] = "ip-address", ["value"] = "203.0.113.7", ["qualifier"] = "443", ["at"] = Seen, ["timeZone"] = "UTC",
            },
            new JsonObject { ["type"] = "email", ["value"] = "John.Doe@Example.COM" },
            new JsonObject { ["type"] = "account", ["value"] = "Some.User", ["qualifier"] = "Telegram" },
            new JsonObject { ["type"] = "payment-card", ["value"] = "4111 1111 1111 1111" });

        Assert.Equal(
            ["ip-address:203.0.113.7", "email:john.doe@example.com", "account:telegram/some.user", "payment-card:4111111111111111"],
            item.GetProperty("identifierKeys").EnumerateArray().Select(k => k.GetString()));
    }

    [Theory]
    [InlineData("payment-card", "4111111111111111", "**** 1111")]
    [InlineData("iban", "KZ86125KZT5004100100", "**** 0100")]
    [InlineData("phone", "+77012345678", "+77012345678")]
    public void Lists_show_a_card_or_an_iban_by_its_last_four_only(string type, string value, string shown)
    {
        Assert.True(Ncp.Api.Infrastructure.Http.ApiEnum<Ncp.Api.Cases.IdentifierType>.TryParse(type, out var parsed));
        Assert.Equal(shown, Ncp.Api.Cases.Registering.Identifiers.Masked(new(parsed, value, null, null, null, [], null)));
    }

    private async Task<JsonElement> RegisteredAsync(params JsonObject[] identifiers) =>
        await ncp.ClientFor("duty").RegisterAsync(WithIdentifiers(identifiers));

    private async Task<Dictionary<string, string[]>> RefusedAsync(params JsonObject[] identifiers)
    {
        var problem = await ncp.ClientFor("duty").RegisterAsync(WithIdentifiers(identifiers), HttpStatusCode.BadRequest);
        return problem.GetProperty("errors").EnumerateObject()
            .ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(m => m.GetString()!).ToArray());
    }

    private static JsonObject WithIdentifiers(JsonObject[] identifiers)
    {
        var body = ItemsApi.OutgoingRequest(subject: "Identifiers");
        body["content"] = new JsonObject { ["identifiers"] = new JsonArray([.. identifiers]) };
        return body;
    }
}
