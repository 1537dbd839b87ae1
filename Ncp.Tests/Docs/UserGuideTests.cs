using System.Reflection;
using System.Text.RegularExpressions;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Docs;

/// <summary>
/// docs/user-guide.md says what the screens do; each claim a test can check names its test in a comment after it
/// (<c>&lt;!-- checked by: ClassName.Method_name, … --&gt;</c>), and each picture it shows is one a browser test takes.
/// A renamed or deleted test, or a picture no test takes any more, fails here instead of leaving the guide unchecked.
/// </summary>
public sealed partial class UserGuideTests
{
    private const string Guide = "docs/user-guide.md";

    private const string Images = "docs/images";

    [Fact]
    public void Every_test_the_user_guide_names_as_checking_a_claim_is_a_test_of_this_project()
    {
        var tests = typeof(UserGuideTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.GetCustomAttributes<FactAttribute>().Any())
                .Select(m => $"{t.Name}.{m.Name}"))
            .ToHashSet(StringComparer.Ordinal);
        var named = CheckedBy().Matches(Markdown.Read(Guide))
            .SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();

        Assert.True(named.Count >= 60, $"{Guide} names {named.Count} checking tests; its claims were checked by more");
        var gone = named.Where(test => !tests.Contains(test)).Distinct().Select(test => $"{Guide} names {test}, which is no test").ToList();
        Assert.True(gone.Count == 0, string.Join(Environment.NewLine, gone));
    }

    [Fact]
    public void Every_picture_of_the_user_guide_is_there_and_is_taken_by_a_browser_test()
    {
        var shown = Picture().Matches(Markdown.Read(Guide)).Select(m => m.Groups[1].Value).Distinct().ToList();
        var taken = Shots().ToList();
        var wrong = new List<string>();

        foreach (var picture in shown)
        {
            if (!File.Exists(Path.Combine(TestServers.RepositoryRoot, Images, picture)))
            {
                wrong.Add($"{Guide} shows {Images}/{picture}, which is not there");
            }

            if (!taken.Any(shot => shot.Takes(Path.GetFileNameWithoutExtension(picture))))
            {
                wrong.Add($"{Guide} shows {picture}, which no test saves with Browser.ScreenshotAsync");
            }
        }

        var unused = Directory.GetFiles(Path.Combine(TestServers.RepositoryRoot, Images)).Select(Path.GetFileName)
            .Where(file => !shown.Contains(file!));
        wrong.AddRange(unused.Select(file => $"{Images}/{file} is shown by no page of the guide: take it out or show it"));
        Assert.True(shown.Count > 0, $"{Guide} shows no picture");
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    /// <summary>
    /// Every <c>Browser.ScreenshotAsync(page, "name")</c> of the tests; an interpolated name (<c>$"ru-{name}"</c>)
    /// takes a picture when its fixed parts match and what stands for the holes is a string written in the same file
    /// (the Russian day's <c>"01-dashboard"</c>, a theory's <c>"en"</c>).
    /// </summary>
    private static IEnumerable<Shot> Shots()
    {
        var tests = Path.Combine(TestServers.RepositoryRoot, "Ncp.Tests");
        foreach (var file in Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var source = File.ReadAllText(file);
            foreach (Match call in ScreenshotCall().Matches(source))
            {
                var name = call.Groups[2].Value;
                yield return call.Groups[1].Value == "$"
                    ? new Shot(new Regex("^" + string.Join("(.+)", Hole().Split(name).Select(Regex.Escape)) + "$"), source)
                    : new Shot(new Regex("^" + Regex.Escape(name) + "$"), source);
            }
        }
    }

    private sealed record Shot(Regex Name, string Source)
    {
        public bool Takes(string picture) =>
            Name.Match(picture) is { Success: true } match
            && match.Groups.Values.Skip(1).All(hole => Source.Contains($"\"{hole.Value}\"", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"<!--\s*checked by:\s*(.+?)\s*-->", RegexOptions.Singleline)]
    private static partial Regex CheckedBy();

    [GeneratedRegex(@"!\[[^\]]*\]\(images/([^)\s]+)\)")]
    private static partial Regex Picture();

    [GeneratedRegex(@"Browser\.ScreenshotAsync\(\w+,\s*(\$?)""([^""]+)""\)")]
    private static partial Regex ScreenshotCall();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Hole();
}
