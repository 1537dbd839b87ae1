using System.Globalization;

namespace Ncp.Tests.Fixtures;

/// <summary>Reads a host's <c>/metrics</c> page the way Prometheus does.</summary>
public static class Scrape
{
    /// <summary>The sum of the samples named <paramref name="name"/> whose labels contain <paramref name="label"/>; 0 when none.</summary>
    public static async Task<double> ValueAsync(HttpClient client, string name, string label = "")
    {
        var page = await client.GetStringAsync("/metrics");
        return page.Split('\n')
            .Where(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
            .Where(line => line.Contains(label, StringComparison.Ordinal))
            .Sum(line => double.Parse(ValueOf(line[name.Length..]), CultureInfo.InvariantCulture));
    }

    // "{labels} value [timestamp]" or " value [timestamp]"; label values may hold spaces, so the value is read after the labels.
    private static string ValueOf(string rest) => rest[(rest.StartsWith('{') ? rest.LastIndexOf('}') + 1 : 0)..].Trim().Split(' ')[0];
}
