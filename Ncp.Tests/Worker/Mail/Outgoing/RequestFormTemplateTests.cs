using System.Globalization;
using System.Text.RegularExpressions;
using Ncp.Contracts.Mail;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Tests.Worker.Mail.Outgoing;

/// <summary>
/// The forms partners expect (Budapest Convention arts. 29, 30, 31/35, 26 and legal assistance), rendered without any
/// server.
/// </summary>
public sealed partial class RequestFormTemplateTests
{
    private const string Number = "KZ-NCP-2026-000777";

    // Seen in Almaty at 14:05:09 local time, which is 09:05:09 UTC (Kazakhstan is UTC+5 all year since March 2024).
    internal static readonly MailIdentifier Ip = new(
        "ip-address", "203.0.113.7", "443", new DateTimeOffset(2026, 11, 30, 9, 5, 9, TimeSpan.Zero), "Asia/Almaty",
        ["subscriber-data", "traffic-data"], new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    internal static readonly MailIdentifier Phone = new("phone", "+77012345678", null, null, null, ["subscriber-data"], null, null);

    internal const string Facts = "On 30 November 2026 the victim's online bank account was taken over from 203.0.113.7 and "
        + "KZT 4 000 000 were transferred out; the victim was called beforehand from +77012345678.";

    internal static MailContent Content(string form, MailHandling? handling = null, MailLegalAssistance? legal = null) => new(
        Kind: form switch
        {
            "legal-assistance" => "legal-assistance-task",
            "spontaneous-information" => "initiative-message",
            _ => "request",
        },
        Subject: "Account takeover at a bank",
        PartnerReference: null,
        Priority: "urgent",
        Preservation: false,
        LegalBasis: null,
        CrimeCategory: "internet-fraud",
        CriminalCaseNumber: "261500031000777",
        RequestedData: ["subscriber-data"],
        Identifiers: "203.0.113.7:443 (legacy text)",
        DataFrom: null,
        DataTo: null,
        ReplyBy: new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero),
        Text: null,
        Contact: new MailContact("Duty officer", "ncp@police.example", "+7 717 000 00 00", "Asia/Almaty"),
        Request: new MailRequest(
            form, [Ip, Phone], Facts, "Criminal Code of the Republic of Kazakhstan, art. 190(4)",
            "The provider keeps connection logs for 30 days only.", legal),
        Handling: handling);

