using Ncp.Api.Cases;

namespace Ncp.Tests.Cases;

/// <summary>A decider table as theory rows: one row a cell (item, row, column, expected).</summary>
internal static class DeciderTable
{
    public static TheoryData<string, string, string, string> Of(
        string[] columns, Direction direction, WorkItemKind kind, Dictionary<string, string[]> rows)
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (row, cells) in rows)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                data.Add($"{direction}:{kind}", row, columns[i], cells[i]);
            }
        }

        return data;
    }
}
