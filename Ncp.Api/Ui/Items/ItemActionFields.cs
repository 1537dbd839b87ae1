using Ncp.Api.Cases;
using Ncp.Api.Cases.Reading;
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

    /// <summary>The partner's acknowledgement of a preservation: its reference and the date it preserves until.</summary>
    PreservationAcknowledged,

    /// <summary>A correction of what the answer brought, with its reason.</summary>
    Outcome,
}

public static class ItemActionFieldNames
{
    /// <summary>What the partner's acknowledgement of our item records: of a preservation, also until when it preserves.</summary>
    public static ItemActionFields AcknowledgedByPartner(ItemResource item) =>
        item.Content?.Form == RequestForm.Preservation || item.RequestedData.Contains(RequestedData.Preservation)
            ? ItemActionFields.PreservationAcknowledged
            : ItemActionFields.PartnerReference;

    /// <summary>Whether the dialog shows a field for one of the problem's field errors (else the page shows the problem).</summary>
    public static bool HasFieldsFor(this ItemActionFields fields, ApiProblem problem)
    {
        string[] names = fields switch
        {
            ItemActionFields.Reason or ItemActionFields.Remind => ["reason"],
            ItemActionFields.Note => ["text"],
            ItemActionFields.PartnerReference => ["partnerReference"],
            ItemActionFields.Answer => ["extent", "summary", .. OutcomeFields.FieldNames],
            ItemActionFields.Outcome => ["reason", .. OutcomeFields.FieldNames],
            ItemActionFields.Extend => ["deadline", "until", "reason"],
            ItemActionFields.Link => ["targetNumber", "type"],
            ItemActionFields.Assign => ["officerId"],
            ItemActionFields.Forward => ["partnerCode", "channel", "consentReference"],
            ItemActionFields.PreservationAcknowledged => ["partnerReference", "preservedUntil"],
            _ => [],
        };
        return names.Any(problem.HasError);
    }
}
