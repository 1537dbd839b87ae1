using MudBlazor;

namespace Ncp.Api.Ui.Layout;

/// <summary>
/// MudBlazor's palette darkened where its defaults fall below WCAG AA contrast (4.5:1 for text on the colour):
/// urgency chips and alerts carry white text on these.
/// </summary>
public static class NcpTheme
{
    public static readonly MudTheme Light = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0b4f8a",
            Secondary = "#5c4a8a",
            Tertiary = "#00695c",
            Info = "#01579b",
            Success = "#1b5e20",
            Warning = "#8a4500",
            Error = "#b3261e",
            AppbarBackground = "#0b3d6e",
            TextSecondary = "rgba(0,0,0,0.70)",
            ActionDefault = "rgba(0,0,0,0.70)",
        },

        // Capitals are harder to read, in Cyrillic above all.
        Typography = new Typography { Button = new ButtonTypography { TextTransform = "none" } },
    };
}
