using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ncp.Api.Infrastructure.Http;

/// <summary>One invalid field of a request, named as the client spelled it (camelCase JSON path).</summary>
public sealed record FieldError(string Field, string Message)
{
    /// <summary>The one complaint about a malformed If-Match header, for every endpoint that takes one.</summary>
    public static FieldError IfMatch(string resource = "item") => new("If-Match", $"If-Match carries the {resource}'s ETag, e.g. \"3\".");

    public static ValidationProblem ToProblem(IEnumerable<FieldError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "The request has invalid fields",
            detail: "Nothing was recorded. Correct the fields named in 'errors' and send it again.");
}

public static partial class Fields
{
    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{1,31}$")]
    private static partial Regex CodePattern();

    public static bool IsCode(string value) => CodePattern().IsMatch(value);

    /// <summary>Parses the kebab-case spelling the API uses for enums ("outgoing-request" → OutgoingRequest).</summary>
    public static bool TryParseKebab<TEnum>(string value, out TEnum result)
        where TEnum : struct, Enum
    {
        result = default;
        var compact = value.Replace("-", "", StringComparison.Ordinal);
        return compact.Length > 0
            && compact.All(char.IsAsciiLetter)
            && Enum.TryParse(compact, ignoreCase: true, out result);
    }
}
