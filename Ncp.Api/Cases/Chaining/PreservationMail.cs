using Ncp.Contracts.Mail;

namespace Ncp.Api.Cases.Chaining;

/// <summary>The mail that asks a partner to extend a preservation: written in the item's thread like a reminder.</summary>
public static class PreservationMail
{
    public const string Purpose = "preservation-extension";

    /// <summary>The request for mail, with what an extension asks for when the event is one.</summary>
    public static PartnerMailRequested Complete(object @event, PartnerMailRequested mail) =>
        @event is PreservationExtensionRequested e
            ? mail with { Content = mail.Content with { Extension = new MailPreservationExtension(e.PreservedUntil, e.Days) } }
            : mail;
}
