using System.Text.Json.Serialization;

namespace Ncp.Api.Cases.Contacting;

/// <summary>How we were in touch with the partner outside Ncp's mail.</summary>
public enum ContactMeans
{
    Phone,
    Fax,

    /// <summary>A message through Interpol's I-24/7 network.</summary>
    [JsonStringEnumMemberName("interpol-i-24-7")]
    InterpolI247,
    Meeting,
}

/// <summary>What a contact counts as for the item's status, as a mail would: the same events, the same rules.</summary>
public enum ContactCountsAs
{
    Acknowledgement,
    PartialAnswer,
    FullAnswer,
}

/// <summary>A file of the item that went with (or came with) the contact, e.g. the fax as scanned.</summary>
public sealed record ContactFile(string Sha256, string FileName);
