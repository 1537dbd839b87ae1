using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Worker.Keys;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>The unprotected mail to a partner: the template's text, our identity, and the thread it belongs to.</summary>
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

        message.Body = new TextPart("plain") { Text = rendered.Text };
        return message;
    }
}
