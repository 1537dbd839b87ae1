using Microsoft.Extensions.Localization;

namespace Ncp.Api.Ui.Shared;

/// <summary>
/// The case domain's words in the officer's language (Terms.resx, .ru, .kk): enum values by "Type.Value"
/// (e.g. "WorkItemStatus.PartlyAnswered") and app roles by "Role.&lt;role&gt;". Inject IStringLocalizer&lt;Terms&gt;.
/// </summary>
public sealed class Terms;

public static class TermsLocalizer
{
    /// <summary>An enum value as officers call it; the value's own name if the resources lack it.</summary>
    public static string Of<TEnum>(this IStringLocalizer<Terms> terms, TEnum value)
        where TEnum : struct, Enum
    {
        var text = terms[$"{typeof(TEnum).Name}.{value}"];
        return text.ResourceNotFound ? value.ToString() : text.Value;
    }

    /// <summary>An app role (Ncp.DutyOfficer...) as officers call it.</summary>
    public static string Role(this IStringLocalizer<Terms> terms, string role)
    {
        var text = terms[$"Role.{role}"];
        return text.ResourceNotFound ? role : text.Value;
    }
}
