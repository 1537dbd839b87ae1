using System.Globalization;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Cases.Registering;

/// <summary>
/// The files of an item being changed, and how much of them one mail may carry (<c>Correspondence:MaxAttachmentBytes</c>).
/// </summary>
public sealed record ItemFiles(IReadOnlyList<ItemAttachment> Attached, long MaxBytesPerMail);

public static partial class ItemBodyRules
{
    public const int FactsMaxLength = 20_000;
    public const int OffenceMaxLength = 500;
    public const int UrgencyReasonMaxLength = 2_000;
    public const int AuthorityMaxLength = 500;
    public const int PenaltyMaxLength = 500;
    public const int AssistanceSoughtMaxLength = 5_000;
    public const int ConfidentialityMaxLength = 2_000;

    private static RequestContent? ContentOf(
        List<FieldError> errors, ContentBody? body, WorkItemKind? kind, ItemFiles? files, DateTimeOffset now)
    {
        if (body is null)
        {
            return null;
        }

        var form = FormOf(errors, body.Form, kind);
        var identifiers = Identifiers.Check(errors, "content.identifiers", body.Identifiers, now);
        var facts = Text(errors, "content.facts", body.Facts, FactsMaxLength,
            "the summary of facts: what happened, when, and how the data asked for relates to it");
        var offence = Text(errors, "content.offence", body.Offence, OffenceMaxLength,
            "the offence and its article, e.g. Fraud, art. 190(2) of the Criminal Code");
        var urgency = Text(errors, "content.urgencyReason", body.UrgencyReason, UrgencyReasonMaxLength,
            "why it cannot wait: data about to be deleted, a life at risk");
        var attachments = AttachmentsOf(errors, body.AttachmentsToSend, files);

        LegalAssistanceDetails? legalAssistance = null;
        if (body.LegalAssistance is { } mla)
        {
            if (form != RequestForm.LegalAssistance)
            {
                errors.Add(new("content.legalAssistance", "Only a legal-assistance request carries these fields: choose the form "
                    + "legal-assistance, or leave them out."));
            }
            else
            {
                legalAssistance = new LegalAssistanceDetails(
                    Text(errors, "content.legalAssistance.requestingAuthority", mla.RequestingAuthority, AuthorityMaxLength, "who asks"),
                    Text(errors, "content.legalAssistance.requestedAuthority", mla.RequestedAuthority, AuthorityMaxLength, "who is asked"),
                    Text(errors, "content.legalAssistance.penalty", mla.Penalty, PenaltyMaxLength, "the penalty the offence carries"),
                    Text(errors, "content.legalAssistance.assistanceSought", mla.AssistanceSought, AssistanceSoughtMaxLength,
                        "the assistance asked for"),
                    Text(errors, "content.legalAssistance.confidentiality", mla.Confidentiality, ConfidentialityMaxLength,
                        "what must stay confidential"));
                legalAssistance = legalAssistance == new LegalAssistanceDetails(null, null, null, null, null) ? null : legalAssistance;
            }
        }

        return new RequestContent(form, identifiers, facts, offence, urgency, attachments, legalAssistance);
    }

    private static RequestForm FormOf(List<FieldError> errors, string? value, WorkItemKind? kind)
    {
        var allowed = kind is { } k ? RequestForms.For(k) : Enum.GetValues<RequestForm>();
        if (value is null)
        {
            return allowed[0];
        }

        if (!ApiEnum<RequestForm>.TryParse(value, out var form) || !allowed.Contains(form))
        {
            var what = kind is { } known ? $"A {ApiEnum<WorkItemKind>.NameOf(known)} follows one of" : "One of";
            errors.Add(new("content.form", $"{what}: {string.Join(", ", allowed.Select(ApiEnum<RequestForm>.NameOf))}."));
            return allowed[0];
        }

        return form;
    }

    private static string? Text(List<FieldError> errors, string field, string? value, int maxLength, string what)
    {
        var text = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (text?.Length > maxLength)
        {
            errors.Add(new(field, $"At most {maxLength} characters ({text.Length} given) for {what}; attach a longer account as a file."));
        }

        return text;
    }

    private static string[] AttachmentsOf(List<FieldError> errors, string[]? chosen, ItemFiles? files)
    {
        if (chosen is not { Length: > 0 })
        {
            return [];
        }

        if (files is null)
        {
            errors.Add(new("content.attachmentsToSend", "A new item has no files yet: register the draft, attach the file to it "
                + "(POST /api/items/{number}/attachments), then choose it here by its SHA-256 when changing the draft's details."));
            return [];
        }

        var sizes = files.Attached
            .GroupBy(f => f.Sha256, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Size, StringComparer.Ordinal);
        var picked = new List<string>();
        for (var i = 0; i < chosen.Length; i++)
        {
            var sha256 = chosen[i]?.Trim().ToLowerInvariant() ?? "";
            if (!sizes.ContainsKey(sha256))
            {
                errors.Add(new($"content.attachmentsToSend[{i}]", $"'{chosen[i]}' is not the SHA-256 of a file attached to this item; "
                    + "the item's 'attachments' list them."));
            }
            else if (!picked.Contains(sha256))
            {
                picked.Add(sha256);
            }
        }

        var total = picked.Sum(s => sizes[s]);
        if (total > files.MaxBytesPerMail)
        {
            errors.Add(new(
                "content.attachmentsToSend",
                $"The chosen files come to {Megabytes(total)}; one mail carries at most {Megabytes(files.MaxBytesPerMail)} (base64 makes "
                + "them a third larger, and mail servers commonly refuse more than 25 MB): send fewer, or the rest in another mail."));
        }

        return [.. picked];
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.##} MB");
}
