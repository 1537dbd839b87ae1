using Ncp.Contracts.Mail;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Tests.Worker.Mail.Outgoing;

/// <summary>The words of a request to extend a preservation, rendered without any server.</summary>
public sealed class PreservationExtensionTemplateTests
{
    private static PartnerMailRequested Extension(string language, MailPreservationExtension? asked) => new(
        Guid.NewGuid(), Guid.NewGuid(), "KZ-NCP-2026-000321", "preservation-extension", "DE-BKA", ["24-7@partner.example"], "smime", false,
        language,
        new MailContent(
            "request", "Mailbox of the suspect", "DE-2026/77", "normal", true, null, "computer-crime", null, ["preservation"],
            "user@mail.example", null, null, null, null,
            new MailContact("Duty officer", "ncp@police.example", "+7 717 000 00 00", "Asia/Almaty"), Extension: asked),
        [], new DateTimeOffset(2027, 1, 10, 9, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("en", "Request to extend preservation", "Preserved until: 2027-02-01 00:00 UTC", "Further period requested: 90 days")]
    [InlineData(
        "ru", "Запрос о продлении срока сохранения", "Данные сохраняются до: 2027-02-01 00:00 UTC", "Запрашиваемый дополнительный срок: 90 дней")]
    [InlineData(
        "kk", "Сақтау мерзімін ұзарту туралы сұрау", "Деректер сақталатын мерзім: 2027-02-01 00:00 UTC", "Сұралатын қосымша мерзім: 90 күн")]
    public void An_extension_names_the_current_term_and_the_further_period_in_the_mails_language(
        string language, string prefix, string until, string further)
    {
        var mail = PartnerMailTemplates.Render(Extension(language, new(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero), 90)));

        Assert.StartsWith($"[KZ-NCP-2026-000321] {prefix}: Mailbox of the suspect", mail.Subject, StringComparison.Ordinal);
        var flat = string.Join(' ', mail.Text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(until, flat, StringComparison.Ordinal);
        Assert.Contains(further, flat, StringComparison.Ordinal);
        Assert.Contains("KZ-NCP-2026-000321", flat, StringComparison.Ordinal);
        Assert.All(mail.Text.Split('\n'), line => Assert.True(line.Length <= 76, line));
    }

    [Fact]
    public void An_extension_names_the_identifiers_of_the_requests_substance_in_the_mails_words()
    {
        var mail = Extension("ru", new(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero), 90));
        var request = new MailRequest("preservation", [
            new MailIdentifier("ip-address", "203.0.113.7", "443", null, null, [], null, null),
            new MailIdentifier("email", "user@mail.example", null, null, null, [], null, null)], null, null, null, null);
        mail = mail with { Content = mail.Content with { Identifiers = null, Request = request } };

        var text = PartnerMailTemplates.Render(mail).Text;

        Assert.Contains("IP-адрес: 203.0.113.7, порт 443", text, StringComparison.Ordinal);
        Assert.Contains("Адрес электронной почты: user@mail.example", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_extension_that_names_no_term_is_not_written()
    {
        var refused = Assert.Throws<ArgumentException>(() => PartnerMailTemplates.Render(Extension("en", null)));
        Assert.Contains("names no term", refused.Message, StringComparison.Ordinal);
    }
}
