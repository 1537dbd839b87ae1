using System.Globalization;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Ui.Composing;

/// <summary>
/// One identifier row of the compose form as the officer types it: the day of the time from a DayPicker, its clock time as
/// typed (<c>HH:mm[:ss]</c>, 24-hour) in the zone chosen beside it, the period's days from DayPickers. The Api checks and normalises it.
/// </summary>
public sealed class IdentifierDraft(string timeZone)
{
    public IdentifierType Type { get; set; } = IdentifierType.IpAddress;

    public string? Value { get; set; }

    /// <summary>An IP address's port, an account's service, a wallet's chain; nothing for the other types.</summary>
    public string? Qualifier { get; set; }

    public DateOnly? AtDay { get; set; }

    public string? AtTime { get; set; }

    public string TimeZone { get; set; } = timeZone;

    public HashSet<RequestedData> Data { get; } = [];

    public DateOnly? PeriodFrom { get; set; }

    public DateOnly? PeriodTo { get; set; }

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

    public DataPeriodBody? PeriodOf() => PeriodOf(PeriodFrom, PeriodTo);

    /// <summary>A period of the data with either end given, or none.</summary>
    public static DataPeriodBody? PeriodOf(DateOnly? from, DateOnly? to) => from is null && to is null ? null : new DataPeriodBody(from, to);

    // The wall-clock time in the chosen zone, as the instant it was there (the zone's offset at that moment, DST included).
    private DateTimeOffset? AtInZone()
    {
        if (AtDay is not { } day
            || !TimeOnly.TryParseExact(AtTime?.Trim(), ["H:mm", "H:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            || !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone))
        {
            return null;
        }

        var local = day.ToDateTime(time);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
