using JasperFx.Events;
using Marten;
using Ncp.Api.Cases.Attaching;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Api.Partners;
using Ncp.Contracts.Mail;
using Npgsql;

namespace Ncp.Api.Cases.Corresponding;

/// <summary>Who partners are told to contact at the NCP: <c>Correspondence:*</c> in configuration.</summary>
public sealed class CorrespondenceSettings
{
    public const string Section = "Correspondence";

    public string ContactName { get; set; } = "NCP duty officer";

    public string ContactEmail { get; set; } = "ncp@ncp.example";

    public string ContactPhone { get; set; } = "+7 717 000 00 00";

    public string TimeZone { get; set; } = "Asia/Almaty";

    /// <summary>
    /// The most the files chosen for one mail may weigh together: base64 makes them a third larger, and mail servers
    /// commonly refuse mail over 25 MB.
    /// </summary>
    public long MaxAttachmentBytes { get; set; } = 20L * 1024 * 1024;
}

/// <summary>
/// Turns events of the item log into mail the gateway must send: the request when an outgoing item is sent, a reminder
/// when a rung says so or an officer asks, our acknowledgement and our answer to a partner's request. The item and the partner's entry
/// are read as they stand when the event is published; a request carries the item's content and the files chosen to go with it.
/// </summary>
public sealed class PartnerMailRequests(CorrespondenceSettings contact, NpgsqlDataSource db, MartenSettings marten) : IIntegrationEvents
{
    /// <summary>The languages our partner mail templates are written in.</summary>
    public static readonly string[] TemplateLanguages = ["en", "ru", "kk"];

    public async ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct) =>
        await ForAsync(@event, operations, contact, db, marten, ct) is { } mail ? [mail] : [];

    public static async Task<PartnerMailRequested?> ForAsync(
        IEvent @event, IDocumentOperations operations, CorrespondenceSettings contact, NpgsqlDataSource db, MartenSettings marten,
        CancellationToken ct)
    {
        var (itemId, purpose, text) = @event.Data switch
        {
            ItemSent e => (e.ItemId, "request", null),
            DeadlineEscalated { RemindPartner: true } e => (e.ItemId, "reminder", (string?)null),
            PartnerReminded e => (e.ItemId, "reminder", null),
            // Given in a logged call, fax or meeting: the partner has it already.
            ItemAcknowledged { ContactId: null } e => (e.ItemId, "acknowledgement", null),
            AnswerRecorded { ContactId: null } e => (e.ItemId, "reply", e.Summary),
            Chaining.PreservationExtensionRequested e => (e.ItemId, Chaining.PreservationMail.Purpose, null),
            _ => (Guid.Empty, "", null),
        };
        if (itemId == Guid.Empty)
        {
            return null;
        }

        var item = await operations.LoadAsync<ItemDetails>(itemId, ct);
        // Requests and reminders are ours to send on outgoing items; acknowledgements and answers on incoming ones.
        var outgoingPurpose = purpose is "request" or "reminder" or Chaining.PreservationMail.Purpose;
        if (item is null || (item.Direction == Direction.Outgoing) != outgoingPurpose || (purpose == "reminder" && !item.IsOpen))
        {
            return null;
        }

        var partner = await operations.FindPartnerAsync(item.PartnerCode, ct);
        if (partner is null)
        {
            return null;
        }

        var content = item.Content;
        var request = purpose == "request";
        var language = LanguageOf(item, partner);
        var asked = item.RequestedData.Where(d => d != RequestedData.Preservation).Select(ApiEnum<RequestedData>.NameOf);
        var files = request && content is { AttachmentsToSend.Length: > 0 }
            ? await FilesOfAsync(item, content.AttachmentsToSend, db, marten, ct)
            : null;
        return Chaining.PreservationMail.Complete(@event.Data, new PartnerMailRequested(
            @event.Id, item.Id, item.RegisterNumber, purpose, partner.Code, partner.Profile.Addresses,
            ApiEnum<Encryption>.NameOf(partner.Profile.Encryption), partner.PlaintextOverride is not null, language,
            new MailContent(
                ApiEnum<WorkItemKind>.NameOf(item.Kind), item.Subject, item.PartnerReference, ApiEnum<Priority>.NameOf(item.Priority),
                item.RequestedData.Contains(RequestedData.Preservation) || content?.Form == RequestForm.Preservation,
                item.LegalBasis ?? LegalBasisFor(item.Channel, language), ApiEnum<CrimeCategory>.NameOf(item.CrimeCategory),
                item.CriminalCaseNumber, [.. asked], Identifiers: null, Day(item.DataPeriod?.From), Day(item.DataPeriod?.To),
                item.Deadlines?.ReplyBy ?? item.DueBy, request ? content?.Facts : text,
                new MailContact(item.AssignedTo?.Name ?? contact.ContactName, contact.ContactEmail, contact.ContactPhone, contact.TimeZone),
                content is null ? null : RequestOf(content),
                HandlingMarkings.MailOf(item.HandlingCode)),
            item.ThreadMessageIds(), @event.Timestamp, files));
    }

    // The item's own language is the officer's choice for this mail; the partner's first one we write is the fallback.
    private static string LanguageOf(ItemDetails item, PartnerDirectoryEntry partner) =>
        TemplateLanguages.Contains(item.Language)
            ? item.Language
            : partner.Profile.Languages.FirstOrDefault(l => l is "en" or "ru") ?? "en";

    private static MailRequest RequestOf(RequestContent content) => new(
        ApiEnum<RequestForm>.NameOf(content.Form),
        [.. content.Identifiers.Select(i => new MailIdentifier(
            ApiEnum<IdentifierType>.NameOf(i.Type), i.Value, i.Qualifier, i.At, i.TimeZone,
            [.. i.Data.Select(ApiEnum<RequestedData>.NameOf)], Day(i.Period?.From), Day(i.Period?.To)))],
        content.Facts, content.Offence, content.UrgencyReason,
        content.LegalAssistance is { } mla
            ? new MailLegalAssistance(
                mla.RequestingAuthority, mla.RequestedAuthority, mla.Penalty, mla.AssistanceSought, mla.Confidentiality)
            : null);

    private static async Task<MailAttachment[]> FilesOfAsync(
        ItemDetails item, string[] chosen, NpgsqlDataSource db, MartenSettings marten, CancellationToken ct)
    {
        var bytes = await Attachments.ReadContentsAsync(db, marten, chosen, ct);
        return [.. chosen
            .Select(sha256 => (File: item.Attachments.FirstOrDefault(a => a.Sha256 == sha256), Sha256: sha256))
            .Where(f => f.File is not null && bytes.ContainsKey(f.Sha256))
            .Select(f => new MailAttachment(f.File!.FileName, f.File.ContentType, bytes[f.Sha256]))];
    }

    private static DateTimeOffset? Day(DateOnly? day) => day is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;

    // The CIS and CSTO channels work under their own agreements, not the Budapest Convention the templates default to.
    private static string? LegalBasisFor(Channel channel, string language) => channel switch
    {
        Channel.CisBkbop or Channel.Csto => language == "ru"
            ? "Соглашение о сотрудничестве государств – участников СНГ в борьбе с преступлениями в сфере информационных технологий (Душанбе, 28.09.2018)"
            : "Agreement on cooperation of the CIS member states in combating crimes in the field of information technologies (Dushanbe, 28 September 2018)",
        _ => null,
    };
}
