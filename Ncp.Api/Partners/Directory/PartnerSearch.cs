using System.Collections.Concurrent;
using System.Globalization;
using Ncp.Api.Cases;

namespace Ncp.Api.Partners.Directory;

/// <summary>
/// Finds a partner the way an officer names it: by code, unit name, country code or the country's name in any of the
/// officer languages, typed in Cyrillic or Latin letters, in any case ("Герм", "germ" and "Германия" find DE-CYBER247).
/// The same folding as the item list's search (<see cref="Transliteration"/>), so both boxes behave alike.
/// </summary>
public static class PartnerSearch
{
    /// <summary>The languages whose country names are searched: the officers' languages.</summary>
    private static readonly string[] Languages = ["en", "ru", "kk"];

    private static readonly ConcurrentDictionary<string, Dictionary<string, string>> Countries = new(StringComparer.OrdinalIgnoreCase);

    public static bool Matches(PartnerProfile partner, string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return true;
        }

        var wanted = Transliteration.ForSearch(query);
        return wanted.Length == 0 || SearchTextOf(partner).Contains(wanted, StringComparison.Ordinal);
    }

    /// <summary>The partners the text matches (as <see cref="Matches"/>), those whose code starts with it first, then by code.</summary>
    public static IEnumerable<PartnerResource> Find(IEnumerable<PartnerResource> partners, string? text)
    {
        var wanted = text?.Trim() ?? "";
        return partners
            .Where(p => Matches(p.Profile, wanted))
            .OrderBy(p => p.Profile.Code.StartsWith(wanted, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(p => p.Profile.Code, StringComparer.Ordinal);
    }

    /// <summary>The country's name in the current UI language (the officer's), else its code.</summary>
    public static string CountryName(string country) => CountryName(country, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);

    /// <summary>The country's name in one of the officer languages, else its code.</summary>
    public static string CountryName(string country, string language) => NamesOf(country).GetValueOrDefault(language) ?? country;

    private static string SearchTextOf(PartnerProfile partner) =>
        Transliteration.ForSearch(string.Join(' ', [partner.Code, partner.Name, partner.Country, .. NamesOf(partner.Country).Values]));

    /// <summary>
    /// The country's names in the officer languages (and its own), from ICU's tables, so there is no list of ours to keep up:
    /// .NET names a culture "language (country)" in the current UI language, so the part in brackets of a culture of that
    /// country is the country's name in that language.
    /// </summary>
    private static Dictionary<string, string> NamesOf(string country) => Countries.GetOrAdd(country, code =>
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var culture = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .FirstOrDefault(c => c.Name.Split('-') is [_, var region] && region.Equals(code, StringComparison.OrdinalIgnoreCase));
        if (culture is null)
        {
            return names;
        }

        names["native"] = new RegionInfo(culture.Name).NativeName;
        var before = CultureInfo.CurrentUICulture;
        try
        {
            foreach (var language in Languages)
            {
                CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
                var display = new CultureInfo(culture.Name).DisplayName;
                var open = display.LastIndexOf('(');
                if (open >= 0 && display.EndsWith(')'))
                {
                    names[language] = display[(open + 1)..^1];
                }
            }
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }

        return names;
    });
}
