using System.Text;
using MimeKit;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Mail.Incoming;
using static Ncp.Tests.Fixtures.PythonMail;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// The gateway reads a partner's Cyrillic in every charset MIME allows, from mail made by Python's email package: each
/// row is one way a client writes the same subject, text and file name, read as the gateway reads it (parse, then mend).
/// </summary>
public sealed class MailCharsetsTests
{
    private const string Subject = "Ответ на запрос о сохранении данных";
    private const string Text = "Сведения об абоненте IP 203.0.113.9 прилагаются.\nС уважением, отдел К.";
    private const string FileName = "Протокол осмотра.txt";

    public static TheoryData<string, PythonMail.Subject, Body> Forms => new()
    {
        { "windows-1251 encoded words, quoted-printable body", new(Subject, "windows-1251", "b"), new(Text, "windows-1251") },
        { "raw windows-1251 header, declared 8-bit body", new(Subject, "windows-1251", "raw"), new(Text, "windows-1251", "8bit") },
        { "raw windows-1251 header, undeclared 8-bit body", new(Subject, "windows-1251", "raw"), new(Text, "windows-1251", "8bit", false) },
        { "KOI8-R encoded words, base64 body", new(Subject, "koi8-r", "b"), new(Text, "koi8-r", "base64") },
        { "raw KOI8-R header, declared body", new(Subject, "koi8-r", "raw"), new(Text, "koi8-r", "8bit") },
        { "raw KOI8-R header, undeclared body", new(Subject, "koi8-r", "raw"), new(Text, "koi8-r", "8bit", false) },
        { "ISO-8859-5 Q words, quoted-printable body", new(Subject, "iso-8859-5", "q"), new(Text, "iso-8859-5") },
        { "raw ISO-8859-5 header, undeclared body", new(Subject, "iso-8859-5", "raw"), new(Text, "iso-8859-5", "8bit", false) },
        { "UTF-8 Q words split", new(Subject, "utf-8", "q"), new(Text, "utf-8", "base64") },
        { "UTF-8 Q words cut inside characters", new(Subject, "utf-8", "q-midchar"), new(Text, "utf-8", "quoted-printable") },
        { "raw UTF-8 header, undeclared 8-bit body", new(Subject, "utf-8", "raw"), new(Text, "utf-8", "8bit", false) },
        { "UTF-8 words, undeclared windows-1251 body", new(Subject, "utf-8", "b"), new(Text, "windows-1251", "8bit", false) },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task A_partners_cyrillic_subject_text_and_file_name_read_the_same_whatever_the_charset(
        string form, PythonMail.Subject subject, Body body)
    {
        var raw = Message(
            "Отдел К <de@partner.example>", "ncp@ncp.example", subject, body, null, new Attachment(FileName, "windows-1251", "log"));

        var (read, text, files) = await ReadAsync(raw);

        Assert.True(Subject == read, $"{form}: subject read as \"{read}\"");
        Assert.True(Text == text.Replace("\r\n", "\n").TrimEnd(), $"{form}: text read as \"{text}\"");
        Assert.Equal([FileName], files);
    }

    [Theory]
    [InlineData("iso-8859-1", "Antwort für Sie: Grüße aus Köln")]
    [InlineData("windows-1252", "Réponse à votre demande — données conservées")]
    [InlineData("windows-1251", "СРОЧНО: ответ на запрос")]
    [InlineData("koi8-r", "Ответ: данные сохранены, счёт закрыт")]
    public async Task A_raw_header_in_a_legacy_charset_is_read_in_that_charset_though_the_body_does_not_say_it(
        string charset, string words)
    {
        var raw = Message("de@partner.example", "ncp@ncp.example", new(words, charset, "raw"), new("Text.", "us-ascii", "8bit", false));

        var (read, _, _) = await ReadAsync(raw);

        Assert.Equal(words, read);
    }

    [Fact]
    public void A_held_mails_raw_windows_1251_subject_is_listed_in_cyrillic()
    {
        var raw = Message(
            "stranger@example.org", "ncp@ncp.example", new(Subject, "windows-1251", "raw"), new(Text, "windows-1251", "8bit"));

        var headers = RawHeaders.Load(raw, 64 * 1024);

        Assert.Equal(Subject, headers[HeaderId.Subject]);
    }

    [Fact]
    public void The_worker_registers_the_code_page_encodings_MimeKit_needs_for_legacy_charsets()
    {
        // Touching the Worker's reader runs its module initializer, as starting the Worker does.
        _ = MailCharsets.ForHeaders("Subject: x\r\n"u8);

        Assert.Equal("Ответ", Encoding.GetEncoding("windows-1251").GetString([0xCE, 0xF2, 0xE2, 0xE5, 0xF2]));
        Assert.Equal("Ответ", Encoding.GetEncoding("koi8-r").GetString([0xEF, 0xD4, 0xD7, 0xC5, 0xD4]));
    }

    private static async Task<(string Subject, string Text, string[] Files)> ReadAsync(byte[] raw)
    {
        var message = await MailCharsets.LoadAsync(raw, 16, CancellationToken.None);
        MailCharsets.Mend(message.Body);
        return (message.Subject ?? "", message.TextBody ?? "", [.. message.Attachments.Select(a => a.ContentDisposition?.FileName ?? "")]);
    }
}
