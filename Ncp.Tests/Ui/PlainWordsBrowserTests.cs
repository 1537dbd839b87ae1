using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Ncp.Api.Ui.SigningIn;
using Ncp.Contracts.Deadlines;
using Ncp.Contracts.Mail;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// The main screens in English, Russian and Kazakh, read as an officer reads them: no internal code, no ISO timestamp,
/// and (in Russian and Kazakh) none of the UI's English words.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PlainWordsBrowserTests(BrowserNcp ncp, Browser browser)
{
    // Enum members, kebab codes and schemes the Api and the Worker speak; none of them is a word an officer should read.
    internal static readonly Regex RawCode = new(
        @"\b(TwentyFourSeven|HeadOfUnit|DutyOfficer|AssignedOfficer|UseAnotherChannel|SendPreservationRequest|EscalateThroughNationalAuthority"
        + @"|AcknowledgeBy|ReplyBy|UsefulUntil|PartlyAnswered|InitiativeMessage|LegalAssistanceTask|CisBkbop)\b"
        + @"|\b(reply-by|useful-until|acknowledge-by):|\b(signer-not-partner|unknown-sender|not-delivered|urgent-request|high-request|normal-request)\b"
        + @"|\b(smime|openpgp|plaintext)\b|\bmon tue wed\b|\b(de|en|ru|kk), (de|en|ru|kk)\b|The hash value is not correct",
        RegexOptions.CultureInvariant);

    internal static readonly Regex IsoTimestamp = new(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?Z?", RegexOptions.CultureInvariant);

    // Words of the English screens (labels, headings, timeline sentences) that no partner's or officer's data here holds.
    internal static readonly Regex EnglishWord = new(
        @"\b(Timeline|Deadlines|Acknowledge by|Reply by|Useful until|Particulars|Registered as|Sent to the partner|Receipt acknowledged"
        + @"|Deadline warning|To be told|Suggested|Mail from|Mail sent|Deadline extended|Reason:|Subject:|Dashboard|Quarantine|Partner directory"
        + @"|Sign out|Loading|Languages|Office hours|Not delivered|Signed by someone else|Unknown sender|week before)\b",
        RegexOptions.CultureInvariant);

    [Fact]
    public async Task Every_main_screen_in_English_Russian_and_Kazakh_shows_words_and_local_dates_and_no_internal_code()
    {
        var (item, partnerCode) = await ItemWithAFullTimelineAsync();
        var held = $"Held {Guid.NewGuid():N}"[..14];
        // Held because a stranger signed it, with the crypto library's own words as the gateway's detail.
        await ncp.ReportMailQuarantinedAsync(held, "signer-not-partner", "The hash value is not correct.");
        (string Screen, string Path, Func<IPage, Task> Ready)[] screens =
        [
            ("dashboard", "/", page => Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync()),
            ("items", $"/items?partner={partnerCode}", page => Expect(page.GetByRole(AriaRole.Link, new() { Name = item, Exact = true })).ToBeVisibleAsync()),
            ("item", $"/items/{item}", page => Expect(page.Locator("li[data-what=escalated]")).ToHaveCountAsync(2)),
            ("compose", "/compose?partner=DE-CYBER247", page => Expect(page.GetByTestId("language")).ToBeVisibleAsync()),
            ("partners", "/partners", page => Expect(page.GetByTestId("partners").GetByText("DE-CYBER247", new() { Exact = true })).ToBeVisibleAsync()),
            ("quarantine", "/quarantine", page => Expect(page.GetByTestId("held").GetByText(held)).ToBeVisibleAsync()),
        ];
        var findings = new List<string>();
        foreach (var language in new[] { "en", "ru", "kk" })
        {
            await browser.RunAsync(ncp.BaseAddress, async page =>
            {
                await page.SignInAsync("duty");
                try
                {
                    await page.GotoAsync($"/preferences/culture?culture={language}&returnUrl=%2F");
                    foreach (var (screen, path, ready) in screens)
                    {
                        await page.GotoAsync(path);
                        await page.WaitForInteractiveAsync();
                        await ready(page);
                        var text = await page.Locator("body").InnerTextAsync();
                        findings.AddRange(Findings(text, language == "en" ? [RawCode, IsoTimestamp] : [RawCode, IsoTimestamp, EnglishWord])
                            .Select(found => $"{language} {screen}: {found}"));
                        if (screen == "item")
                        {
                            await ExpectRungsInWordsAsync(page, language);
                            await Browser.ScreenshotAsync(page, $"item-timeline-{language}");
                        }
                    }
                }
                finally
                {
                    // The choice is remembered for the officer: the other browser tests of the run sign in as duty too.
                    await page.GotoAsync("/preferences/culture?culture=en&returnUrl=%2F");
                }
            });
        }

        Assert.True(findings.Count == 0, "Internal words or ISO timestamps on screen:\n" + string.Join("\n", findings));
    }

    [Theory]
    [InlineData("ru", "Показать письмо", "Тема вне подписи отличается: «Pay the fee to IBAN XX00 today»; показано защищённое значение «{0}».")]
    [InlineData("kk", "Хатты көрсету", "Қолтаңбадан тыс тақырып басқаша: «Pay the fee to IBAN XX00 today»; қорғалған «{0}» мәні көрсетілген.")]
    public async Task The_gateways_warnings_on_a_partners_mail_read_in_the_officers_language_and_an_older_mails_words_still_show(
        string language, string show, string subjectDiffers)
    {
        var de = await ncp.PartnerAsync("de");
        var (sent, messageId) = await ncp.SendRequestAsync(de, $"Warnings in words {Guid.NewGuid():N}"[..30]);
        var number = sent.Number();
        var signedSubject = $"Subscriber data as signed {Guid.NewGuid():N}"[..34];
        // RFC 9788 header protection (openssl signs and encrypts it): the subject outside was changed on the way, and the
        // In-Reply-To that threads it is only inside.
        var inner = $"Content-Type: text/plain; charset=utf-8; hp=\"cipher\"\r\nSubject: {signedSubject}\r\nFrom: {de.Address}\r\n"
            + $"In-Reply-To: <{messageId}>\r\n\r\nThe subscriber is John Doe.";
        var partner = MailGateway.Pki.Partner("de");
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            inner, de.Address, "ncp@ncp.example", "Pay the fee to IBAN XX00 today", partner.CertPem, partner.KeyPem, MailGateway.Pki.Ncp.CertPem,
            headers: new Dictionary<string, string> { ["Message-ID"] = $"<{Guid.NewGuid():N}@partner.example>" }));
        await ncp.ReceivedAsync(number);
        // Filed before the gateway sent codes: its warning is the gateway's English sentence alone.
        var olderSubject = $"Older mail {Guid.NewGuid():N}"[..24];
        const string olderWords = "Signed on 2026-01-01 10:00 UTC, 30 days before it arrived (2026-01-31 10:00 UTC): an old mail sent late, or sent again.";
        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(new PartnerMailReceived(
            Guid.CreateVersion7(), $"{Guid.NewGuid():N}@partner.example", de.Code, de.Address, olderSubject, "Old text.", null,
            sent.GetProperty("id").GetGuid(), [], "smime", "valid", null, [], null, DateTimeOffset.UtcNow, [olderWords]));
        await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync($"/api/items/{number}"),
            i => i.GetProperty("timeline").EnumerateArray().Count(t => t.Str("what") == "mail-received") == 2,
            TimeSpan.FromSeconds(60));

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            try
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink(language, $"/items/{number}"));
                await page.WaitForInteractiveAsync();
                var received = page.Locator("li[data-what=mail-received]");
                var signed = received.Filter(new() { HasText = signedSubject });
                await signed.GetByRole(AriaRole.Button, new() { Name = show }).ClickAsync();
                var warnings = signed.GetByTestId("mail-warning");
                await Expect(warnings.First).ToHaveTextAsync(string.Format(CultureInfo.InvariantCulture, subjectDiffers, signedSubject));
                await Expect(warnings).ToHaveCountAsync(2);
                foreach (var said in await warnings.AllInnerTextsAsync())
                {
                    Assert.DoesNotMatch(new Regex("differs|outside|signature|encryption|protected"), said);
                }

                var older = received.Filter(new() { HasText = olderSubject });
                await older.GetByRole(AriaRole.Button, new() { Name = show }).ClickAsync();
                await Expect(older.GetByTestId("mail-warning")).ToHaveTextAsync(olderWords);
                await Browser.ScreenshotAsync(page, $"mail-warnings-{language}");
            }
            finally
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink("en", "/"));
            }
        });
    }

    private static IEnumerable<string> Findings(string text, Regex[] patterns) =>
        from pattern in patterns
        from Match found in pattern.Matches(text)
        select $"“{found.Value}” in “…{Around(text, found)}…”";

    private static string Around(string text, Match found)
    {
        var from = Math.Max(0, found.Index - 40);
        return text[from..Math.Min(text.Length, found.Index + found.Length + 40)].ReplaceLineEndings(" ");
    }

    // The two rungs reached are named as the officer says them, not as the ladder spells them.
    private static async Task ExpectRungsInWordsAsync(IPage page, string language)
    {
        var (share, before) = language switch
        {
            "ru" => ("80 % срока ответа", "за неделю до возможного удаления данных"),
            "kk" => ("жауап беру мерзімінің 80 %", "деректер жойылуы мүмкін мерзімге бір апта қалғанда"),
            _ => ("80 % of the time to reply", "a week before the data may be deleted"),
        };
        var escalated = page.Locator("li[data-what=escalated]");
        await Expect(escalated.Filter(new() { HasText = share })).ToHaveCountAsync(1);
        await Expect(escalated.Filter(new() { HasText = before })).ToHaveCountAsync(1);
        // Every instant of the timeline is a <time> the officer's zone and format wrote, sentences included.
        await Expect(page.Locator("li[data-what=deadline-extended] .ncp-timeline-text time")).ToHaveCountAsync(1);
    }

    /// <summary>
    /// An outgoing request sent by mail, answered by the partner's signed and encrypted mail, acknowledged with the
    /// partner's reference, its reply deadline extended, a note added, and two rungs reached (the Worker's clock rings
    /// them early, as <see cref="ItemsApi.EscalateAsync"/> does); returns its register number and partner.
    /// </summary>
    private async Task<(string Number, string PartnerCode)> ItemWithAFullTimelineAsync()
    {
        var de = await ncp.PartnerAsync("de");
        var (sent, messageId) = await ncp.SendRequestAsync(de, $"Данные абонента 203.0.113.7, {Guid.NewGuid():N}"[..38]);
        var number = sent.Number();
        var partner = MailGateway.Pki.Partner("de");
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nAbonent: Ivan Petrov.\r\n", de.Address, "ncp@ncp.example", $"Re: {number}",
            partner.CertPem, partner.KeyPem, MailGateway.Pki.Ncp.CertPem,
            headers: new Dictionary<string, string> { ["In-Reply-To"] = $"<{messageId}>", ["Message-ID"] = $"<{Guid.NewGuid():N}@partner.example>" }));
        await ncp.ReceivedAsync(number);

        var duty = ncp.ClientFor("duty");
        await duty.ActAsync(number, "acknowledge", new { partnerReference = "BKA-77/26" });
        var replyBy = sent.GetProperty("deadlines").GetProperty("replyBy").GetDateTimeOffset();
        await duty.ActAsync(number, "deadlines/extend", new { deadline = "reply-by", until = replyBy.AddDays(2), reason = "Партнёр просил два дня" });
        var item = await duty.ActAsync(number, "notes", new { text = "Звонили дежурному партнёра" });

        var bus = ncp.Worker.Services.GetRequiredService<IBus>();
        foreach (var step in item.GetProperty("deadlines").GetProperty("steps").EnumerateArray()
                     .Where(s => s.Str("name") is "reply-by:80%" or "useful-until:-7d"))
        {
            await bus.Publish(new WakeUpDue(item.GetProperty("id").GetGuid(), step.Str("name"), step.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow));
        }

        await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{number}"),
            i => i.GetProperty("timeline").EnumerateArray().Count(t => t.Str("what") == "escalated") == 2,
            TimeSpan.FromSeconds(60));
        return (number, de.Code);
    }
}
