using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using static Ncp.Tests.Fixtures.PythonMail;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// A partner's Russian reaches the officer as written, whatever charset the partner's client chose: mail made by Python's
/// email package, openssl and gpg, sent through Postfix and Dovecot, read by the Worker and shown by the Api (the item's
/// mail, its timeline, its files, the list's search, the quarantine list).
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class LegacyCharsetFilingTests(NcpSystem ncp)
{
    private const string Answer = "Ответ на запрос о сохранении данных";
    private const string Text = "Сведения об абоненте прилагаются.\nС уважением, отдел К.";
    private const string FileName = "Протокол осмотра.txt";

    private static TestPki Pki => MailGateway.Pki;

    private HttpClient Duty => ncp.ClientFor("duty");

    public static TheoryData<string, string, string, string> PlainForms => new()
    {
        // subject charset and form, body charset and transfer encoding
        { "windows-1251", "b", "windows-1251", "quoted-printable" },
        { "windows-1251", "raw", "windows-1251", "8bit" },
        { "koi8-r", "b", "koi8-r", "base64" },
        { "utf-8", "q", "utf-8", "quoted-printable" },
    };

    [Theory]
    [MemberData(nameof(PlainForms))]
    public async Task A_partners_plain_reply_shows_its_russian_subject_text_and_file_name_on_the_item(
        string subjectCharset, string subjectForm, string bodyCharset, string transfer)
    {
        var partner = await OldClientPartnerAsync();
        var (item, messageId) = await ncp.SendRequestAsync(partner, $"Subscriber data ({subjectCharset} {subjectForm})");

        await ncp.SendRawAsync(Message(
            partner.Address, TestPki.NcpAddress, new($"Re: {Answer}", subjectCharset, subjectForm), new(Text, bodyCharset, transfer),
            Thread(messageId), new Attachment(FileName, "windows-1251", "203.0.113.9 2026-11-30 12:00")));

        await ShownAsync(item.Number(), $"Re: {Answer}", FileName);
    }

    [Fact]
    public async Task A_signed_and_encrypted_reply_made_by_openssl_in_windows_1251_shows_in_russian()
    {
        var de = await ncp.PartnerAsync("de");
        var signer = Pki.Partner("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Subscriber data, S/MIME answer in windows-1251");
        var inner = Entity(new(Text, "windows-1251", "base64"), new Attachment(FileName, "windows-1251", "203.0.113.9"));

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            inner, de.Address, TestPki.NcpAddress, "", signer.CertPem, signer.KeyPem, Pki.NcpNext.CertPem,
            headers: new Dictionary<string, string>(Thread(messageId)) { ["Subject"] = EncodedWords($"Re: {Answer}", "windows-1251") }));

        var mail = await ShownAsync(item.Number(), $"Re: {Answer}", FileName);
        Assert.Equal("valid", mail.Str("signature"));
    }

    [Fact]
    public async Task A_reply_made_by_openssl_whose_protected_subject_inside_the_encryption_is_raw_windows_1251_shows_in_russian()
    {
        var de = await ncp.PartnerAsync("de");
        var signer = Pki.Partner("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Subscriber data, protected subject in raw windows-1251");
        // An old client's protected headers (draft "protected-headers=v1"): the real Subject only inside, its bytes windows-1251
        // with no encoded word, the outer one obscured.
        var inner = Windows1251.GetBytes(
            "Content-Type: text/plain; charset=windows-1251; protected-headers=\"v1\"\r\nContent-Transfer-Encoding: 8bit\r\n"
            + $"Subject: Re: {Answer}\r\n\r\n{Text.Replace("\n", "\r\n", StringComparison.Ordinal)}\r\n");

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            inner, de.Address, TestPki.NcpAddress, "[...]", signer.CertPem, signer.KeyPem, Pki.NcpNext.CertPem, headers: Thread(messageId)));

        var mail = await ShownAsync(item.Number(), $"Re: {Answer}", null);
        Assert.Equal("valid", mail.Str("signature"));
    }

    [Fact]
    public async Task A_partners_inline_openpgp_reply_in_windows_1251_shows_in_russian()
    {
        var fr = await ncp.PartnerAsync("fr");
        var (item, messageId) = await ncp.SendRequestAsync(fr, "Subscriber data, inline OpenPGP answer in windows-1251");

        // gpg encrypts the windows-1251 bytes; the gateway decodes the decrypted text itself, by the part's charset.
        await ncp.SendRawAsync(Pki.Gpg.InlineMail(
            Text, fr.Address, TestPki.NcpAddress, "", charset: "windows-1251",
            headers: new Dictionary<string, string>(Thread(messageId)) { ["Subject"] = EncodedWords($"Re: {Answer}", "windows-1251") }));

        var mail = await ShownAsync(item.Number(), $"Re: {Answer}", null);
        Assert.Equal("valid", mail.Str("signature"));
    }

    [Fact]
    public async Task A_new_item_opened_by_a_partners_windows_1251_mail_is_found_by_its_russian_subject()
    {
        var de = await ncp.PartnerAsync("de");
        var signer = Pki.Partner("de");
        var token = Guid.NewGuid().ToString("N")[..10];
        var subject = $"Запрос о сохранении данных {token}";

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease preserve.", de.Address, TestPki.NcpAddress, "", signer.CertPem,
            signer.KeyPem, Pki.NcpNext.CertPem,
            headers: new Dictionary<string, string> { ["Subject"] = EncodedWords(subject, "windows-1251") }));

        var found = await NcpSystem.EventuallyAsync(
            () => Duty.GetJsonAsync($"/api/items?q={Uri.EscapeDataString($"сохранении данных {token}")}&limit=50"),
            list => list.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(90));
        var item = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal(subject, item.Str("subject"));
        var byOneWord = await Duty.GetJsonAsync($"/api/items?q={Uri.EscapeDataString("Запрос о сохранении")}&partner={de.Code}&limit=200");
        Assert.Contains(byOneWord.GetProperty("items").EnumerateArray(), i => i.Number() == item.Number());
    }

    [Fact]
    public async Task A_held_mail_with_a_raw_windows_1251_subject_is_listed_in_russian()
    {
        var messageId = $"cyr-held-{Guid.NewGuid():N}@elsewhere.example";
        var subject = $"Ответ на запрос {messageId[9..17]}";

        await ncp.SendRawAsync(Message(
            "stranger@elsewhere.example", TestPki.NcpAddress, new(subject, "windows-1251", "raw"), new(Text, "windows-1251", "8bit"),
            new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" }));

        var list = await NcpSystem.EventuallyAsync(
            () => Duty.GetJsonAsync("/api/quarantine"),
            l => l.GetProperty("mail").EnumerateArray().Any(m => m.Str("messageId") == messageId), TimeSpan.FromSeconds(60));
        var held = list.GetProperty("mail").EnumerateArray().Single(m => m.Str("messageId") == messageId);
        Assert.Equal(subject, held.Str("subject"));
    }

    // The item's mail as the officer opens it, its files, and its timeline entry, once it came.
    private async Task<JsonElement> ShownAsync(string number, string subject, string? fileName)
    {
        var received = await ncp.ReceivedAsync(number);
        var mail = await Duty.GetJsonAsync($"/api/items/{number}/mail/{received.Str("id")}");
        Assert.Equal(subject, mail.Str("subject"));
        Assert.Equal(Text, mail.Str("text").Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd());
        if (fileName is not null)
        {
            Assert.Equal([fileName], mail.GetProperty("attachments").EnumerateArray().Select(a => a.Str("fileName")));
        }

        var item = await Duty.GetJsonAsync($"/api/items/{number}");
        var entry = item.GetProperty("timeline").EnumerateArray().Last(e => e.Str("what") == "mail-received");
        Assert.EndsWith($"): {subject}", entry.Str("text"), StringComparison.Ordinal);
        return mail;
    }

    private static Encoding Windows1251
    {
        get
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding(1251);
        }
    }

    private static Dictionary<string, string> Thread(string messageId) => new() { ["In-Reply-To"] = $"<{messageId}>" };

    private static string EncodedWords(string text, string charset) => Encoding.ASCII.GetString(SubjectValue(new(text, charset, "b")));

    // An old client's partner: plaintext allowed (its own address, delivered to nl's mailbox through the + delimiter).
    private async Task<MailPartner> OldClientPartnerAsync()
    {
        // The run's shared partners first: their set-up counts the run's partners, and must not count this one.
        await ncp.PartnerAsync("de");
        var partner = new MailPartner($"{ncp.RunId.ToUpperInvariant()}-CYR", $"nl+cyr-{ncp.RunId}@partner.example", "smime");
        var admin = ncp.ClientFor("admin");
        using (var existing = await admin.GetAsync($"/api/partners/{partner.Code}"))
        {
            if (existing.StatusCode == HttpStatusCode.OK)
            {
                return partner;
            }
        }

        await MailGateway.RegisterAsync(admin, partner, "ru");
        using var allowed = await admin.PostAsJsonAsync(
            $"/api/partners/{partner.Code}/plaintext-override", new { reason = "Their mail client cannot encrypt; agreed in writing" });
        await ItemsApi.ExpectAsync(allowed, HttpStatusCode.OK);
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<bool?>(
                $"select plaintext_allowed from {ncp.WorkerSchema}.partners where code = @code", ("code", partner.Code)),
            plain => plain == true, TimeSpan.FromSeconds(60));
        return partner;
    }
}
