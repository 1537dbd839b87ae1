using System.Collections.Frozen;
using System.Globalization;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// The one date and time format of the UI: every culture a page renders in comes from here, so <c>ToString("g")</c>,
/// MudBlazor's pickers and anything else that asks the current culture write a moment the same way on every screen
/// (dd.MM.yyyy HH:mm in Kazakh and Russian, the unit's choice in English; always a 24-hour clock).
/// </summary>
public sealed class UiFormats
{
    public const string UnitDate = "dd.MM.yyyy";
    public const string Time = "HH:mm";
    public const string TimeWithSeconds = "HH:mm:ss";

    private readonly FrozenDictionary<string, CultureInfo> formatting;
    private readonly FrozenDictionary<string, CultureInfo> ui;

    public UiFormats(UiSettings settings)
    {
        formatting = UiCultures.Supported.ToFrozenDictionary(l => l, l => Of(UiCultures.FormattingOf(l), DatePatternOf(l, settings)));
        ui = UiCultures.Supported.ToFrozenDictionary(l => l, l => Of(l, DatePatternOf(l, settings)));
    }

    /// <summary>Dates and numbers in <paramref name="language"/> (kk, ru, en; anything else: en).</summary>
    public CultureInfo FormattingOf(string language) => formatting.GetValueOrDefault(language) ?? formatting[UiCultures.Default];

    /// <summary>The texts' culture of <paramref name="language"/>, with the same date format (components that format with it agree).</summary>
    public CultureInfo UiOf(string language) => ui.GetValueOrDefault(language) ?? ui[UiCultures.Default];

    /// <summary>Makes the officer's <paramref name="language"/> the culture of what runs from here on (this async flow).</summary>
    public void Apply(string language)
    {
        CultureInfo.CurrentCulture = FormattingOf(language);
        CultureInfo.CurrentUICulture = UiOf(language);
    }

    /// <summary>After RequestLocalization: the language it chose, in the UI's formats, for the page and the circuit it starts.</summary>
    public static async Task ApplyToRequestAsync(HttpContext http, RequestDelegate next)
    {
        http.RequestServices.GetRequiredService<UiFormats>().Apply(UiCultures.Current);
        await next(http);
    }

    /// <summary>A culture like <paramref name="name"/> but writing dates with <paramref name="datePattern"/> and a 24-hour clock.</summary>
    public static CultureInfo Of(string name, string datePattern)
    {
        var culture = (CultureInfo)CultureInfo.GetCultureInfo(name).Clone();
        var format = culture.DateTimeFormat;
        format.ShortDatePattern = datePattern;
        format.ShortTimePattern = Time;
        format.LongTimePattern = TimeWithSeconds;
        format.FullDateTimePattern = $"{format.LongDatePattern} {TimeWithSeconds}";
        return CultureInfo.ReadOnly(culture);
    }

    private static string DatePatternOf(string language, UiSettings settings) =>
        language == UiCultures.Default && !string.IsNullOrWhiteSpace(settings.EnglishDateFormat) ? settings.EnglishDateFormat : UnitDate;
}
