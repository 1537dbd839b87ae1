using System.Text.RegularExpressions;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Partners;

namespace Ncp.Api.Cases.Registering;

public sealed record DataPeriodBody(DateOnly? From, DateOnly? To);

/// <summary>One identifier as a client sends it; <c>qualifier</c> is an IP address's port, an account's service or a wallet's chain.</summary>
public sealed record IdentifierBody(
    string? Type, string? Value, string? Qualifier, DateTimeOffset? At, string? TimeZone, string[]? Data, DataPeriodBody? Period);

public sealed record LegalAssistanceBody(
    string? RequestingAuthority, string? RequestedAuthority, string? Penalty, string? AssistanceSought, string? Confidentiality);

/// <summary>The substance of a request as a client sends it (see <see cref="RequestContent"/>); attachments by SHA-256 of the item's files.</summary>
public sealed record ContentBody(
    string? Form,
    IdentifierBody[]? Identifiers,
    string? Facts,
    string? Offence,
    string? UrgencyReason,
    string[]? AttachmentsToSend,
    LegalAssistanceBody? LegalAssistance);

/// <summary>
/// The fields of an item as a client sends them (register and change details). Everything is nullable so that each
/// missing or wrong field gets its own named error rather than the first one stopping the rest.
/// </summary>
public sealed record ItemBody(
    string? Kind,
    string? Direction,
    string? PartnerCode,
    string? Channel,
    string? Subject,
    string? CrimeCategory,
    string? Priority,
    string? CriminalCaseNumber,
    string? LegalBasis,
    string[]? RequestedData,
    DataPeriodBody? DataPeriod,
    string? Language,
    string? HandlingCode,
    string? PartnerReference,
    DateTimeOffset? DueBy,
    ContentBody? Content = null);

public sealed record CheckedItem(WorkItemKind Kind, Direction Direction, ItemFields Fields);

