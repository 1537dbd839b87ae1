using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Auditing;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Cases.Corresponding;

/// <summary>
/// A partner's mail as an officer reads it: the text, and the HTML part only as <see cref="MailSanitiser"/> left it
/// (HTML from outside is never passed on unsanitised); <c>Warnings</c> says where what was signed and what came differ,
/// <c>CodedWarnings</c> the same as codes (one for each warning; empty for mail filed before the gateway sent codes).
/// </summary>
public sealed record MailView(
    Guid Id, string MessageId, string From, string Subject, string Text, bool HadHtml, string Protection, string Signature, string? SignedBy,
    MailAttachmentRef[] Attachments, string? ReleasedBy, DateTimeOffset ReceivedAt, string? SafeHtml = null, string[]? Warnings = null,
    GatewayWarning[]? CodedWarnings = null);

public static class MailEndpoints
{
    public static RouteGroupBuilder MapCorresponding(this RouteGroupBuilder items)
    {
        items.MapGet("/{number}/mail/{id:guid}", ReadAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("ReadPartnerMail")
            .WithSummary("A partner's mail filed with the item (text, sanitised HTML, signature status, attachments); the read is audited");
        return items;
    }

    private static async Task<Ok<MailView>> ReadAsync(
        string number, Guid id, HttpContext http, IDocumentSession session, ItemStore items, AuditTrail audit, CancellationToken ct)
    {
        var item = await items.FindOrThrowAsync(session, number, http.User, ct);
        var events = await session.Events.FetchStreamAsync(item.Id, token: ct);
        var mail = events.Select(e => e.Data).OfType<MailReceived>().FirstOrDefault(m => m.InboundId == id)
            ?? throw new ItemNotFound($"{number}/mail/{id}");
        await audit.RecordAsync(http, "read-mail", item, $"{mail.From}: {mail.Subject}", ct);
        return TypedResults.Ok(new MailView(
            mail.InboundId, mail.MessageId, mail.From, mail.Subject, mail.Text, mail.Html is not null, mail.Protection, mail.Signature, mail.SignedBy,
            mail.Attachments, mail.ReleasedBy, mail.ReceivedAt, MailSanitiser.Sanitise(mail.Html), mail.Warnings ?? [], mail.CodedWarnings ?? []));
    }
}
