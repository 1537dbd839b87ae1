using System.Globalization;
using System.Net.Mail;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Partners.Keys;

namespace Ncp.Api.Partners;

public static class PartnerValidation
{
    public const int MaxAddresses = 10;
    private static readonly string[] DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public static IEnumerable<FieldError> Validate(PartnerProfile? p)
    {
        if (p is null)
        {
            yield return new("$", "A partner profile is required.");
            yield break;
        }

        if (string.IsNullOrWhiteSpace(p.Code) || !Fields.IsCode(p.Code))
        {
            yield return new("code", "A partner code is 2-32 capital letters, digits or hyphens, e.g. DE-CYBER247.");
        }

        if (string.IsNullOrWhiteSpace(p.Name) || p.Name.Length > 200)
        {
            yield return new("name", "The unit's name is required (at most 200 characters).");
        }

        if (string.IsNullOrEmpty(p.Country) || p.Country.Length != 2 || !p.Country.All(char.IsAsciiLetterUpper))
        {
            yield return new("country", "The country is an ISO 3166-1 alpha-2 code in capitals, e.g. DE.");
        }

        if (p.Channels is null || p.Channels.Length == 0 || p.Channels.Distinct().Count() != p.Channels.Length)
        {
            yield return new("channels", "At least one channel, each once; the first is the partner's main channel.");
        }

        if (p.Addresses is null || p.Addresses.Length is 0 or > MaxAddresses || p.Addresses.Any(a => !IsMailAddress(a)))
        {
            yield return new("addresses", $"1 to {MaxAddresses} mail addresses, each a plain address such as cyber247@police-de.example.");
        }

        if (p.Languages is null || p.Languages.Length == 0 || p.Languages.Any(l => l is null || l.Length != 2 || !l.All(char.IsAsciiLetterLower)))
        {
            yield return new("languages", "At least one ISO 639-1 language code in lower case, e.g. en.");
        }

        if (string.IsNullOrWhiteSpace(p.TimeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(p.TimeZone, out _))
        {
            yield return new("timeZone", "An IANA time zone, e.g. Europe/Berlin.");
        }

        if (p.OfficeHours is null
            || !TimeOnly.TryParseExact(p.OfficeHours.From, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !TimeOnly.TryParseExact(p.OfficeHours.To, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
            || from >= to
            || p.OfficeHours.Days is null || p.OfficeHours.Days.Length == 0 || p.OfficeHours.Days.Any(d => !DayNames.Contains(d)))
        {
            yield return new("officeHours", "Office hours are {\"from\":\"HH:mm\",\"to\":\"HH:mm\",\"days\":[\"mon\",...]} with from before to.");
        }

        if (p.RetentionDays is null || p.RetentionDays.SubscriberData < 1 || p.RetentionDays.TrafficData < 1 || p.RetentionDays.ContentData < 1)
        {
            yield return new("retentionDays", "Retention for subscriber-data, traffic-data and content-data, each at least 1 day.");
        }

        if (p.PreservationDays is < 1 or > 3650)
        {
            yield return new("preservationDays", "How long a preservation lasts there, 1 to 3650 days (60 under Budapest art. 29 unless the law says otherwise).");
        }

        foreach (var problem in TrustedRoots.Problems(p.TrustAnchors))
        {
            yield return new(TrustedRoots.Field, problem);
        }

        if (p.FallbackChannel is { } fallback && p.Channels is { Length: > 0 } && fallback == p.Channels[0])
        {
            yield return new("fallbackChannel", "The fallback channel must differ from the main channel.");
        }
    }

    private static bool IsMailAddress(string? address) =>
        !string.IsNullOrWhiteSpace(address) && MailAddress.TryCreate(address, out var parsed) && parsed.Address == address && parsed.DisplayName.Length == 0;
}
