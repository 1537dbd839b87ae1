using System.Globalization;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Ui.Composing;

/// <summary>
/// One identifier row of the compose form as the officer types it: the time as the officer's browser shows it
/// (<c>yyyy-MM-ddTHH:mm[:ss]</c>) in the zone chosen beside it, dates as <c>yyyy-MM-dd</c>. The Api checks and normalises it.
/// </summary>
public sealed class IdentifierDraft(string timeZone)
{
    public IdentifierType Type { get; set; } = IdentifierType.IpAddress;

    public string? Value { get; set; }

    /// <summary>An IP address's port, an account's service, a wallet's chain; nothing for the other types.</summary>
    public string? Qualifier { get; set; }

    public string? At { get; set; }

    public string TimeZone { get; set; } = timeZone;

    public HashSet<RequestedData> Data { get; } = [];

    public string? PeriodFrom { get; set; }

    public string? PeriodTo { get; set; }

    public bool HasQualifier => QualifierOf(Type) is not null;

    /// <summary>Only an IP address needs the exact time it was seen: without it a provider cannot tell whose it was.</summary>
    public bool HasTime => Type == IdentifierType.IpAddress;

    public bool IsEmpty => string.IsNullOrWhiteSpace(Value);

    /// <summary>The word for what qualifies an identifier of the type (a resource key of IdentifierRows), or null.</summary>
    public static string? QualifierOf(IdentifierType type) => type switch
    {
        IdentifierType.IpAddress => "Port",
        IdentifierType.Account => "Service",
        IdentifierType.CryptoWallet => "Chain",
        _ => null,
    };

    /// <summary>
    /// The row as the Api takes it; data and period left empty are those of the request as a whole
    /// (<paramref name="data"/>, <paramref name="period"/>), so every identifier says what is asked about it and when.
    /// </summary>
    public IdentifierBody ToBody(IEnumerable<RequestedData> data, DataPeriodBody? period) => new(
        ApiEnum<IdentifierType>.NameOf(Type),
        Value?.Trim(),
        HasQualifier && !string.IsNullOrWhiteSpace(Qualifier) ? Qualifier.Trim() : null,
        HasTime ? AtInZone() : null,
        HasTime ? TimeZone : null,
        [.. (Data.Count > 0 ? Data : data).Order().Select(ApiEnum<RequestedData>.NameOf)],
        PeriodOf() ?? period);

    public DataPeriodBody? PeriodOf() =>
        string.IsNullOrEmpty(PeriodFrom) && string.IsNullOrEmpty(PeriodTo) ? null : new DataPeriodBody(DateOf(PeriodFrom), DateOf(PeriodTo));

    public static DateOnly? DateOf(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    // The wall-clock time in the chosen zone, as the instant it was there (the zone's offset at that moment, DST included).
    private DateTimeOffset? AtInZone()
    {
        if (!DateTime.TryParseExact(At, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            || !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone))
        {
            return null;
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
