using Ncp.Api.Ui.Infrastructure;

namespace Ncp.Api.Ui.Items;

/// <summary>Which fields an action's dialog asks for (its endpoint's body).</summary>
public enum ItemActionFields
{
    None,
    Reason,
    Note,
    PartnerReference,
    Answer,
    Extend,
    Link,
    Assign,
    Remind,
    Forward,
}

public static class ItemActionFieldNames
{
    /// <summary>Whether the dialog shows a field for one of the problem's field errors (else the page shows the problem).</summary>
    public static bool HasFieldsFor(this ItemActionFields fields, ApiProblem problem)
    {
        string[] names = fields switch
        {
            ItemActionFields.Reason or ItemActionFields.Remind => ["reason"],
            ItemActionFields.Note => ["text"],
            ItemActionFields.PartnerReference => ["partnerReference"],
            ItemActionFields.Answer => ["extent", "summary"],
            ItemActionFields.Extend => ["deadline", "until", "reason"],
            ItemActionFields.Link => ["targetNumber", "type"],
            ItemActionFields.Assign => ["officerId"],
            ItemActionFields.Forward => ["partnerCode", "channel", "consentReference"],
            _ => [],
        };
        return names.Any(problem.HasError);
    }
}
