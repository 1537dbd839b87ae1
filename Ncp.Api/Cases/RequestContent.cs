namespace Ncp.Api.Cases;

/// <summary>Which of the forms partners know a mail follows; the kind of item narrows the choice (<see cref="RequestForms"/>).</summary>
public enum RequestForm
{
    /// <summary>No particular form: the template of the kind of item.</summary>
    General,

    /// <summary>Budapest Convention art. 29: expedited preservation of stored computer data.</summary>
    Preservation,

    /// <summary>Art. 30: expedited disclosure of preserved traffic data.</summary>
    Disclosure,

    /// <summary>Arts. 31 and 35: a request for stored data through the 24/7 network.</summary>
    StoredData,

    /// <summary>Art. 26: spontaneous information.</summary>
    SpontaneousInformation,

    /// <summary>A legal-assistance (MLA) request or international investigation order.</summary>
    LegalAssistance,
}

/// <summary>What a request is about; each type is checked and written in one normal form (<c>Registering/Identifiers.cs</c>).</summary>
public enum IdentifierType
{
    /// <summary>An IPv4 or IPv6 address; with the port and the exact time and zone it was seen (a dynamic address without them is useless).</summary>
    IpAddress,
    Email,

    /// <summary>E.164, e.g. +77012345678.</summary>
    Phone,

    /// <summary>An account or user name, with the service it is on (<see cref="ItemIdentifier.Qualifier"/>).</summary>
    Account,
    Url,
    Domain,

    /// <summary>Masked in lists: only the last four digits show.</summary>
    PaymentCard,

    /// <summary>Masked in lists like a card.</summary>
    Iban,

    /// <summary>A crypto wallet, with its chain (<see cref="ItemIdentifier.Qualifier"/>).</summary>
    CryptoWallet,
    Imei,
    Imsi,
}

/// <summary>
/// One identifier of a request: its normal form, what qualifies it (an IP address's port, an account's service, a
/// wallet's chain), the time it was seen with its zone (required for an IP address), and the data asked for about it
/// over which period. <see cref="FoundInMail"/> is the line of a partner's mail it was read from (null: an officer entered
/// it); such an IP address may lack its time, where the mail gave none with a zone (<c>Corresponding/MailIdentifiers.cs</c>).
/// </summary>
public sealed record ItemIdentifier(
    IdentifierType Type,
    string Value,
    string? Qualifier,
    DateTimeOffset? At,
    string? TimeZone,
    RequestedData[] Data,
    DataPeriod? Period,
    string? FoundInMail = null);

/// <summary>What a requested authority checks in a legal-assistance request beyond the facts and the offence.</summary>
public sealed record LegalAssistanceDetails(
    string? RequestingAuthority,
    string? RequestedAuthority,
    string? Penalty,
    string? AssistanceSought,
    string? Confidentiality);

/// <summary>
/// The substance of an item: the form, the identifiers with the data and periods asked for, the facts, the offence with
/// its article, why it is urgent, the item's files that go to the partner with the mail (by SHA-256), and for a
/// legal-assistance request what the requested authority checks.
/// </summary>
public sealed record RequestContent(
    RequestForm Form,
    ItemIdentifier[] Identifiers,
    string? Facts,
    string? Offence,
    string? UrgencyReason,
    string[] AttachmentsToSend,
    LegalAssistanceDetails? LegalAssistance)
{
    public static readonly RequestContent Empty = new(RequestForm.General, [], null, null, null, [], null);
}

public static class RequestForms
{
    /// <summary>The forms an item of a kind may follow; the first is its default.</summary>
    public static RequestForm[] For(WorkItemKind kind) => kind switch
    {
        WorkItemKind.Request => [RequestForm.StoredData, RequestForm.Preservation, RequestForm.Disclosure, RequestForm.General],
        WorkItemKind.InitiativeMessage => [RequestForm.SpontaneousInformation, RequestForm.General],
        _ => [RequestForm.LegalAssistance, RequestForm.General],
    };
}
