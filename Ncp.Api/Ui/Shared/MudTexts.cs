using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Ncp.Api.Ui.Shared;

/// <summary>
/// MudBlazor's own words (a required field's "Required", a chip's or alert's "Close", "Clear", the table's "Loading") in
/// the officer's language from MudTexts.ru/kk.resx; a key not translated there keeps MudBlazor's English.
/// </summary>
public sealed class MudTexts(IStringLocalizer<MudTexts> words) : MudLocalizer
{
    public override LocalizedString this[string key] => words[key];
}
