using System.Globalization;

namespace Ncp.Api.Infrastructure.Http;

/// <summary>Stream versions as entity tags: <c>ETag: "7"</c> out, <c>If-Match: "7"</c> in.</summary>
public static class ETags
{
    public static string Of(long version) => $"\"{version}\"";

    /// <returns>False when If-Match is present but is not one version tag; <paramref name="version"/> is null when absent.</returns>
    public static bool TryReadIfMatch(HttpRequest request, out long? version)
    {
        version = null;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return true;
        }

        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (tag.Length > 2 && tag[0] == '"' && tag[^1] == '"'
            && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