public static partial class ItemBodyRules
{
    public const int SubjectMaxLength = 500;
    public const int ReferenceMaxLength = 100;
    public const int CaseNumberMaxLength = 40;
    public const int LegalBasisMaxLength = 500;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9./-]*$")]
    private static partial Regex CaseNumberPattern();

    /// <summary>
    /// Checks every field; <paramref name="partner"/> is the directory entry named by partnerCode, if any; <paramref name="files"/> the
    /// files of the item being changed (null when registering: a new item has none to send).
    /// </summary>
    public static (CheckedItem? Item, List<FieldError> Errors) Check(
        ItemBody body, PartnerDirectoryEntry? partner, DateTimeOffset now, ItemFiles? files = null)
    {
        var errors = new List<FieldError>();
        var kind = Required<WorkItemKind>(errors, "kind", body.Kind);
        var direction = Optional(errors, "direction", body.Direction, Cases.Direction.Outgoing);
        var crimeCategory = Required<CrimeCategory>(errors, "crimeCategory", body.CrimeCategory);
        var priority = Optional(errors, "priority", body.Priority, Cases.Priority.Normal);
        var handlingCode = Optional(errors, "handlingCode", body.HandlingCode, Cases.HandlingCode.Open);

        Channel channel = default;
        if (string.IsNullOrWhiteSpace(body.PartnerCode))
        {
            errors.Add(new("partnerCode", "The partner unit's code is required, e.g. DE-CYBER247 (see /api/partners)."));
        }
        else if (partner is null || !partner.Active)
        {
            errors.Add(new("partnerCode", $"No active partner has the code '{body.PartnerCode}' in the directory (see /api/partners)."));
        }
        else
        {
            channel = Optional(errors, "channel", body.Channel, partner.MainChannel);
            if (!partner.Profile.Channels.Contains(channel))
            {
                errors.Add(new("channel", $"{partner.Code} is reached through {string.Join(", ", partner.Profile.Channels.Select(ApiEnum<Channel>.NameOf))}, not {ApiEnum<Channel>.NameOf(channel)}."));
            }
        }

        var subject = body.Subject?.Trim();
        if (string.IsNullOrEmpty(subject))
        {
            errors.Add(new("subject", "The subject is required."));
        }
        else if (subject.Length > SubjectMaxLength)
        {
            errors.Add(new("subject", $"The subject is at most {SubjectMaxLength} characters."));
        }

        var caseNumber = string.IsNullOrWhiteSpace(body.CriminalCaseNumber) ? null : body.CriminalCaseNumber.Trim();
        if (caseNumber is not null && (caseNumber.Length > CaseNumberMaxLength || !CaseNumberPattern().IsMatch(caseNumber)))
        {
            errors.Add(new("criminalCaseNumber", $"The national criminal case number is letters, digits, '.', '/' or '-', at most {CaseNumberMaxLength} characters."));
        }

        // Free text: an officer names a convention article, an agreement and the national law in whatever words the partner expects.
        var legalBasis = string.IsNullOrWhiteSpace(body.LegalBasis) ? null : body.LegalBasis.Trim();
        if (legalBasis?.Length > LegalBasisMaxLength)
        {
            errors.Add(new("legalBasis", $"The legal basis is at most {LegalBasisMaxLength} characters: name the convention or agreement and the national law, not the facts."));
        }

        var isRequest = body.Kind is not null && kind == WorkItemKind.Request;
        var requested = RequestedDataOf(errors, "requestedData", body.RequestedData, required: isRequest);
        var period = PeriodOf(errors, "dataPeriod", body.DataPeriod, now);
        var content = ContentOf(errors, body.Content, body.Kind is null ? null : kind, files, now);

        var language = body.Language ?? ChannelRules.DefaultLanguage(partner?.Profile.Languages, channel);
        if (language.Length != 2 || !language.All(char.IsAsciiLetterLower))
        {
            errors.Add(new("language", "The language is an ISO 639-1 code in lower case, e.g. en, ru, kk."));
        }

        var partnerReference = string.IsNullOrWhiteSpace(body.PartnerReference) ? null : body.PartnerReference.Trim();
        if (partnerReference?.Length > ReferenceMaxLength)
        {
            errors.Add(new("partnerReference", $"The partner's reference is at most {ReferenceMaxLength} characters."));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var fields = new ItemFields(
            partner!.Code, partner.Country, channel, subject!, crimeCategory, priority, caseNumber, legalBasis, requested, period, language,
            handlingCode, partnerReference, body.DueBy, content);
        return (new CheckedItem(kind, direction, fields), errors);
    }

    internal static RequestedData[] RequestedDataOf(List<FieldError> errors, string field, string[]? values, bool required)
    {
        var parsed = new List<RequestedData>();
        foreach (var value in values ?? [])
        {
            if (ApiEnum<RequestedData>.TryParse(value, out var data))
            {
                parsed.Add(data);
            }
            else
            {
                errors.Add(new(field, $"'{value}' is not a kind of data; one of: {ApiEnum<RequestedData>.Names}."));
                return [];
            }
        }

        if (required && parsed.Count == 0)
        {
            errors.Add(new(field, $"A request says what it asks for: one or more of {ApiEnum<RequestedData>.Names}."));
        }

        return [.. parsed.Distinct()];
    }

    internal static DataPeriod? PeriodOf(List<FieldError> errors, string field, DataPeriodBody? body, DateTimeOffset now)
    {
        if (body is null)
        {
            return null;
        }

        if (body.From is not { } from || body.To is not { } to)
        {
            errors.Add(new(field, "The period of the data needs both 'from' and 'to' (yyyy-MM-dd)."));
            return null;
        }

        if (from > to)
        {
            errors.Add(new(field, "The period of the data starts after it ends."));
        }
        else if (to > DateOnly.FromDateTime(now.UtcDateTime).AddDays(1))
        {
            errors.Add(new(field, "The period of the data cannot end in the future: providers keep only what already happened."));
        }

        return new DataPeriod(from, to);
    }

    private static T Required<T>(List<FieldError> errors, string field, string? value)
        where T : struct, Enum
    {
        if (value is null)
        {
            errors.Add(new(field, $"Required; one of: {ApiEnum<T>.Names}."));
            return default;
        }

        return Optional(errors, field, value, default(T));
    }

    private static T Optional<T>(List<FieldError> errors, string field, string? value, T fallback)
        where T : struct, Enum
    {
        if (value is null)
        {
            return fallback;
        }

        if (ApiEnum<T>.TryParse(value, out var parsed))
        {
            return parsed;
        }

        errors.Add(new(field, $"One of: {ApiEnum<T>.Names}."));
        return fallback;
    }
}
