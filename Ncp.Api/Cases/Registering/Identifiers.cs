using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Cases.Registering;

/// <summary>
/// Checks each identifier a client sends and writes it in one normal form, so that the partner reads it as the provider
/// logs it and the same identifier in two items is recognised (<see cref="KeyOf"/>).
/// </summary>
public static partial class Identifiers
{
    public const int MaxCount = 50;
    public const int MaxValueLength = 500;
    public const int MaxQualifierLength = 100;

    // Clocks of a partner's provider and of our officer's source differ by minutes, not hours.
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(10);

    /// <summary>The identifiers of <paramref name="bodies"/>, each checked; errors are named <c>{path}[i].field</c>.</summary>
    public static ItemIdentifier[] Check(List<FieldError> errors, string path, IdentifierBody?[]? bodies, DateTimeOffset now)
    {
        if (bodies is null)
        {
            return [];
        }

        if (bodies.Length > MaxCount)
        {
            errors.Add(new(path, $"At most {MaxCount} identifiers in one request ({bodies.Length} given): split them over several "
                + "requests, or attach the list as a file."));
            return [];
        }

        var checkedOnes = new List<ItemIdentifier>();
        var firstByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < bodies.Length; i++)
        {
            if (CheckOne(errors, $"{path}[{i}]", bodies[i], now) is not { } identifier)
            {
                continue;
            }

            var key = KeyOf(identifier);
            if (firstByKey.TryAdd(key, i))
            {
                checkedOnes.Add(identifier);
            }
            else
            {
                errors.Add(new($"{path}[{i}].value", $"{identifier.Value} is already identifier {firstByKey[key]} of this request: ask "
                    + "for more data there instead."));
            }
        }

