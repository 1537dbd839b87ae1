using System.Text.Json.Serialization;

namespace Ncp.Api.Cases;

public enum WorkItemKind
{
    Request,
    InitiativeMessage,
    LegalAssistanceTask,
}

/// <summary>Outgoing: we ask or inform a partner. Incoming: a partner asks or informs us.</summary>
public enum Direction
{
    Outgoing,
    Incoming,
}

public enum Channel
{
    [JsonStringEnumMemberName("24-7")]
    TwentyFourSeven,
    Interpol,
    CisBkbop,
    Csto,
    Bilateral,
}

public enum Priority
{
    Normal,
    High,
    Urgent,
}

/// <summary>The categories the unit reports on (Criminal Code of the Republic of Kazakhstan).</summary>
public enum CrimeCategory
{
    /// <summary>Chapter 7: crimes in the field of informatisation and communications (arts. 205–213).</summary>
    ComputerCrime,

    /// <summary>Art. 190: fraud, committed through information systems.</summary>
    InternetFraud,
    ChildSexualAbuse,
    Extortion,
    DrugTrafficking,
    MoneyLaundering,
    TerrorismExtremism,
    HumanTrafficking,
    Other,
}

public enum RequestedData
{
    SubscriberData,
    TrafficData,
    ContentData,
    Preservation,
}

/// <summary>Dissemination restriction set by the originator of the information.</summary>
public enum HandlingCode
{
    /// <summary>No restriction beyond law-enforcement use.</summary>
    Open,

    /// <summary>Not to be passed through another channel without the originator's consent.</summary>
    NoOtherChannels,

    /// <summary>Not to be passed to any third party (another partner or channel) without the originator's consent.</summary>
    NoThirdParties,
}

public enum LinkType
{
    ReplyTo,
    FollowUp,
    SameCriminalCase,
    SameRequestOtherChannel,

    /// <summary>Registered together: one message or request sent to several partners, each its own item.</summary>
    SameGroup,

    /// <summary>Found by Ncp: the items share an identifier (its normal-form key) while both are open.</summary>
    SameIdentifiers,
}

public static class LinkTypes
{
    /// <summary>Whether the link reads the same from both ends; a reply or a follow-up has a direction.</summary>
    public static bool IsSymmetric(LinkType type) => type is not (LinkType.ReplyTo or LinkType.FollowUp);
}

public enum AnswerExtent
{
    Partial,
    Full,
}

public sealed record DataPeriod(DateOnly From, DateOnly To);

/// <summary>
/// What an officer fills in for an item; set at registration and changed by <see cref="ItemDetailsChanged"/>.
/// <see cref="Content"/> is null on items registered before requests carried their substance.
/// </summary>
public sealed record ItemFields(
    string PartnerCode,
    string Country,
    Channel Channel,
    string Subject,
    CrimeCategory CrimeCategory,
    Priority Priority,
    string? CriminalCaseNumber,
    string? LegalBasis,
    RequestedData[] RequestedData,
    DataPeriod? DataPeriod,
    string Language,
    HandlingCode HandlingCode,
    string? PartnerReference,
    DateTimeOffset? DueBy,
    RequestContent? Content = null);

/// <summary>Who did something: the officer's stable id and the name shown on the timeline.</summary>
public sealed record Actor(string Id, string Name);
