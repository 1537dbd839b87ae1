using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Reports;

/// <summary>
/// Which items a report counts, each dimension a set of values (empty: all), in the read model's spelling; the channels
/// are already cut to those the caller is cleared for.
/// </summary>
public sealed record ReportFilter(
    string[] Channels, string[] Kinds, string[] Directions, string[] Partners, string[] Countries, string[] Categories, string[] Articles,
    string[] Priorities, string[] Officers)
{
    /// <summary>The query's values in the Api's spelling (<c>channel=24-7&amp;channel=interpol</c>); errors name the field.</summary>
    public static (ReportFilter? Filter, FieldError[] Errors) Parse(
        Channel[] visible, string[]? channel, string[]? kind, string[]? direction, string[]? partner, string[]? country, string[]? category,
        string[]? article, string[]? priority, string[]? officer)
    {
        var errors = new List<FieldError>();
        var channels = Enums<Channel>("channel", channel, errors);
        var filter = new ReportFilter(
            [.. (channels.Length == 0 ? visible : channels.Where(visible.Contains)).Select(c => c.ToString())],
            Names(Enums<WorkItemKind>("kind", kind, errors)), Names(Enums<Direction>("direction", direction, errors)),
            Words(partner), CountryCodes(country, errors), Names(Enums<CrimeCategory>("category", category, errors)), Words(article),
            Names(Enums<Priority>("priority", priority, errors)), Words(officer));
        return errors.Count > 0 ? (null, [.. errors]) : (filter, []);
    }

    private static T[] Enums<T>(string field, string[]? values, List<FieldError> errors)
        where T : struct, Enum
    {
        var parsed = new List<T>();
        foreach (var value in values ?? [])
        {
            if (ApiEnum<T>.TryParse(value, out var one))
            {
                parsed.Add(one);
            }
            else
            {
                errors.Add(new(field, $"'{value}' is not one of: {ApiEnum<T>.Names}."));
            }
        }

        return [.. parsed];
    }

    // The partners' countries are kept as ISO 3166 codes in capitals; "de" finds Germany, "Germany" is a mistake said so.
    private static string[] CountryCodes(string[]? values, List<FieldError> errors)
    {
        var codes = Words(values).Select(v => v.ToUpperInvariant()).ToArray();
        errors.AddRange(codes.Where(c => c.Length != 2 || !c.All(char.IsAsciiLetterUpper))
            .Select(c => new FieldError("country", $"'{c}' is not a two-letter country code (ISO 3166-1, e.g. DE).")));
        return codes;
    }

    private static string[] Names<T>(T[] values)
        where T : struct, Enum => [.. values.Select(v => v.ToString())];

    private static string[] Words(string[]? values) => [.. (values ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim())];
}