    private static PartnerMailRequested Mail(
        MailContent content, string language = "en", string purpose = "request", MailAttachment[]? attachments = null) => new(
        Guid.NewGuid(), Guid.NewGuid(), Number, purpose, "DE-BKA", ["24-7@partner.example"], "smime", false, language, content, [],
        new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero), attachments);

    private static readonly Dictionary<string, (string Ip, string Phone, string Facts, string Amber)> Words = new()
    {
        ["en"] = ("IP address: 203.0.113.7, port 443", "Phone number: +77012345678", "Summary of facts",
            "TLP:AMBER \u2014 not to be passed through another channel without the originator's consent"),
        ["ru"] = ("IP-адрес: 203.0.113.7, порт 443", "Номер телефона: +77012345678", "Краткое изложение обстоятельств",
            "TLP:AMBER \u2014 не подлежит передаче по иным каналам без согласия стороны, предоставившей информацию"),
        ["kk"] = ("IP-мекенжай: 203.0.113.7, порт 443", "Телефон нөмірі: +77012345678", "Мән-жайлардың қысқаша баяндамасы",
            "TLP:AMBER \u2014 ақпаратты ұсынған тараптың келісімінсіз өзге арналар арқылы беруге жатпайды"),
    };

    // Form, language; then the subject's title, the data section's heading, a phrase of the form's own, the default legal basis.
    public static readonly TheoryData<string, string, string, string, string, string> Forms = new()
    {
        {
            "preservation", "en", "Preservation request",
            "Data to be preserved", "Article 29(2)(f)", "Article 29 / 35"
        },
        {
            "preservation", "ru", "Запрос о сохранении компьютерных данных",
            "Данные, подлежащие сохранению", "подпункт f пункта 2 статьи 29", "статьи 29 и 35"
        },
        {
            "preservation", "kk", "Компьютерлік деректерді сақтау туралы сұрау салу",
            "Сақталуға тиіс деректер", "29-баптың 2-тармағының f тармақшасы", "29 және 35-баптар"
        },
        {
            "disclosure", "en", "Request for expedited disclosure of preserved traffic data",
            "Traffic data to be disclosed", "(Article 30(1))", "Articles 30 and 35"
        },
        {
            "disclosure", "ru", "Запрос об оперативном раскрытии сохранённых данных о трафике",
            "Данные о трафике, подлежащие раскрытию", "(пункт 1 статьи 30)", "статьи 30 и 35"
        },
        {
            "disclosure", "kk", "Сақталған трафик деректерін жедел ашу туралы сұрау салу",
            "Ашылуға тиіс трафик деректері", "(30-баптың 1-тармағы)", "30 және 35-баптар"
        },
        {
            "stored-data", "en", "Request for stored computer data",
            "Data requested", "which formal procedure", "Articles 31 and 35"
        },
        {
            "stored-data", "ru", "Запрос о предоставлении хранимых компьютерных данных",
            "Запрашиваемые данные", "какая процедура требуется", "статьи 31 и 35"
        },
        {
            "stored-data", "kk", "Сақталған компьютерлік деректерді ұсыну туралы сұрау салу",
            "Сұралатын деректер", "қандай рәсім талап етілетінін", "31 және 35-баптар"
        },
        {
            "spontaneous-information", "en", "Spontaneous information",
            "Data concerned", "Under Article 26", "Article 26"
        },
        {
            "spontaneous-information", "ru", "Информация, направляемая по собственной инициативе",
            "Данные, к которым относится информация", "со статьёй 26", "статья 26"
        },
        {
            "spontaneous-information", "kk", "Өз бастамасы бойынша жіберілетін ақпарат",
            "Ақпарат қатысты деректер", "26-бабына сәйкес", "26-бап"
        },
        {
            "legal-assistance", "en", "Request for mutual legal assistance in a criminal matter",
            "Data requested", "through the central authority", "Articles 25 and 27"
        },
        {
            "legal-assistance", "ru", "Запрос об оказании правовой помощи по уголовному делу",
            "Запрашиваемые данные", "через центральный орган", "статьи 25 и 27"
        },
        {
            "legal-assistance", "kk", "Қылмыстық іс бойынша құқықтық көмек көрсету туралы сұрау салу",
            "Сұралатын деректер", "орталық орган арқылы", "25 және 27-баптар"
        },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Each_form_renders_in_each_language_with_its_sections_every_identifier_in_local_time_and_utc_the_facts_and_the_marking(
        string form, string language, string title, string dataHeading, string formPhrase, string basis)
    {
        var mail = PartnerMailTemplates.Render(Mail(Content(form, new MailHandling("no-other-channels", "TLP:AMBER")), language));
        var words = Words[language];

        Assert.Equal($"[{Number}] {title}: Account takeover at a bank", mail.Subject);
        Assert.Equal(words.Amber, FirstParagraph(mail.Text));
        var headings = Headings(mail.Text);
        Assert.Equal(Enumerable.Range(1, headings.Count), headings.Select(h => h.Number));
        Assert.Contains(headings, h => h.Title == dataHeading);
        Assert.Contains(headings, h => h.Title.StartsWith(words.Facts, StringComparison.Ordinal));
        Says(
            mail.Text,
            formPhrase,
            basis,
            words.Ip,
            "2026-11-30 14:05:09 +05:00 (Asia/Almaty) = 09:05:09 UTC",
            words.Phone,
            Facts,
            "art. 190(4)",
            "The provider keeps connection logs for 30 days only.",
            "261500031000777");
        Assert.Contains(" 2026-11-30 14:05:09 +05:00 (Asia/Almaty) = 09:05:09 UTC\n", mail.Text, StringComparison.Ordinal);
        var data = headings.Single(h => h.Title == dataHeading).Number;
        Assert.Contains($"\n   {data}.1 {words.Ip}\n", mail.Text, StringComparison.Ordinal);
        Assert.Contains($"\n   {data}.2 {words.Phone}\n", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("legacy text", mail.Text, StringComparison.Ordinal);
        Assert.All(mail.Text.Split('\n'), line => Assert.True(line.Length <= 76, line));
    }

    [Theory]
    [InlineData("en", "Data requested: subscriber information; traffic data (logs)", "Period: 2026-11-30 to 2026-12-01 (UTC)")]
    [InlineData(
        "ru",
        "Запрашиваемые данные: сведения об абоненте; данные о трафике (журналы соединений)",
        "Период: с 2026-11-30 по 2026-12-01 (UTC)")]
    [InlineData(
        "kk",
        "Сұралатын деректер: абонент туралы мәліметтер; трафик деректері (қосылыстар журналдары)",
        "Кезең: 2026-11-30 – 2026-12-01 (UTC)")]
    public void Each_identifier_names_its_own_data_and_period_and_one_without_takes_the_item_s(string language, string data, string period)
    {
        var text = PartnerMailTemplates.Render(Mail(Content("preservation"), language)).Text;

        Says(text, data, period);
        var phone = text[text.IndexOf(Words[language].Phone, StringComparison.Ordinal)..];
        var subscriber = language switch { "en" => "subscriber information", "ru" => "сведения об абоненте", _ => "абонент туралы" };
        Assert.Contains(subscriber, phone, StringComparison.Ordinal);
    }

    [Fact]
    public void A_legal_assistance_request_carries_what_the_requested_authority_checks()
    {
        var legal = new MailLegalAssistance(
            "Investigation Department of the Police of Almaty", "Federal Office of Justice, Bonn", "Up to ten years' imprisonment",
            "Search of the server at the hosting company and seizure of its disks.", "The suspect must not learn of the request.");

        var text = PartnerMailTemplates.Render(Mail(Content("legal-assistance", legal: legal))).Text;

        Assert.Contains(
            "1. Requesting authority and reference\n   Authority: Investigation Department of the Police of Almaty\n",
            text,
            StringComparison.Ordinal);
        Assert.Contains("2. Requested authority\n   Federal Office of Justice, Bonn\n", text, StringComparison.Ordinal);
        Says(
            text,
            "Penalty provided by law: Up to ten years' imprisonment",
            "Assistance sought Search of the server at the hosting company and seizure of its disks.",
            "The suspect must not learn of the request.");
        Assert.DoesNotContain("Article 27(8)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_to_the_24_7_network_names_the_partner_s_desk_and_a_legal_assistance_one_without_details_keeps_confidential()
    {
        var stored = PartnerMailTemplates.Render(Mail(Content("stored-data"))).Text;
        var legal = PartnerMailTemplates.Render(Mail(Content("legal-assistance"))).Text;

        Assert.Contains("2. Requested authority\n   24/7 point of contact (DE-BKA)\n", stored, StringComparison.Ordinal);
        Says(legal, "Please keep the fact and the content of this request confidential", "Penalty provided by law: not specified");
    }

    [Theory]
    [InlineData("request")]
    [InlineData("reminder")]
    [InlineData("acknowledgement")]
    [InlineData("reply")]
    [InlineData("preservation-extension")]
    public void Every_mail_opens_with_its_handling_marking(string purpose)
    {
        var content = Content("preservation", new MailHandling("no-third-parties", "amber+strict")) with
        {
            Text = "Logs attached.",
            Extension = new MailPreservationExtension(new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero), 90),
        };

        var text = PartnerMailTemplates.Render(Mail(content, "ru", purpose)).Text;

        Assert.Equal(
            "TLP:AMBER+STRICT \u2014 не подлежит передаче третьим лицам без согласия стороны, предоставившей информацию",
            FirstParagraph(text));
    }

    [Theory]
    [InlineData("en", "TLP:GREEN \u2014 for law-enforcement use; not to be made public")]
    [InlineData("kk", "TLP:GREEN \u2014 құқық қорғау органдарының қызметтік пайдалануына арналған; жариялауға жатпайды")]
    public void A_mail_without_a_handling_code_is_marked_open(string language, string marking)
    {
        var old = Content("stored-data") with { Request = null };

        var text = PartnerMailTemplates.Render(Mail(old, language)).Text;

        Assert.Equal(marking, FirstParagraph(text));
    }

    [Fact]
    public void An_item_without_its_substance_keeps_the_old_request_with_the_legacy_identifiers()
    {
        var text = PartnerMailTemplates.Render(Mail(Content("preservation") with { Request = null })).Text;

        Says(text, "5. Data requested", "Identifiers: 203.0.113.7:443 (legacy text)", "6. Summary of facts and additional information");
        Assert.DoesNotContain("Data to be preserved", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_time_whose_utc_date_differs_names_that_date_and_one_in_an_unknown_zone_keeps_its_own_offset()
    {
        var lateNight = Ip with { At = new DateTimeOffset(2026, 11, 30, 21, 30, 0, TimeSpan.Zero) };
        var unknownZone = Phone with { At = new DateTimeOffset(2026, 11, 30, 14, 5, 9, TimeSpan.FromHours(3)), TimeZone = "Mars/Olympus" };
        var content = Content("stored-data");
        content = content with { Request = content.Request! with { Identifiers = [lateNight, unknownZone] } };

        var text = PartnerMailTemplates.Render(Mail(content)).Text;

        Assert.Contains(
            "\n       Time: 2026-12-01 02:30:00 +05:00 (Asia/Almaty)\n             = 2026-11-30 21:30:00 UTC\n",
            text,
            StringComparison.Ordinal);
        Assert.Contains("\n       Time: 2026-11-30 14:05:09 +03:00 = 11:05:09 UTC\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Mars/Olympus", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_files_sent_with_the_mail_are_listed_under_their_safe_names()
    {
        MailAttachment[] files = [new("../../etc/passwd", "text/plain", new byte[1234]), new("log.txt", "text/plain", new byte[5])];

        var text = PartnerMailTemplates.Render(Mail(Content("preservation"), attachments: files)).Text;

        Says(text, "Enclosures", "- passwd (1,234 bytes)", "- log.txt (5 bytes)");
    }

    [Fact]
    public void Every_language_has_words_for_the_same_codes()
    {
        var tables = new[] { "en", "ru", "kk" }.Select(PartnerMailWords.For).ToArray();

        Assert.Equal(3, tables.Distinct().Count());
        foreach (var table in tables.Skip(1))
        {
            Assert.Equal(tables[0].Priorities.Keys.Order(), table.Priorities.Keys.Order());
            Assert.Equal(tables[0].DataTypes.Keys.Order(), table.DataTypes.Keys.Order());
            Assert.Equal(tables[0].CrimeCategories.Keys.Order(), table.CrimeCategories.Keys.Order());
            Assert.Equal(tables[0].HandlingMarks.Keys.Order(), table.HandlingMarks.Keys.Order());
            Assert.Equal(tables[0].IdentifierTypes.Keys.Order(), table.IdentifierTypes.Keys.Order());
            Assert.Equal(tables[0].Qualifiers.Keys.Order(), table.Qualifiers.Keys.Order());
        }
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\officer\\Desktop\\логи сервера.txt", "логи сервера.txt")]
    [InlineData("a<b>c:d\"e|f?g*h;i\u0007.pdf", "a_b_c_d_e_f_g_h_i_.pdf")]
    [InlineData("  ...  ", "attachment-1")]
    [InlineData("CON.txt", "_CON.txt")]
    [InlineData("report\r\n.pdf", "report__.pdf")]
    public void A_file_name_is_made_safe(string given, string safe) =>
        Assert.Equal([safe], OutgoingAttachments.SafeNames([new MailAttachment(given, "application/pdf", [])]));

    [Fact]
    public void Files_of_the_same_name_are_numbered_and_a_long_name_keeps_its_extension()
    {
        var names = OutgoingAttachments.SafeNames(
        [
            new("log.txt", "text/plain", []),
            new("dir/log.txt", "text/plain", []),
            new(new string('я', 300) + ".pcap", "application/vnd.tcpdump.pcap", []),
        ]);

        Assert.Equal("log.txt", names[0]);
        Assert.Equal("log (2).txt", names[1]);
        Assert.Equal(100, names[2].Length);
        Assert.EndsWith("я.pcap", names[2], StringComparison.Ordinal);
    }

    private static List<(int Number, string Title)> Headings(string text) =>
        [.. HeadingLine().Matches(text).Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value))];

    // The marking wraps like any paragraph; what counts is that it comes first, whole.
    private static string FirstParagraph(string text) => Flat(text[..text.IndexOf("\n\n", StringComparison.Ordinal)]);

    private static string Flat(string text) => string.Join(' ', text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    // Sentences wrap at 76 columns wherever their words fall, so the phrases are looked for in the text as one line.
    private static void Says(string text, params string[] phrases)
    {
        var flat = Flat(text);
        Assert.All(phrases, phrase => Assert.Contains(phrase, flat, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^(\d+)\. (.+)$", RegexOptions.Multiline)]
    private static partial Regex HeadingLine();
}
