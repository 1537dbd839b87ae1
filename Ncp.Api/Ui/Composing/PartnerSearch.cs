using System.Globalization;
using System.Collections.Concurrent;
using Ncp.Api.Partners.Directory;

namespace Ncp.Api.Ui.Composing;

/// <summary>
/// Finding a partner as an officer thinks of it: by its code, its unit's name, or its country's name in any of the UI's
/// languages ("Germ", "Герм" and "DE" all find Germany's desk), whatever language the officer works in.
/// </summary>
public static class PartnerSearch
{
    private static readonly string[] Languages = ["en", "ru", "kk"];
    private static readonly ConcurrentDictionary<(string Country, string Language), string> Names = new();

    /// <summary>The partners the text matches, those whose code starts with it first, then by code.</summary>
    public static IEnumerable<PartnerResource> Find(IEnumerable<PartnerResource> partners, string? text)
    {
        var wanted = text?.Trim() ?? "";
        return partners
            .Where(p => wanted.Length == 0 || Words(p).Any(w => w.Contains(wanted, StringComparison.CurrentCultureIgnoreCase)))
            .OrderBy(p => p.Code.StartsWith(wanted, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(p => p.Code, StringComparer.Ordinal);
    }

    /// <summary>The country's name in the officer's language, e.g. "Германия" for DE in Russian.</summary>
    public static string CountryName(string country) => CountryName(country, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);

    private static IEnumerable<string> Words(PartnerResource p) =>
        Languages.Select(l => CountryName(p.Profile.Country, l)).Prepend(p.Profile.Country).Prepend(p.Profile.Name).Prepend(p.Code);

    /// <summary>
    /// ICU's name of the region, read from a culture of that region shown in the wanted language: .NET gives a region's
    /// own name (RegionInfo.DisplayName) only in its native language, but a culture's display name in the UI's.
    /// </summary>
    public static string CountryName(string country, string language) => Names.GetOrAdd((country, language), key =>
    {
        var ui = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(key.Language);
            var shown = new CultureInfo("en-" + key.Country).DisplayName;
            var (open, close) = (shown.LastIndexOf('('), shown.LastIndexOf(')'));
            return open >= 0 && close > open ? shown[(open + 1)..close] : key.Country;
        }
        catch (CultureNotFoundException)
        {
            return key.Country;
        }
        finally
        {
            CultureInfo.CurrentUICulture = ui;
        }
    });
}
