using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ncp.Api.Infrastructure.Http;

/// <summary>The JSON the API speaks: camelCase properties, kebab-case enum values ("outgoing", "24-7", "cis-bkbop").</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        return options;
    }
}

/// <summary>Parses and names enum values the way the API spells them, for field-by-field validation.</summary>
public static class ApiEnum<TEnum>
    where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<string, TEnum> ByName = Enum.GetValues<TEnum>().ToFrozenDictionary(NameOf, StringComparer.OrdinalIgnoreCase);

    public static string Names { get; } = string.Join(", ", Enum.GetValues<TEnum>().Select(NameOf));

    public static bool TryParse(string? value, out TEnum result)
    {
        result = default;
        return value is not null && ByName.TryGetValue(value, out result);
    }

    public static string NameOf(TEnum value)
    {
        var name = value.ToString();
        return typeof(TEnum).GetField(name)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? JsonNamingPolicy.KebabCaseLower.ConvertName(name);
    }
}
