using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Worker.Keys;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>
/// The unprotected mail to a partner: the template's text with the files chosen to go with it, our identity, the thread
/// it belongs to and its handling marking. The body, files included, is what gets signed and encrypted; the headers
/// are copied into it (<c>HeaderProtection</c>).
/// </summary>
public static class PartnerMailBuilder
{
    public static MimeMessage Build(PartnerMailRequested request, string messageId, GatewaySettings settings, DateTimeOffset now)
    {
        var rendered = PartnerMailTemplates.Render(request);
        var message = new MimeMessage { Subject = rendered.Subject, MessageId = messageId, Date = now };
        message.From.Add(new MailboxAddress(settings.DisplayName, settings.Address));
        message.To.AddRange(request.To.Select(MailboxAddress.Parse));
        if (request.ThreadMessageIds.Length > 0)
        {
            message.InReplyTo = request.ThreadMessageIds[^1];
            message.References.AddRange(request.ThreadMessageIds);
        }

        HandlingMarking.Of(request.Content.Handling).WriteTo(message);
        message.Body = OutgoingAttachments.Body(rendered.Text, request.Attachments);
        return message;
    }
}
