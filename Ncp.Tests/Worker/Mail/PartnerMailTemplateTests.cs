using Ncp.Contracts.Mail;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Tests.Worker.Mail;

/// <summary>The words of mail to partners, rendered without any server.</summary>
public sealed class PartnerMailTemplateTests
{
    private const string Number = "KZ-NCP-2026-000123";

    private static readonly MailContent Preservation = new(
        Kind: "request",
        Subject: "Ransomware at a regional hospital",
        PartnerReference: "CY-2026/441",
        Priority: "urgent",
        Preservation: true,
        LegalBasis: null,
        CrimeCategory: "computer-crime",
        CriminalCaseNumber: "261500031000123",
        RequestedData: ["subscriber-data", "traffic-data"],
        Identifiers: "203.0.113.7:443",
        DataFrom: new DateTimeOffset(2026, 2, 10, 0, 0, 0, TimeSpan.Zero),
        DataTo: new DateTimeOffset(2026, 2, 12, 0, 0, 0, TimeSpan.Zero),
        ReplyBy: new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero),
        Text: "The hospital's servers were encrypted on 11 February 2026.",
        Contact: new MailContact("Duty officer", "ncp@police.example", "+7 717 000 00 00", "Asia/Almaty"));

    private static readonly MailContent Bare = Preservation with
    {
        PartnerReference = null,
        Preservation = false,
        CrimeCategory = null,
        CriminalCaseNumber = null,
        RequestedData = [],
        Identifiers = null,
        DataFrom = null,
        DataTo = null,
        ReplyBy = null,
        Text = "  ",
    };

    private static PartnerMailRequested Mail(string purpose = "request", string language = "en", MailContent? content = null) => new(
        Guid.NewGuid(), Guid.NewGuid(), Number, purpose, "DE-BKA", ["24-7@partner.example"], "smime", false, language, content ?? Preservation, [],
        new DateTimeOffset(2026, 2, 27, 9, 30, 0, TimeSpan.Zero));

    // Sentences wrap at 76 columns wherever their words fall, so the phrases are looked for in the text as one line.
    private static void Says(string text, params string[] phrases)
    {
        var flat = string.Join(' ', text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.All(phrases, phrase => Assert.Contains(phrase, flat, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("en", "[KZ-NCP-2026-000123] Preservation request: Ransomware at a regional hospital (your ref. CY-2026/441)")]
    [InlineData("ru", "[KZ-NCP-2026-000123] Запрос о сохранении компьютерных данных: Ransomware at a regional hospital (ваш исх. CY-2026/441)")]
    public void The_subject_carries_our_number_and_the_partner_reference(string language, string subject) =>
        Assert.Equal(subject, PartnerMailTemplates.Render(Mail(language: language)).Subject);

    [Fact]
    public void A_subject_without_a_partner_reference_names_none() =>
        Assert.Equal(
            "[KZ-NCP-2026-000123] Request for data: Ransomware at a regional hospital",
            PartnerMailTemplates.Render(Mail(content: Bare)).Subject);

    [Theory]
    [InlineData("request", "en", "Preservation request: ")]
    [InlineData("reminder", "en", "Reminder: ")]
    [InlineData("acknowledgement", "en", "Acknowledgement of receipt: ")]
    [InlineData("reply", "en", "Reply: ")]
    [InlineData("request", "ru", "Запрос о сохранении компьютерных данных: ")]
    [InlineData("reminder", "ru", "Напоминание: ")]
    [InlineData("acknowledgement", "ru", "Подтверждение получения: ")]
    [InlineData("reply", "ru", "Ответ: ")]
    public void Each_purpose_renders_with_its_prefix_and_the_footer_that_threads_the_reply(string purpose, string language, string prefix)
    {
        var mail = PartnerMailTemplates.Render(Mail(purpose, language));

        Assert.StartsWith($"[{Number}] {prefix}", mail.Subject, StringComparison.Ordinal);
        Says(mail.Text, "Duty officer", language == "ru" ? "КОНФИДЕНЦИАЛЬНО" : "CONFIDENTIAL");
        Assert.EndsWith(
            language == "ru" ? $"При ответе просим сохранять [{Number}] в теме письма.\n" : $"Please keep [{Number}] in the subject of your reply.\n",
            mail.Text,
            StringComparison.Ordinal);
        Assert.All(mail.Text.Split('\n'), line => Assert.True(line.Length <= 76, line));
    }

    [Fact]
    public void A_preservation_request_names_article_29_the_period_and_the_90_days()
    {
        var text = PartnerMailTemplates.Render(Mail()).Text;

        Assert.Contains("3. Legal basis\n   Convention on Cybercrime (ETS No. 185), Article 29 / 35\n", text, StringComparison.Ordinal);
        Says(
            text,
            "Types of data: subscriber information; traffic data (logs)",
            "Period: 2026-02-10 to 2026-02-12 (UTC)",
            "preserve these data for 90 days pending a formal request");
    }

    [Fact]
    public void A_russian_preservation_request_names_article_29_and_the_period()
    {
        var text = PartnerMailTemplates.Render(Mail(language: "ru")).Text;

        Says(
            text,
            "3. Правовое основание",
            "(ETS № 185), статьи 29 и 35",
            "Виды данных: сведения об абоненте; данные о трафике (журналы соединений)",
            "Период: с 2026-02-10 по 2026-02-12 (UTC)",
            "7. Контактное лицо");
    }

    [Fact]
    public void A_request_for_data_falls_back_to_article_35_and_an_officer_s_legal_basis_wins()
    {
        var request = Preservation with { Preservation = false, RequestedData = ["content-data"] };

        var byDefault = PartnerMailTemplates.Render(Mail(content: request)).Text;
        var named = PartnerMailTemplates.Render(Mail(content: request with { LegalBasis = "Agreement of 2019, Article 5" })).Text;

        Says(
            byDefault,
            "Article 35 (24/7 Network); mutual assistance to follow where required",
            "Types of data: content data");
        Assert.DoesNotContain("90 days", byDefault, StringComparison.Ordinal);
        Assert.Contains("   Agreement of 2019, Article 5\n", named, StringComparison.Ordinal);
        Assert.DoesNotContain("Article 35", named, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "3. Legal basis", "4. Offence under investigation", "ETS No. 185")]
    [InlineData("ru", "3. Правовое основание", "4. Расследуемое преступление", "ETS № 185")]
    public void An_officer_s_legal_basis_stands_alone_under_its_heading_line_by_line(string language, string heading, string next, string defaultBasis)
    {
        var content = Preservation with { Kind = "legal-assistance-task", LegalBasis = "Convention on Cybercrime, art. 29;\r\nУПК РК, ст. 1  " };

        var text = PartnerMailTemplates.Render(Mail(language: language, content: content)).Text;

        Assert.Contains($"{heading}\n   Convention on Cybercrime, art. 29;\n   УПК РК, ст. 1\n\n{next}", text, StringComparison.Ordinal);
        Assert.DoesNotContain(defaultBasis, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Reply_by_is_shown_in_utc_and_in_almaty_time()
    {
        // Kazakhstan went over to a single zone, UTC+5, on 1 March 2024; the tzdata of this machine says so too
        // (checked with TimeZoneInfo: 2026-03-01T10:00Z is 15:00 in Asia/Almaty, not 16:00 as before).
        var text = PartnerMailTemplates.Render(Mail()).Text;

        Says(
            text,
            "Reply requested by: 2026-03-01 10:00 UTC (2026-03-01 15:00 Asia/Almaty, UTC+05:00)",
            "Time zone: Asia/Almaty (UTC+05:00)");
    }

    [Fact]
    public void An_unknown_time_zone_leaves_reply_by_in_utc_alone()
    {
        var content = Preservation with { Contact = Preservation.Contact with { TimeZone = "Mars/Olympus" } };

        var text = PartnerMailTemplates.Render(Mail(content: content)).Text;

        Assert.Contains("Reply requested by: 2026-03-01 10:00 UTC\n", text, StringComparison.Ordinal);
        Assert.Contains("Time zone: Mars/Olympus\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_period_with_hours_is_given_as_iso_timestamps()
    {
        var content = Preservation with
        {
            DataFrom = new DateTimeOffset(2026, 2, 10, 14, 3, 0, TimeSpan.FromHours(5)),
            DataTo = null,
        };

        var text = PartnerMailTemplates.Render(Mail(content: content)).Text;

        Says(text, "Period: from 2026-02-10T09:03:00Z (UTC)");
    }

    [Theory]
    [InlineData("de")]
    [InlineData("fr")]
    [InlineData("")]
    public void An_unknown_language_falls_back_to_english(string language) =>
        Assert.Equal(PartnerMailTemplates.Render(Mail(language: "en")), PartnerMailTemplates.Render(Mail(language: language)));

    [Fact]
    public void A_russian_language_tag_with_a_region_is_russian() =>
        Assert.Equal(PartnerMailTemplates.Render(Mail(language: "ru")), PartnerMailTemplates.Render(Mail(language: "RU-kz")));

    [Fact]
    public void An_unknown_purpose_is_refused_by_name()
    {
        var refused = Assert.Throws<ArgumentException>(() => PartnerMailTemplates.Render(Mail(purpose: "escalation")));

        Assert.Contains("'escalation'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_kind_is_refused_by_name()
    {
        var refused = Assert.Throws<ArgumentException>(() => PartnerMailTemplates.Render(Mail(content: Preservation with { Kind = "gossip" })));

        Assert.Contains("'gossip'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_optional_fields_say_not_specified()
    {
        var text = PartnerMailTemplates.Render(Mail(content: Bare)).Text;

        Says(
            text,
            "Your reference: not specified",
            "Reply requested by: not specified",
            "Category: not specified",
            "Criminal case number: not specified",
            "Types of data: not specified",
            "Identifiers: not specified",
            "Period: not specified");
        Assert.Contains("6. Summary of facts and additional information\n   not specified\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_optional_fields_say_ne_ukazano_in_russian()
    {
        var text = PartnerMailTemplates.Render(Mail(language: "ru", content: Bare)).Text;

        Says(
            text,
            "Ваш исх. №: не указано",
            "Номер уголовного дела: не указано",
            "Период: не указано");
    }

    [Fact]
    public void Both_languages_have_words_for_the_same_codes()
    {
        var (en, ru) = (PartnerMailWords.For("en"), PartnerMailWords.For("ru"));

        Assert.Equal(en.Priorities.Keys.Order(), ru.Priorities.Keys.Order());
        Assert.Equal(en.DataTypes.Keys.Order(), ru.DataTypes.Keys.Order());
        Assert.Equal(en.CrimeCategories.Keys.Order(), ru.CrimeCategories.Keys.Order());
    }

    [Fact]
    public void A_code_without_words_is_shown_as_it_came()
    {
        var text = PartnerMailTemplates.Render(Mail(content: Preservation with { CrimeCategory = "cyberstalking" })).Text;

        Says(text, "Category: cyberstalking");
    }

    [Fact]
    public void An_initiative_message_is_spontaneous_information_under_article_26()
    {
        var mail = PartnerMailTemplates.Render(Mail(content: Preservation with { Kind = "initiative-message" }));

        Assert.StartsWith($"[{Number}] Spontaneous information: ", mail.Subject, StringComparison.Ordinal);
        Says(
            mail.Text,
            "Under Article 26 of the Convention on Cybercrime",
            "Convention on Cybercrime (ETS No. 185), Article 26",
            "1. Sending authority and reference",
            "5. Data concerned");
        Assert.DoesNotContain("We request", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Please preserve", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Types of data", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_legal_assistance_task_says_the_formal_request_follows_through_the_central_authority()
    {
        var content = Preservation with { Kind = "legal-assistance-task", Preservation = false };

        var en = PartnerMailTemplates.Render(Mail(content: content));
        var ru = PartnerMailTemplates.Render(Mail(language: "ru", content: content));

        Assert.StartsWith($"[{Number}] Request for legal assistance (advance notice): ", en.Subject, StringComparison.Ordinal);
        Says(en.Text, "formal request will follow through the central authority");
        Says(ru.Text, "Официальный запрос будет направлен через центральный орган");
    }

    [Fact]
    public void A_reminder_restates_what_is_pending_and_asks_to_confirm_receipt()
    {
        var text = PartnerMailTemplates.Render(Mail("reminder")).Text;

        Says(
            text,
            $"We refer to our message {Number} (your ref. CY-2026/441)",
            "Pending: Preservation request – subscriber information; traffic data",
            "Reply requested by: 2026-03-01 10:00 UTC",
            "Date: 2026-02-27",
            "cannot be recovered",
            "Please confirm receipt of this reminder");
    }

    [Fact]
    public void A_russian_reminder_is_written_in_russian()
    {
        var text = PartnerMailTemplates.Render(Mail("reminder", "ru")).Text;

        Says(
            text,
            $"Ссылаемся на наше письмо № {Number} (ваш исх. CY-2026/441)",
            "Просим подтвердить получение настоящего напоминания",
            "Контактное лицо:");
    }

    [Fact]
    public void An_acknowledgement_confirms_receipt_under_our_number()
    {
        var text = PartnerMailTemplates.Render(Mail("acknowledgement")).Text;

        Says(
            text,
            "Your reference: CY-2026/441",
            $"registered under our reference {Number} and is being handled");
        Assert.Contains("Contact person:\n   Name: Duty officer", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_carries_the_answer_with_its_reference_lines()
    {
        var content = Preservation with { Text = "The address was assigned to subscriber X.\n\nLogs are attached." };

        var text = PartnerMailTemplates.Render(Mail("reply", content: content)).Text;

        // Below the handling marking, which opens every mail.
        Assert.StartsWith(
            $"TLP:GREEN \u2014 for law-enforcement use; not to be made public\n\nOur reference: {Number}\nYour reference: CY-2026/441\n",
            text,
            StringComparison.Ordinal);
        Assert.Contains("The address was assigned to subscriber X.\n\nLogs are attached.\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_without_an_answer_is_refused() =>
        Assert.Throws<ArgumentException>(() => PartnerMailTemplates.Render(Mail("reply", content: Bare)));
}
