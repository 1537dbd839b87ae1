namespace Ncp.Api.Cases.Chaining;

/// <summary>How long a partner is taken to preserve and how early we are warned: <c>Preservation:*</c> in configuration.</summary>
public sealed class PreservationSettings
{
    public const string Section = "Preservation";

    /// <summary>The term assumed when the partner acknowledged without a date: art. 29(7)'s period.</summary>
    public int DefaultDays { get; set; } = 90;

    /// <summary>How long before the expiry the people concerned are told, when the chain's answer is expected later.</summary>
    public int WarnDaysBefore { get; set; } = 14;

    /// <summary>The further period a one-click extension asks for (art. 29(7): e.g. 90 + 90 days).</summary>
    public int ExtensionDays { get; set; } = 90;

    public TimeSpan WarnBefore => TimeSpan.FromDays(WarnDaysBefore);

    /// <summary>The terms of an acknowledgement, with the date the officer gave, if any.</summary>
    public PreservationTerms Terms(DateTimeOffset? until) => new(until, TimeSpan.FromDays(DefaultDays), WarnBefore);
}

public static class ChainingSetup
{
    public static IServiceCollection AddChaining(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(
            configuration.GetSection(PreservationSettings.Section).Get<PreservationSettings>() ?? new PreservationSettings());
}
