using System.Globalization;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Corresponding;
using Ncp.Api.Cases.Registering;

namespace Ncp.Tests.Cases.Corresponding;

/// <summary>
/// What a partner's mail names, read as an officer would: each row a mail (en/ru, our own form, free text, signatures,
/// version strings, dates and reference numbers) and every identifier it must yield, written as its key, an IP address's
/// port and the instant in UTC with the zone it was given in; nothing else may come out.
/// </summary>
public sealed class MailIdentifiersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly NotIdentifiers Own = new(["cyber247@bka.de", "ncp@ncp.example"], ["+49 611 55 12345", "+7 717 000 00 00"]);

    public static TheoryData<string, string, string[]> Mails => new()
    {
        {
            "Preservation request: fraud",
            "Dear colleagues,\nplease preserve subscriber and traffic data for the IP address 198.51.100.23 used on "
                + "2026-10-05 14:03:12 +05:00 (Asia/Almaty).\nThe victim paid to IBAN DE89 3704 0044 0532 0130 00.\n"
                + "Best regards,\nBKA 24/7\ncyber247@bka.de\nTel. +49 611 55 12345\nhttps://www.bka.de/cybercrime",
            ["ip-address:198.51.100.23 @2026-10-05T09:03:12Z Asia/Almaty", "iban:DE89370400440532013000"]
        },
        {
            "Запрос о сохранении данных",
            "Уважаемые коллеги!\nПросим обеспечить сохранность данных об абоненте, использовавшем IP-адрес 203.0.113.45 "
                + "05.10.2026 в 14:03:12 (МСК).\nТелефон злоумышленника: 8 701 234 56 78, e-mail: moshennik@mail.example\n"
                + "Карта получателя: 4111 1111 1111 1111.\nС уважением, дежурная часть",
            ["ip-address:203.0.113.45 @2026-10-05T11:03:12Z Europe/Moscow", "phone:+77012345678", "email:moshennik@mail.example",
                "payment-card:4111111111111111"]
        },
        {
            "Re: KZ-NCP-2026-000123 request",
            "Our own form, quoted back by the partner:\n> 6.1 IP address: 203.0.113.7, port 443\n"
                + ">     Time: 2026-11-30 14:05:09 +05:00 (Asia/Almaty) = 09:05:09 UTC\n>     Data requested: subscriber data\n"
                + "> 6.2 Phone number: +77012345678\n> 6.3 Crypto wallet: bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, chain bitcoin",
            ["ip-address:203.0.113.7:443 @2026-11-30T09:05:09Z Asia/Almaty", "phone:+77012345678",
                "crypto-wallet:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"]
        },
        {
            "Запрос",
            "6.1 IP-адрес: 2001:db8::1f, порт 8080\n    Время: 2026-11-02 10:00:00 +03:00 (Europe/Moscow) = 07:00:00 UTC\n"
                + "6.2 Доменное имя: пример.рф",
            ["ip-address:2001:db8::1f:8080 @2026-11-02T07:00:00Z Europe/Moscow", "domain:xn--e1afmkfd.xn--p1ai"]
        },
        {
            "Logs",
            "Connections from 192.0.2.10:51234 at 2026-10-05T09:03:12Z and from [2001:db8::abcd]:443 at 2026-10-05T09:04:00Z.",
            ["ip-address:192.0.2.10:51234 @2026-10-05T09:03:12Z UTC", "ip-address:2001:db8::abcd:443 @2026-10-05T09:04:00Z UTC"]
        },
        {
            "IP without a zone",
            "The suspect used IP 198.51.100.99 on 05.10.2026 14:03 (local time).",
            ["ip-address:198.51.100.99"]
        },
        {
            "Several addresses",
            "IP addresses: 198.51.100.1, 198.51.100.2 and 198.51.100.3 (no times available)",
            ["ip-address:198.51.100.1", "ip-address:198.51.100.2", "ip-address:198.51.100.3"]
        },
        {
            "Ransomware",
            "Payment to BTC wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT; a second demand named USDT (TRC20) "
                + "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW. Leak site: http://leaks.example.onion.example/victims.\nDomain: evil-shop.example",
            ["crypto-wallet:1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "crypto-wallet:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW",
                "url:http://leaks.example.onion.example/victims", "domain:evil-shop.example"]
        },
        {
            "ETH",
            "Funds moved to ETH 0x52908400098527886E0F7030069857D2E4169EE7 on 2026-10-01.",
            ["crypto-wallet:0x52908400098527886e0f7030069857d2e4169ee7"]
        },
        {
            "Phishing",
            "The phishing mail came from support@secure-bank.example, calling back to +44 20 7946 0958.",
            ["email:support@secure-bank.example", "phone:+442079460958"]
        },
        // What must not come out: versions, dates, offsets, references, our own and the partner's addresses and phones.
        {
            "Software",
            "The victim runs AcmeVPN 2.10.3.4 (build 5512), Chrome 120.0.0.1, firmware version 1.2.3.4, updated to 10.4.2.1 on "
                + "2026-10-05 14:00 UTC; версия ПО 3.2.1.0.",
            []
        },
        {
            "Dates and numbers",
            "Case 2026/1234-56, our ref. KZ-NCP-2026-000012, your ref. 123456789012345, OID 1.3.6.1.4.1.311, on 05.10.2026 "
                + "at 14:03 UTC+5 2026-10-05 14:03, invoice 1234567890123 and order 4111111111111112.",
            []
        },
        {
            "Signature",
            "Answer attached.\n--\nBKA 24/7 desk, cyber247@bka.de, +49 611 55 12345, https://www.bka.de\nMessage-ID: <abc@mail.example>\n"
                + "From: ncp@ncp.example\nPhone of the NCP: +7 717 000 00 00",
            []
        },
        {
            "An address with nothing to support it",
            "Section 10.1.2.3 of the manual applies.",
            []
        },
        {
            "A wallet nobody named",
            "Reference 1BoatSLRHtKNngkdXEeobR76b53LETtpyT and 0x52908400098527886e0f7030069857d2e4169ee7 for your records.",
            []
        },
        {
            "A time in the future is not the time it was seen",
            "IP 198.51.100.77 at 2027-01-05 14:03:12 UTC",
            ["ip-address:198.51.100.77"]
        },
    };

    [Theory]
    [MemberData(nameof(Mails))]
    public void A_partners_mail_yields_exactly_the_identifiers_it_names(string subject, string text, string[] expected)
    {
        var found = MailIdentifiers.Extract(subject, text, Own, Now);

        Assert.Equal(expected.Order(StringComparer.Ordinal), found.Select(Described).Order(StringComparer.Ordinal));
        Assert.All(found, i => Assert.False(string.IsNullOrWhiteSpace(i.FoundInMail)));
    }

    [Fact]
    public void Each_identifier_keeps_the_line_of_the_mail_it_was_read_from()
    {
        var found = MailIdentifiers.Extract("Request", "Hello.\nPlease check IP 198.51.100.23 used on 2026-10-05 14:03 UTC.\nThanks.",
            NotIdentifiers.None, Now);

        Assert.Equal("Please check IP 198.51.100.23 used on 2026-10-05 14:03 UTC.", Assert.Single(found).FoundInMail);
    }

    [Fact]
    public void The_same_address_named_twice_is_one_identifier_with_the_time_it_was_given()
    {
        var found = MailIdentifiers.Extract("About 198.51.100.5", "IP 198.51.100.5\nIP 198.51.100.5 seen 2026-10-05 14:03:12 UTC",
            NotIdentifiers.None, Now);

        Assert.Equal("ip-address:198.51.100.5 @2026-10-05T14:03:12Z UTC", Described(Assert.Single(found)));
    }

    [Fact]
    public void A_mail_naming_hundreds_yields_at_most_the_number_one_request_carries()
    {
        var text = string.Join('\n', Enumerable.Range(0, 300).Select(i => $"IP 10.{i / 250}.{i % 250}.1 at 2026-10-05 14:03:12 UTC"));

        Assert.Equal(Identifiers.MaxCount, MailIdentifiers.Extract("List", text, NotIdentifiers.None, Now).Length);
    }

    private static string Described(ItemIdentifier i)
    {
        var key = Identifiers.KeyOf(i) + (i.Type == IdentifierType.IpAddress && i.Qualifier is { } port ? $":{port}" : "");
        return i.At is { } at
            ? $"{key} @{at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} {i.TimeZone}"
            : key;
    }
}
