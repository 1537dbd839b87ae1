using System.Text.RegularExpressions;
using Ncp.Api.Cases.Listing;

namespace Ncp.Api.Ui.Composing;

/// <summary>What to look for among open items before a new request goes out: the identifiers a subject names.</summary>
public static partial class DuplicateSearch
{
    public const int MaxSearches = 3;

    // Addresses, accounts, phone numbers, domains: a token with a digit, an @ or a dot, long enough to mean something.
    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}.@:_/+-]{4,}[\p{L}\p{N}]")]
    private static partial Regex Token();

    public static IEnumerable<string> IdentifiersIn(string? subject, string? caseNumber)
    {
        var tokens = Token().Matches(subject ?? "").Select(m => m.Value)
            .Where(t => t.Any(char.IsDigit) || t.Contains('@') || t.Contains('.'))
            .Where(t => t.Length >= ItemFilter.MinSearchLength);
        if (!string.IsNullOrWhiteSpace(caseNumber) && caseNumber.Trim().Length >= ItemFilter.MinSearchLength)
        {
            tokens = tokens.Prepend(caseNumber.Trim());
        }

        return tokens.Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxSearches);
    }
}
