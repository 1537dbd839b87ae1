using JasperFx.Events;
using Marten;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Api.Partners;
using Ncp.Contracts.Mail;

namespace Ncp.Api.Cases.Corresponding;

/// <summary>Who partners are told to contact at the NCP: <c>Correspondence:*</c> in configuration.</summary>
public sealed class CorrespondenceSettings
{
    public const string Section = "Correspondence";

    public string ContactName { get; set; } = "NCP duty officer";

    public string ContactEmail { get; set; } = "ncp@ncp.example";

    public string ContactPhone { get; set; } = "+7 717 000 00 00";

    public string TimeZone { get; set; } = "Asia/Almaty";
}

/// <summary>
/// Turns events of the item log into mail the gateway must send: the request when an outgoing item is sent, a reminder
/// when a rung says so or an officer asks, our acknowledgement and our answer to a partner's request. The item and the partner's entry
/// are read as they stand when the event is published.
/// </summary>
public sealed class PartnerMailRequests(CorrespondenceSettings contact) : IIntegrationEvents
{
    public async ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct) =>
        await ForAsync(@event, operations, contact, ct) is { } mail ? [mail] : [];

    public static async Task<PartnerMailRequested?> ForAsync(IEvent @event, IDocumentOperations operations, CorrespondenceSettings contact, CancellationToken ct)
    {
        var (itemId, purpose, text) = @event.Data switch
        {
            ItemSent e => (e.ItemId, "request", null),
            DeadlineEscalated { RemindPartner: true } e => (e.ItemId, "reminder", (string?)null),
            PartnerReminded e => (e.ItemId, "reminder", null),
            // Given in a logged call, fax or meeting: the partner has it already.
            ItemAcknowledged { ContactId: null } e => (e.ItemId, "acknowledgement", null),
            AnswerRecorded { ContactId: null } e => (e.ItemId, "reply", e.Summary),
            _ => (Guid.Empty, "", null),
        };
        if (itemId == Guid.Empty)
        {
            return null;
        }

        var item = await operations.LoadAsync<ItemDetails>(itemId, ct);
        // Requests and reminders are ours to send on outgoing items; acknowledgements and answers on incoming ones.
        var outgoingPurpose = purpose is "request" or "reminder";
        if (item is null || (item.Direction == Direction.Outgoing) != outgoingPurpose || (purpose == "reminder" && !item.IsOpen))
        {
            return null;
        }

        var partner = await operations.FindPartnerAsync(item.PartnerCode, ct);
        if (partner is null)
        {
            return null;
        }

        var language = partner.Profile.Languages.FirstOrDefault(l => l is "en" or "ru") ?? "en";
        return new PartnerMailRequested(
            @event.Id, item.Id, item.RegisterNumber, purpose, partner.Code, partner.Profile.Addresses, ApiEnum<Encryption>.NameOf(partner.Profile.Encryption),
            partner.PlaintextOverride is not null, language,
            new MailContent(
                ApiEnum<WorkItemKind>.NameOf(item.Kind), item.Subject, item.PartnerReference, ApiEnum<Priority>.NameOf(item.Priority),
                item.RequestedData.Contains(RequestedData.Preservation), item.LegalBasis ?? LegalBasisFor(item.Channel, language), ApiEnum<CrimeCategory>.NameOf(item.CrimeCategory),
                item.CriminalCaseNumber, [.. item.RequestedData.Where(d => d != RequestedData.Preservation).Select(ApiEnum<RequestedData>.NameOf)], null,
                Day(item.DataPeriod?.From), Day(item.DataPeriod?.To), item.Deadlines?.ReplyBy ?? item.DueBy, text,
                new MailContact(item.AssignedTo?.Name ?? contact.ContactName, contact.ContactEmail, contact.ContactPhone, contact.TimeZone)),
            item.ThreadMessageIds(), @event.Timestamp);
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
