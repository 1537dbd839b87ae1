using System.Net;
using System.Text.Json;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>What an Api call gave back: the value, or the RFC 9457 problem the Api answered with.</summary>
public sealed record ApiResult<T>(T? Value, ApiProblem? Problem, long? Version = null)
{
    public bool Succeeded => Problem is null;

    public static ApiResult<T> Failed(ApiProblem problem) => new(default, problem);
}

/// <summary>
/// An Api refusal as the pages show it: a status, a title and detail from the Api, the rule it names (409), and the
/// invalid fields (400/422) to show beside each field.
/// </summary>
public sealed record ApiProblem(
    int Status,
    string Title,
    string? Detail = null,
    string? Rule = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    string? TraceId = null)
{
    public const string StaleVersion = "stale-version";

    public IReadOnlyDictionary<string, string[]> FieldErrors => Errors ?? new Dictionary<string, string[]>();

    /// <summary>A colleague (or the system) changed the item since the page loaded it: reload, then try again.</summary>
    public bool IsStale => Status == (int)HttpStatusCode.Conflict && Rule == StaleVersion;

    public bool IsForbidden => Status == (int)HttpStatusCode.Forbidden;

    public bool IsNotFound => Status == (int)HttpStatusCode.NotFound;

    public bool IsUnavailable => Status is 0 or (int)HttpStatusCode.ServiceUnavailable;

    public bool HasError(string field) => ErrorsFor(field).Length > 0;

    /// <summary>The messages for one field; the Api names fields in camelCase JSON paths ("partnerCode", "dataPeriod.from").</summary>
    public string[] ErrorsFor(string field) =>
        FieldErrors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value ?? [];

    /// <summary>For MudBlazor's ErrorText: the field's messages on one line, or null.</summary>
    public string? ErrorText(string field) => ErrorsFor(field) is { Length: > 0 } messages ? string.Join(" ", messages) : null;

    /// <summary>Reads a problem+json body; anything else becomes a problem named by its status.</summary>
    public static ApiProblem Read(HttpStatusCode status, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                return new ApiProblem(
                    (int)status,
                    Text(root, "title") ?? status.ToString(),
                    Text(root, "detail"),
                    Text(root, "rule"),
                    root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
                        ? errors.EnumerateObject().ToDictionary(
                            e => e.Name,
                            e => e.Value.ValueKind == JsonValueKind.Array ? [.. e.Value.EnumerateArray().Select(m => m.GetString() ?? "")] : new[] { e.Value.ToString() })
                        : null,
                    Text(root, "traceId"));
            }
        }
        catch (JsonException)
        {
        }

        return new ApiProblem((int)status, status.ToString());
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
