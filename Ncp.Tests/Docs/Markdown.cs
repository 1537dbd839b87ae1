using System.Text.RegularExpressions;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Docs;

/// <summary>A fenced block of a document: where it starts, its info string (<c>sh example try-it</c>) and its text.</summary>
public sealed record FencedBlock(string File, int Line, string Info, string Text)
{
    public string Language => Info.Split(' ', 2)[0];

    /// <summary>Run by <see cref="DocumentedExamplesTests"/>: the info string's second word is <c>example</c>.</summary>
    public bool IsExample => Info.Split(' ') is [_, "example", ..];

    public string Name => Info.Split(' ') is [_, "example", var name, ..] ? name : $"{File}:{Line}";

    public override string ToString() => $"{File}:{Line} ({Info})";
}

/// <summary>Reads the project's Markdown files as the tests need them: fenced blocks, tables, inline code.</summary>
public static partial class Markdown
{
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(TestServers.RepositoryRoot, relativePath));

    public static IReadOnlyList<FencedBlock> Blocks(string relativePath)
    {
        var blocks = new List<FencedBlock>();
        var lines = Read(relativePath).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var start = i;
            var end = Array.FindIndex(lines, i + 1, l => l.TrimEnd() == "```");
            Assert.True(end > 0, $"{relativePath}:{start + 1}: a fenced block that does not end");
            blocks.Add(new FencedBlock(relativePath, start + 1, lines[start][3..].Trim(), string.Join('\n', lines[(start + 1)..end])));
            i = end;
        }

        return blocks;
    }

    /// <summary>The rows of the first table under the heading <paramref name="heading"/>, as cells.</summary>
    public static IReadOnlyList<string[]> TableUnder(string relativePath, string heading)
    {
        var lines = Read(relativePath).Split('\n');
        var at = Array.FindIndex(lines, l => l.TrimStart('#', ' ').Trim() == heading && l.StartsWith('#'));
        Assert.True(at >= 0, $"{relativePath} has no heading '{heading}'");
        return lines.Skip(at + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|'))
            .Skip(2) // the header and its |---| line
            .Select(l => l.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray())
            .ToList();
    }

    /// <summary>Every <c>`code`</c> span of a text.</summary>
    public static IEnumerable<string> CodeSpans(string text) => CodeSpan().Matches(text).Select(m => m.Groups[1].Value);

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex CodeSpan();
}
