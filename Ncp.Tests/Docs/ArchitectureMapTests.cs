using System.Reflection;
using System.Text.RegularExpressions;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Docs;

/// <summary>docs/architecture.md answers "where does X live?": what it names must be there.</summary>
public sealed partial class ArchitectureMapTests
{
    private const string Architecture = "docs/architecture.md";

    [Fact]
    public void Each_first_question_names_files_that_exist_and_a_test_that_exists_in_the_file_named()
    {
        var rows = Markdown.TableUnder(Architecture, "Where does X live? The first questions");
        var tests = typeof(ArchitectureMapTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.GetCustomAttributes<FactAttribute>().Any()))
            .Select(m => m.Name)
            .ToHashSet();
        var wrong = new List<string>();

        foreach (var row in rows)
        {
            Assert.True(row.Length == 3, $"{Architecture}: a row is not question | file | test: {string.Join(" | ", row)}");
            var files = Markdown.CodeSpans(row[1]).ToList();
            var test = Markdown.CodeSpans(row[2]).ToList();
            if (files.Count == 0 || test.Count != 2)
            {
                wrong.Add($"{row[0]}: names no file, or not a test file and a test method");
                continue;
            }

            string InRepository(string path) => Path.Combine(TestServers.RepositoryRoot, path);
            wrong.AddRange(files.Append(test[0]).Where(f => !File.Exists(InRepository(f))).Select(f => $"{row[0]}: {f} does not exist"));
            if (File.Exists(InRepository(test[0]))
                && !(tests.Contains(test[1]) && File.ReadAllText(InRepository(test[0])).Contains($" {test[1]}(", StringComparison.Ordinal)))
            {
                wrong.Add($"{row[0]}: {test[0]} has no test {test[1]}");
            }
        }

        Assert.True(rows.Count >= 10, $"{Architecture} answers {rows.Count} first questions; a newcomer asks at least ten");
        Assert.Empty(wrong);
    }

    [Fact]
    public void Every_file_and_folder_the_architecture_page_names_exists()
    {
        var missing = Markdown.CodeSpans(Markdown.Read(Architecture))
            .Where(span => ProjectPath().IsMatch(span) && !span.Contains('<', StringComparison.Ordinal))
            .Distinct()
            .Where(path => !Path.Exists(Path.Combine(TestServers.RepositoryRoot, path)));

        Assert.Empty(missing);
    }

    [GeneratedRegex(@"^(Ncp\.[A-Za-z]+|infra|docs)/\S+$")]
    private static partial Regex ProjectPath();
}