        return [.. checkedOnes];
    }

    /// <summary>
    /// The identifier's stable key, <c>"&lt;type-kebab&gt;:&lt;value&gt;"</c> (e.g. <c>ip-address:203.0.113.7</c>): the same
    /// thing in two items has the same key. Accounts carry their service (<c>account:telegram/some.user</c>: a name means
    /// nothing without it) and are compared in lower case, as services do; e-mail addresses are compared in lower case too.
    /// </summary>
    public static string KeyOf(ItemIdentifier identifier) => KeyOf(identifier.Type, identifier.Value, identifier.Qualifier);

    /// <summary>
    /// The key of a typed-in <c>type:value</c> (<c>phone:8 701 234 56 78</c>, <c>account:telegram/user</c>), written as
    /// <see cref="KeyOf(ItemIdentifier)"/> writes it.
    /// </summary>
    public static bool TryKeyOf(string text, out string key, out string error)
    {
        key = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !ApiEnum<IdentifierType>.TryParse(text[..colon], out var type))
        {
            error = $"An identifier's key is type:value, e.g. ip-address:203.0.113.7; the types: {ApiEnum<IdentifierType>.Names}.";
            return false;
        }

        var value = text[(colon + 1)..].Trim();
        string? service = null;
        if (type == IdentifierType.Account)
        {
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0)
            {
                error = "An account's key names its service: account:service/name, e.g. account:telegram/some.user.";
                return false;
            }

            (service, value) = (value[..slash], value[(slash + 1)..]);
        }

        var parsed = Normalise(type, value, qualifier: null);
        if (parsed.Error is not null || value.Length is 0 or > MaxValueLength)
        {
            error = parsed.Error ?? $"The value is 1 to {MaxValueLength} characters.";
            return false;
        }

        key = KeyOf(type, parsed.Value!, service);
        error = "";
        return true;
    }

    /// <summary>
    /// The normal form of a value read elsewhere than in a client's request (a partner's mail), or null where it fails the
    /// checks of its type: the same checks, so that what is read meets what officers type in.
    /// </summary>
    public static string? NormalFormOf(IdentifierType type, string value, string? qualifier = null) =>
        value.Length is 0 or > MaxValueLength ? null : Normalise(type, value, qualifier).Value;

    /// <summary>A chain as identifiers name it (<c>btc</c> is <c>bitcoin</c>).</summary>
    public static string ChainOf(string name) => ChainAliases.GetValueOrDefault(name.ToLowerInvariant(), name.ToLowerInvariant());

    /// <summary>The value as lists show it: a card or an IBAN only by its last four characters.</summary>
    public static string Masked(ItemIdentifier identifier) => identifier.Type is IdentifierType.PaymentCard or IdentifierType.Iban
        ? $"**** {identifier.Value[^Math.Min(4, identifier.Value.Length)..]}"
        : identifier.Value;

    private static string KeyOf(IdentifierType type, string value, string? qualifier) => type switch
    {
        IdentifierType.Account => $"account:{qualifier?.ToLowerInvariant()}/{value.ToLowerInvariant()}",
        IdentifierType.Email => $"email:{value.ToLowerInvariant()}",
        _ => $"{ApiEnum<IdentifierType>.NameOf(type)}:{value}",
    };

    private static ItemIdentifier? CheckOne(List<FieldError> errors, string path, IdentifierBody? body, DateTimeOffset now)
    {
        if (body is null)
        {
            errors.Add(new(path, """An identifier is an object, e.g. {"type": "phone", "value": "+77012345678"}."""));
            return null;
        }

        var before = errors.Count;
        IdentifierType? type = null;
        if (ApiEnum<IdentifierType>.TryParse(body.Type, out var parsedType))
        {
            type = parsedType;
        }
        else
        {
            errors.Add(new($"{path}.type", $"{(body.Type is null ? "Required" : $"'{body.Type}' is not a type")}; one of: "
                + $"{ApiEnum<IdentifierType>.Names}."));
        }

        var qualifier = string.IsNullOrWhiteSpace(body.Qualifier) ? null : body.Qualifier.Trim();
        if (qualifier?.Length > MaxQualifierLength)
        {
            errors.Add(new($"{path}.qualifier", $"The qualifier is at most {MaxQualifierLength} characters."));
            qualifier = null;
        }
        else if (type is { } t)
        {
            qualifier = QualifierOf(errors, $"{path}.qualifier", t, qualifier);
        }

        var value = body.Value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(new($"{path}.value", type is { } t ? $"Required, e.g. {Example(t)}." : "Required: the identifier itself."));
        }
        else if (value.Length > MaxValueLength)
        {
            errors.Add(new($"{path}.value", $"The value is at most {MaxValueLength} characters."));
        }
        else if (type is { } t)
        {
            var parsed = Normalise(t, value, qualifier);
            value = parsed.Value;
            if (parsed.Error is not null)
            {
                errors.Add(new($"{path}.value", parsed.Error));
            }
        }

        var (at, zone) = TimeOf(errors, path, type, body.At, body.TimeZone, now);
        var data = ItemBodyRules.RequestedDataOf(errors, $"{path}.data", body.Data, required: false);
        var period = ItemBodyRules.PeriodOf(errors, $"{path}.period", body.Period, now);
        return errors.Count == before ? new ItemIdentifier(type!.Value, value!, qualifier, at, zone, data, period) : null;
    }

    private static string? QualifierOf(List<FieldError> errors, string field, IdentifierType type, string? qualifier)
    {
        switch (type)
        {
            case IdentifierType.IpAddress:
                if (qualifier is null)
                {
                    return null;
                }

                if (int.TryParse(qualifier, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
                {
                    return port.ToString(CultureInfo.InvariantCulture);
                }

                errors.Add(new(field, "An IP address's qualifier is its port, 1 to 65535, e.g. 443; leave it out when the port is not "
                    + "known."));
                return null;
            case IdentifierType.Account:
                if (qualifier is null)
                {
                    errors.Add(new(field, "Required: the service the account is on, e.g. telegram, instagram, gmail.com; a user name "
                        + "means nothing without it."));
                }

                return qualifier?.ToLowerInvariant();
            case IdentifierType.CryptoWallet:
                if (qualifier is null)
                {
                    errors.Add(new(field, "Required: the chain the wallet is on, e.g. bitcoin, ethereum, tron; the same address can "
                        + "exist on several."));
                    return null;
                }

                return ChainOf(qualifier);
            default:
                if (qualifier is not null)
                {
                    errors.Add(new(field, "Only an IP address (its port), an account (its service) and a crypto wallet (its chain) take "
                        + "a qualifier."));
                }

                return null;
        }
    }

    private static (DateTimeOffset? At, string? Zone) TimeOf(
        List<FieldError> errors, string path, IdentifierType? type, DateTimeOffset? at, string? zoneId, DateTimeOffset now)
    {
        var ip = type == IdentifierType.IpAddress;
        if (at is null)
        {
            if (ip)
            {
                errors.Add(new($"{path}.at", "Required for an IP address: the exact time it was seen, e.g. 2026-10-05T14:03:12+05:00. "
                    + "Providers hand one address to many customers in turn; without the time they cannot say who had it."));
            }

            // A zone belongs to a time: without one there is nothing to write in it.
            return (null, null);
        }

        if (at > now + FutureTolerance)
        {
            errors.Add(new($"{path}.at", "The time it was seen cannot be in the future: check the date and the offset."));
        }

        if (string.IsNullOrWhiteSpace(zoneId))
        {
            errors.Add(new($"{path}.timeZone", "Required with a time: the IANA zone it was read in, e.g. Asia/Almaty or Europe/Berlin, "
                + "so that the partner reads the time as the log shows it."));
            return (at, null);
        }

        if (!TryFindZone(zoneId.Trim(), out var zone))
        {
            errors.Add(new($"{path}.timeZone", $"'{zoneId}' is not an IANA time zone, e.g. Asia/Almaty, Europe/Berlin or UTC."));
            return (at, null);
        }

        // The same moment, written with the zone's offset: as the officer's source showed it.
        return (TimeZoneInfo.ConvertTime(at.Value, zone), zone.Id);
    }

    internal static bool TryFindZone(string id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            // Windows names resolve too on some hosts; partners and our mail templates read IANA ids only.
            return zone.HasIanaId;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    private readonly record struct Parsed(string? Value, string? Error)
    {
        public static implicit operator Parsed(string value) => new(value, null);

        public static Parsed Fail(string error) => new(null, error);
    }

    private static string Example(IdentifierType type) => type switch
    {
        IdentifierType.IpAddress => "203.0.113.7 or 2001:db8::7",
        IdentifierType.Email => "someone@example.com",
        IdentifierType.Phone => "+77012345678",
        IdentifierType.Account => "some.user (with the service as the qualifier)",
        IdentifierType.Url => "https://example.com/page",
        IdentifierType.Domain => "example.com",
        IdentifierType.PaymentCard => "4111 1111 1111 1111",
        IdentifierType.Iban => "DE89 3704 0044 0532 0130 00",
        IdentifierType.CryptoWallet => "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq (with the chain as the qualifier)",
        IdentifierType.Imei => "490154203237518",
        _ => "250991234567890",
    };

    private static Parsed Normalise(IdentifierType type, string value, string? qualifier) => type switch
    {
        IdentifierType.IpAddress => IpAddress(value),
        IdentifierType.Email => Email(value),
        IdentifierType.Phone => Phone(value),
        IdentifierType.Account => value.Any(char.IsControl) ? Parsed.Fail("An account name is one line of printable characters.") : value,
        IdentifierType.Url => Url(value),
        IdentifierType.Domain => Domain(value) is { } domain ? domain : Parsed.Fail($"'{value}' is not a domain name, e.g. example.com "
            + "or пример.рф; a link goes as a url."),
        IdentifierType.PaymentCard => PaymentCard(value),
        IdentifierType.Iban => Iban(value),
        IdentifierType.CryptoWallet => Wallet(value, qualifier),
        IdentifierType.Imei => Imei(value),
        _ => Imsi(value),
    };

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$")]
    private static partial Regex DottedQuad();

    private static Parsed IpAddress(string value)
    {
        // .NET also reads "10.1" and octal "010.0.0.1" (as 8.0.0.1); a log never writes an address so.
        if (!System.Net.IPAddress.TryParse(value, out var address)
            || (address.AddressFamily == AddressFamily.InterNetwork && !DottedQuad().IsMatch(value))
            || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            return Parsed.Fail($"'{value}' is not an IP address, e.g. 203.0.113.7 or 2001:db8::7; the port goes in the qualifier.");
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    private static Parsed Email(string value)
    {
        if (value.Any(char.IsWhiteSpace) || value.Contains('<', StringComparison.Ordinal)
            || !MailAddress.TryCreate(value, out var address) || address.DisplayName.Length > 0 || Domain(address.Host) is not { } domain)
        {
            return Parsed.Fail($"'{value}' is not an e-mail address, e.g. someone@example.com (the address alone, without a name).");
        }

        // The part before @ is the mailbox's own business; the domain is DNS's, written as DNS knows it.
        return $"{address.User}@{domain}";
    }

    [GeneratedRegex(@"[\s\-.()/]")]
    private static partial Regex PhoneSeparators();

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex E164();

    private static Parsed Phone(string value)
    {
        var compact = PhoneSeparators().Replace(value, "");
        if (compact.StartsWith("00", StringComparison.Ordinal))
        {
            compact = "+" + compact[2..];
        }
        else if (compact.Length == 11 && compact[0] == '8' && compact.All(char.IsAsciiDigit))
        {
            // The national form of Kazakhstan (and Russia): 8 then the ten digits after +7.
            compact = "+7" + compact[1..];
        }

        return E164().IsMatch(compact)
            ? compact
            : Parsed.Fail($"'{value}' is not a phone number in international form: + and the country code, 8 to 15 digits, "
                + "e.g. +77012345678 (8 701 234 56 78 is read as +7 too).");
    }

    private static Parsed Url(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "ftp") || uri.Host.Length == 0)
        {
            return Parsed.Fail($"'{value}' is not a full link: http://, https:// or ftp://, a host and a path, e.g. "
                + "https://example.com/page.");
        }

        if (uri.HostNameType != UriHostNameType.Dns)
        {
            return uri.AbsoluteUri;
        }

        if (Domain(uri.Host) is not { } host)
        {
            return Parsed.Fail($"The host of '{value}' is not a domain name, e.g. example.com.");
        }

        return new UriBuilder(uri) { Host = host }.Uri.AbsoluteUri;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DomainLabel();

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>The name in lower-case ASCII (an internationalised name in punycode), or null when it is not a host name.</summary>
    private static string? Domain(string value)
    {
        var name = value.Trim().TrimEnd('.');
        try
        {
            name = Idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }

        var labels = name.Split('.');
        return name.Length <= 253 && labels.Length >= 2 && labels.All(l => DomainLabel().IsMatch(l)) && !labels[^1].All(char.IsAsciiDigit)
            ? name
            : null;
    }

    private static string Stripped(string value, params char[] separators) =>
        string.Concat(value.Where(c => !char.IsWhiteSpace(c) && !separators.Contains(c)));

    private static Parsed PaymentCard(string value)
    {
        var digits = Stripped(value, '-');
        return digits.Length is >= 13 and <= 19 && digits.All(char.IsAsciiDigit) && Luhn(digits)
            ? digits
            : Parsed.Fail("A card number is 13 to 19 digits whose last is the check digit (Luhn), e.g. 4111 1111 1111 1111: check it "
                + "against the source.");
    }

    private static bool Luhn(string digits) => LuhnSum(digits, checkDigitIncluded: true) % 10 == 0;

    private static int LuhnSum(string digits, bool checkDigitIncluded)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[^(i + 1)] - '0';
            // From the right, every second digit is doubled; the check digit itself is not.
            if (i % 2 == (checkDigitIncluded ? 1 : 0))
            {
                digit *= 2;
                digit = digit > 9 ? digit - 9 : digit;
            }

            sum += digit;
        }

        return sum;
    }

    [GeneratedRegex("^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")]
    private static partial Regex IbanShape();

    private static Parsed Iban(string value)
    {
        var iban = Stripped(value, '-').ToUpperInvariant();
        if (!IbanShape().IsMatch(iban))
        {
            return Parsed.Fail("An IBAN is the country code, two check digits and the account, 15 to 34 letters and digits, e.g. KZ86 "
                + "125K ZT50 0410 0100.");
        }

        // ISO 13616: the country and check digits moved to the end, letters as 10..35, the whole number mod 97 is 1.
        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
        {
            var number = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = ((remainder * (number > 9 ? 100 : 10)) + number) % 97;
        }

        return remainder == 1 ? iban : Parsed.Fail($"{iban} fails the IBAN check digits: a character is wrong or missing; check it "
            + "against the source.");
    }

    private static readonly Dictionary<string, string> ChainAliases = new(StringComparer.Ordinal)
    {
        ["btc"] = "bitcoin", ["eth"] = "ethereum", ["trx"] = "tron", ["ltc"] = "litecoin", ["xmr"] = "monero", ["sol"] = "solana",
    };

    [GeneratedRegex("^0x[0-9a-fA-F]{40}$")]
    private static partial Regex EvmAddress();

    [GeneratedRegex("^(bc1[02-9ac-hj-np-z]{8,87}|[13][1-9A-HJ-NP-Za-km-z]{25,34})$")]
    private static partial Regex BitcoinAddress();

    [GeneratedRegex("^T[1-9A-HJ-NP-Za-km-z]{33}$")]
    private static partial Regex TronAddress();

    [GeneratedRegex("^[A-Za-z0-9]{20,128}$")]
    private static partial Regex AnyWallet();

    private static Parsed Wallet(string value, string? chain)
    {
        // Hex (EVM) and bech32 addresses are the same address in either case: one spelling, so that duplicates meet.
        var caseless = EvmAddress().IsMatch(value) || value.StartsWith("bc1", StringComparison.OrdinalIgnoreCase);
        var address = caseless ? value.ToLowerInvariant() : value;
        var (valid, example) = chain switch
        {
            "bitcoin" => (BitcoinAddress().IsMatch(address), "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or "
                + "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
            "ethereum" => (EvmAddress().IsMatch(address), "0x52908400098527886e0f7030069857d2e4169ee7"),
            "tron" => (TronAddress().IsMatch(address), "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW"),
            _ => (AnyWallet().IsMatch(address), "20 to 128 letters and digits"),
        };
        return valid ? address : Parsed.Fail($"'{value}' is not a{(chain is null ? "" : $" {chain}")} wallet address, e.g. {example}.");
    }

    private static Parsed Imei(string value)
    {
        var digits = Stripped(value, '-', '/');
        if (digits.Length == 14 && digits.All(char.IsAsciiDigit))
        {
            // Fourteen digits are the IMEI without its check digit, which follows from them.
            return digits + ((10 - (LuhnSum(digits, checkDigitIncluded: false) % 10)) % 10).ToString(CultureInfo.InvariantCulture);
        }

        return digits.Length == 15 && digits.All(char.IsAsciiDigit) && Luhn(digits)
            ? digits
            : Parsed.Fail("An IMEI is 15 digits whose last is the check digit (or the first 14 alone), e.g. 49-015420-323751-8; *#06# "
                + "on the phone shows it.");
    }

    private static Parsed Imsi(string value)
    {
        var digits = Stripped(value, '-');
        return digits.Length is 14 or 15 && digits.All(char.IsAsciiDigit)
            ? digits
            : Parsed.Fail("An IMSI is 14 or 15 digits: the country (3), the network (2 or 3) and the subscriber, e.g. 401011234567890.");
    }
}
