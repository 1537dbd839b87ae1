namespace Ncp.Api.Ui.Infrastructure;

/// <summary>The web UI's settings: <c>Ui:*</c> in configuration.</summary>
public sealed class UiSettings
{
    public const string Section = "Ui";

    /// <summary>Where the UI calls the Api; by default this server's own address (see <see cref="ApiAddress"/>).</summary>
    public string? ApiBaseAddress { get; set; }

    /// <summary>The officers' time zone until one chooses another; unset, the unit's own zone (<c>Register:TimeZone</c>).</summary>
    public string? DefaultTimeZone { get; set; }

    /// <summary>
    /// How dates read in English (a .NET date pattern such as <c>dd/MM/yyyy</c>); unset, the unit's dd.MM.yyyy as in
    /// Kazakh and Russian. Times are always on the 24-hour clock (<see cref="UiFormats"/>).
    /// </summary>
    public string? EnglishDateFormat { get; set; }
}
