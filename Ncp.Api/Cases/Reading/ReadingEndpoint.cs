using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Auditing;
using Ncp.Api.Cases.Linking;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Cases.Reading;

/// <summary>An item as the API shows it; <see cref="Timeline"/> is filled only by <c>GET /api/items/{number}</c>.</summary>
public sealed record ItemResource(
    Guid Id,
    string RegisterNumber,
    WorkItemKind Kind,
    Direction Direction,
    WorkItemStatus Status,
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
    Actor? AssignedTo,
    Actor RegisteredBy,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? FirstAnswerAt,
    DateTimeOffset? EndedAt,
    ItemLink[] Links,
    ItemAttachment[] Attachments,
    int NoteCount,
    Deadlines.ItemDeadlines? Deadlines,
    string[] Escalations,
    string[] AcknowledgedEscalations,
    DateTimeOffset? DeadlinesPausedAt,
    DateTimeOffset? LastRemindedAt,
    ItemMail[] Mail,
    string? Delivery,
    long Version,
    TimelineEntry[]? Timeline,
    RequestContent? Content = null,
    string[]? IdentifierKeys = null,
    string? DeliveryWarning = null,
    MailFallback? DeliveryFallback = null,
    PartnerMarking? PartnerMarking = null,
    Guid? GroupId = null,
    AcknowledgementProposal? AcknowledgementProposed = null)
{
    public static ItemResource From(ItemDetails d, ItemTimeline? timeline = null) => new(
        d.Id, d.RegisterNumber, d.Kind, d.Direction, d.Status, d.PartnerCode, d.Country, d.Channel, d.Subject, d.CrimeCategory, d.Priority,
        d.CriminalCaseNumber, d.LegalBasis, d.RequestedData, d.DataPeriod, d.Language, d.HandlingCode, d.PartnerReference, d.DueBy, d.AssignedTo,
        d.RegisteredBy, d.RegisteredAt, d.SentAt, d.AcknowledgedAt, d.FirstAnswerAt, d.EndedAt, d.Links, d.Attachments, d.NoteCount,
        d.Deadlines, d.Escalations, d.AcknowledgedEscalations, d.DeadlinesPausedAt, d.LastRemindedAt, d.Mail, d.Delivery, d.Version,
        timeline?.Entries, d.Content, d.IdentifierKeys, d.DeliveryWarning, d.DeliveryFallback, d.PartnerMarking, d.GroupId, d.AcknowledgementProposed)
    {
        NotDelivered = d.NotDelivered,
        Outcome = d.Outcome,
    };

    /// <summary>What the answer brought (<see cref="ItemDetails.Outcome"/>).</summary>
    public Answering.OutcomeOnRecord? Outcome { get; init; }

    /// <summary>The request itself never reached the partner (<see cref="ItemDetails.NotDelivered"/>).</summary>
    public bool NotDelivered { get; init; }

    /// <summary>Answers a command: the item as it now is, its version as the ETag.</summary>
    public static Ok<ItemResource> Answer(HttpContext http, ItemDetails item)
    {
        http.Response.Headers.ETag = ETags.Of(item.Version);
        return TypedResults.Ok(From(item));
    }
}

public static class ReadingEndpoint
{
    public static RouteGroupBuilder MapReading(this RouteGroupBuilder items)
    {
        items.MapGet("/{number}", GetAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("GetItem")
            .WithSummary("One item with its whole timeline; the read is audited");
        return items;
    }

    private static async Task<Ok<ItemResource>> GetAsync(
        string number, HttpContext http, IDocumentSession session, ItemStore items, Compartments compartments, AuditTrail audit,
            CancellationToken ct)
    {
        var details = await items.FindOrThrowAsync(session, number, http.User, ct);
        var timeline = await (await session.LoadAsync<ItemTimeline>(details.Id, ct)).WithVisibleLinesAsync(session, http.User,
            compartments, ct);

        await audit.RecordAsync(http, "read-item", details, null, ct);

        http.Response.Headers.ETag = ETags.Of(details.Version);
        return TypedResults.Ok(ItemResource.From(details, timeline));
    }
}
