using System.Text;

namespace Ncp.Api.Cases;

/// <summary>
/// Folds a name to one searchable spelling, so that "Жанибек", "Zhanibek" and "Janibek" find each other:
/// Cyrillic (Russian and Kazakh letters) is transliterated to Latin, then the Latin spellings that
/// transliteration conventions disagree on are folded together (kh/h, zh/j, ts/c, y/j/i, ye/e, doubled letters).
/// </summary>
public static class Transliteration
{
    private static readonly Dictionary<char, string> Cyrillic = new()
    {
        ['а'] = "a", ['б'] = "b", ['в'] = "v", ['г'] = "g", ['д'] = "d", ['е'] = "e", ['ё'] = "e", ['ж'] = "zh", ['з'] = "z",
        ['и'] = "i", ['й'] = "i", ['к'] = "k", ['л'] = "l", ['м'] = "m", ['н'] = "n", ['о'] = "o", ['п'] = "p", ['р'] = "r",
        ['с'] = "s", ['т'] = "t", ['у'] = "u", ['ф'] = "f", ['х'] = "kh", ['ц'] = "ts", ['ч'] = "ch", ['ш'] = "sh", ['щ'] = "shch",
        ['ъ'] = "", ['ы'] = "y", ['ь'] = "", ['э'] = "e", ['ю'] = "yu", ['я'] = "ya",
        ['ә'] = "a", ['ғ'] = "g", ['қ'] = "k", ['ң'] = "n", ['ө'] = "o", ['ұ'] = "u", ['ү'] = "u", ['һ'] = "h", ['і'] = "i",
    };

    private static readonly (string From, string To)[] Folds =
    [
        ("x", "ks"), ("w", "v"), ("q", "k"), ("kh", "h"), ("zh", "j"), ("ts", "c"), ("tz", "c"), ("ye", "e"), ("y", "i"), ("j", "i"),
    ];

    public static string ForSearch(string text)
    {
        var latin = new StringBuilder(text.Length + 8);
        foreach (var ch in text.ToLowerInvariant())
        {
            if (Cyrillic.TryGetValue(ch, out var mapped))
            {
                latin.Append(mapped);
            }
            else if (char.IsLetterOrDigit(ch) || ch == '-' || ch == '/' || ch == '.')
            {
                latin.Append(ch);
            }
            else if (latin.Length > 0 && latin[^1] != ' ')
            {
                latin.Append(' ');
            }
        }

        var folded = latin.ToString();
        foreach (var (from, to) in Folds)
        {
            folded = folded.Replace(from, to, StringComparison.Ordinal);
        }

        var result = new StringBuilder(folded.Length);
        foreach (var ch in folded)
        {
            // Doubled letters collapse (Anna/Ana, Evgenii/Evgeni); digits never do: they are numbers.
            if (result.Length == 0 || ch != result[^1] || !char.IsLetter(ch))
            {
                result.Append(ch);
            }
        }

        return result.ToString().Trim();
    }
}
