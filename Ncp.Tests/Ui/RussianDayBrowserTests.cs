using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static Ncp.Tests.Fixtures.PythonMail;

namespace Ncp.Tests.Ui;

/// <summary>
/// A Russian-speaking officer's whole day in Russian, against the real mail servers and crypto tools: the dashboard, a
/// request composed to a Russian-speaking OpenPGP partner, the partner's signed and encrypted reply in windows-1251 (made by
/// Python's email package and gpg) shown in Cyrillic on the timeline, a stranger's windows-1251 mail read on the quarantine
/// screen and rejected with a reason, a deadline extended, the answer recorded and the item closed. Every screen passes axe,
/// shows none of the UI's English words, no internal code and no ISO or US date, and is saved as <c>ru-NN-….png</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RussianDayBrowserTests(BrowserNcp ncp, Browser browser, ITestOutputHelper output)
{
    private const string ReplyText = "Абонент адреса: Иванов Иван Иванович, г. Алматы, ул. Абая, 1.\nС уважением, дежурный отдела К.";
    private const string HeldText = "Просим срочно сохранить журналы подключений.\nДежурная часть.";

    private static readonly OneLanguageBrowserTests.UiWords Words = new("ru");

    [Fact]
    public async Task A_russian_speaking_officer_works_a_whole_day_in_russian_and_every_screen_passes_axe_in_russian_words_and_dates()
    {
        var fr = await ncp.PartnerAsync("fr");
        var token = Guid.NewGuid().ToString("N")[..8];
        var subject = $"Данные абонента 203.0.113.{Random.Shared.Next(2, 250)} ({token})";
        var checks = new ScreenChecks(ncp, output);
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            try
            {
                await page.GotoAsync("/preferences/culture?culture=ru&returnUrl=%2F");
                await page.WaitForInteractiveAsync();
                await checks.ScreenAsync(page, "01-dashboard");

                var number = await ComposeAsync(page, fr, subject, checks);
                var reply = $"Re: Ответ на запрос {number}";
                await ReplyInWindows1251Async(fr, number, reply);
                // No reload: the page hears the reply, its windows-1251 subject and text in Cyrillic.
                var received = page.Locator("li[data-what=mail-received]");
                await Expect(received).ToContainTextAsync(reply, new() { Timeout = 90_000 });
                await received.GetByRole(AriaRole.Button, new() { Name = Words.Of("ItemMailView", "Show") }).ClickAsync();
                await Expect(page.GetByTestId("mail")).ToContainTextAsync("Иванов Иван Иванович");
                await checks.ScreenAsync(page, "04-item-reply");

                await RejectHeldMailAsync(page, checks);

                await page.GotoAsync($"/items/{number}");
                await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
                var newReplyBy = DateOnly.FromDateTime(DateTime.Today.AddDays(20));
                await ActAsync(page, checks, "Extend", "07-extend-dialog", async dialog =>
                {
                    // A list opened while the dialog was still re-rendering can close again: open it until the option shows.
                    await dialog.Locator(".mud-select").First.ClickUntilAsync(page.GetByRole(AriaRole.Option).Filter(new() { HasText = Words.Dialog("ReplyBy") }).First);
                    await page.GetByRole(AriaRole.Option).Filter(new() { HasText = Words.Dialog("ReplyBy") }).First.ClickAsync();
                    await dialog.GetByTestId("until-date").TypeDayAsync(newReplyBy);
                    await dialog.GetByTestId("until-time").FillAsync("13:00");
                    await dialog.GetByTestId("until-time").PressAsync("Tab");
                    await dialog.GetByLabel(Words.Dialog("Reason")).FillAsync("Партнёр попросил ещё время: ждёт ответа провайдера");
                });
                await Expect(page.Locator("li[data-what=deadline-extended]")).ToContainTextAsync($"{newReplyBy:dd.MM.yyyy} 13:00");
                await checks.ScreenAsync(page, "08-item-extended");

                await ActAsync(page, checks, "Answer", null, async dialog =>
                {
                    // A list opened while the dialog was still re-rendering can close again: open it until the option shows.
                    await dialog.Locator(".mud-select").First.ClickUntilAsync(page.GetByRole(AriaRole.Option).Filter(new() { HasText = Words.Dialog("Full") }).First);
                    await page.GetByRole(AriaRole.Option).Filter(new() { HasText = Words.Dialog("Full") }).First.ClickAsync();
                    await dialog.GetByLabel(Words.Dialog("Summary")).FillAsync("Абонент установлен.");
                    // A list opened while the dialog was still re-rendering can close again: open it until the option shows.
                    await dialog.GetByTestId("outcome-picker").ClickUntilAsync(page.GetByRole(AriaRole.Option).Filter(new() { HasText = Words.Of("Terms", "AnswerOutcome.DataProvided") }).First);
                    await page.GetByRole(AriaRole.Option).Filter(new() { HasText = Words.Of("Terms", "AnswerOutcome.DataProvided") }).First.ClickAsync();
                });
                await Expect(page.GetByTestId("outcome")).ToContainTextAsync(Words.Of("Terms", "AnswerOutcome.DataProvided"));
                await ActAsync(page, checks, "Close", null, dialog => dialog.GetByLabel(Words.Dialog("Reason")).FillAsync("Ответ получен полностью."));
                await Expect(page.GetByTestId("status")).ToContainTextAsync(Words.Of("Terms", "WorkItemStatus.Closed"));
                await checks.ScreenAsync(page, "09-item-closed");
            }
            finally
            {
                // The officer's language is remembered: the other browser tests of the run sign in as duty and read English.
                await page.GotoAsync("/preferences/culture?culture=en&returnUrl=%2F");
            }
        });

        output.WriteLine($"Screens checked: {string.Join(", ", checks.Screens)}");
        Assert.True(checks.Findings.Count == 0, "The Russian day found:\n" + string.Join("\n", checks.Findings));
    }

    // Compose in Russian to the Russian-speaking OpenPGP partner: the data period typed in dd.MM.yyyy into the day pickers.
    private static async Task<string> ComposeAsync(IPage page, MailPartner partner, string subject, ScreenChecks checks)
    {
        await page.GotoAsync("/compose");
        await page.WaitForInteractiveAsync();
        await page.PickPartnerAsync("partner", partner.Code, partner.Code);
        await page.GetByLabel(Words.Of("Compose", "Subject")).FillAsync(subject);
        var category = page.GetByRole(AriaRole.Option).Filter(new() { HasText = Words.Of("Terms", "CrimeCategory.InternetFraud") }).First;
        await page.GetByTestId("crime-category").ClickUntilAsync(category);
        await category.ClickAsync();
        await page.GetByLabel(Words.Of("Terms", "RequestedData.SubscriberData")).CheckAsync();
        await Field(page, "period-from").TypeDayAsync(new DateOnly(2026, 10, 1));
        await Field(page, "period-to").TypeDayAsync(new DateOnly(2026, 10, 31));
        await Expect(Field(page, "period-to")).ToHaveValueAsync("31.10.2026");
        await Expect(page.GetByTestId("deadlines")).ToBeVisibleAsync();
        await checks.ScreenAsync(page, "02-compose");
        await page.GetByRole(AriaRole.Button, new() { Name = Words.Of("Compose", "RegisterAndSend") }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/items/[A-Z]"));
        await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
        await Expect(page.Locator("li[data-what=mail-sent]")).ToBeVisibleAsync(new() { Timeout = 45_000 });
        await checks.ScreenAsync(page, "03-item-sent");
        return page.Url[(page.Url.LastIndexOf('/') + 1)..];
    }

    // The partner's client: Python's email package writes the windows-1251 text, gpg signs and encrypts it (PGP/MIME).
    private async Task ReplyInWindows1251Async(MailPartner partner, string number, string subject)
    {
        var sent = (await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{number}")).GetProperty("mail")[0].Str("messageId");
        var entity = Entity(new(ReplyText, "windows-1251", "base64"));
        await ncp.SendRawAsync(MailGateway.Pki.Gpg.EncryptedMail(
            entity, partner.Address, TestPki.NcpAddress, "", headers: new Dictionary<string, string>
            {
                ["Subject"] = Encoding.ASCII.GetString(SubjectValue(new(subject, "windows-1251", "b"))),
                ["In-Reply-To"] = $"<{sent}>",
                ["Message-ID"] = $"<{Guid.NewGuid():N}@partner.example>",
            }));
    }

    // A stranger's mail in windows-1251 (raw 8-bit subject, as old clients write it) is held; the officer reads it, then rejects it.
    private async Task RejectHeldMailAsync(IPage page, ScreenChecks checks)
    {
        var messageId = $"ru-day-{Guid.NewGuid():N}@elsewhere.example";
        var subject = $"Срочно: сохранить журналы {messageId[7..13]}";
        await ncp.SendRawAsync(Message(
            "dezhurny@elsewhere.example", TestPki.NcpAddress, new(subject, "windows-1251", "raw"), new(HeldText, "windows-1251", "8bit"),
            new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" }));
        await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync("/api/quarantine"),
            l => l.GetProperty("mail").EnumerateArray().Any(m => m.Str("messageId") == messageId), TimeSpan.FromSeconds(90));

        await page.GotoAsync("/quarantine");
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = Words.Of("QuarantineReview", "Open").Replace("{0}", subject, StringComparison.Ordinal) })
            .ClickAsync();
        var detail = page.GetByTestId("detail");
        await Expect(detail.GetByTestId("held-text")).ToContainTextAsync("Просим срочно сохранить журналы подключений.");
        await checks.ScreenAsync(page, "05-quarantine-held-mail");

        await detail.GetByLabel(Words.Of("QuarantineReview", "DecisionReason")).FillAsync("Отправитель не наш партнёр; позвонили в дежурную часть — письмо не от них");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await ClickForDialogAsync(detail.GetByTestId("reject"), dialog);
        await checks.ScreenAsync(page, "06-quarantine-confirm", screenshot: false);
        await dialog.GetByRole(AriaRole.Button, new() { Name = Words.Of("QuarantineReview", "ConfirmReject") }).ClickAsync();
        await Expect(page.GetByTestId("decision-outcome")).ToHaveTextAsync(Words.Of("QuarantineReview", "Outcome.Rejected"));
        await checks.ScreenAsync(page, "06-quarantine-rejected");
    }

    private static async Task ActAsync(IPage page, ScreenChecks checks, string action, string? screen, Func<ILocator, Task> fill)
    {
        var dialog = page.GetByRole(AriaRole.Dialog);
        // The page is live (data-live=on): one click opens the dialog, however long a loaded machine takes to show it.
        await page.GetByTestId("actions").GetByRole(AriaRole.Button, new() { Name = Words.Item($"Action.{action}"), Exact = true }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await fill(dialog);
        if (screen is not null)
        {
            await checks.ScreenAsync(page, screen);
        }

        await dialog.GetByRole(AriaRole.Button, new() { Name = Words.Item($"Action.{action}.Confirm"), Exact = true }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
    }

    // The panel may re-render under the first click (other tests' held mail arriving live), and a loaded machine may take
    // seconds to show the dialog: a second click only when none came, never one into the dialog's backdrop.
    private static async Task ClickForDialogAsync(ILocator button, ILocator dialog)
    {
        await button.ClickAsync();
        try
        {
            await dialog.WaitForAsync(new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            await button.ClickAsync();
        }

        await Expect(dialog).ToBeVisibleAsync();
    }

    // MudBlazor puts a field's attributes on its input or on the box around it, depending on the field.
    private static ILocator Field(IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    /// <summary>
    /// What every screen of the day is checked for: axe (WCAG 2.1 AA, as <see cref="AccessibilityTests"/>), the UI's English
    /// words and internal codes, ISO and US dates; the page is saved as <c>ru-NAME.png</c>. What people typed (subjects,
    /// names and mail addresses of officers and partners, held mail's senders) is data, not UI, and is left out of the language check.
    /// </summary>
    private sealed class ScreenChecks(BrowserNcp ncp, ITestOutputHelper output)
    {
        public List<string> Findings { get; } = [];

        public List<string> Screens { get; } = [];

        public async Task ScreenAsync(IPage page, string name, bool screenshot = true)
        {
            var before = Findings.Count;
            await AccessibilityTests.CheckAsync(page, name, Findings);
            var axe = Findings.Count == before;
            // A mail header's own name, shown as the technical reference it is (as "S/MIME" or "IP" would be).
            var text = (await WithoutDataAsync(await page.Locator("body").InnerTextAsync())).Replace("Message-ID", " ", StringComparison.Ordinal);
            Regex[] patterns =
            [
                PlainWordsBrowserTests.RawCode, PlainWordsBrowserTests.IsoTimestamp, PlainWordsBrowserTests.EnglishWord,
                OneLanguageBrowserTests.ForeignDate(), .. Words.EnglishPhrases,
            ];
            var english = patterns.SelectMany(p => p.Matches(text)).Select(m => m.Value).Distinct().ToList();
            Findings.AddRange(english.Select(found => $"{name}: “{found}” on a Russian screen"));

            if (screenshot)
            {
                await Browser.ScreenshotAsync(page, $"ru-{name}");
            }

            Screens.Add($"{name} (axe {(axe ? "passed" : "FAILED")}, words {(english.Count == 0 ? "passed" : "FAILED")})");
            output.WriteLine(string.Join(Environment.NewLine, [Screens[^1], .. Findings[before..]]));
        }

        private async Task<string> WithoutDataAsync(string text)
        {
            var duty = ncp.ClientFor("duty");
            var data = DevelopmentSignIn.Users.Select(u => u.Name).ToList();
            data.AddRange((await duty.GetJsonAsync("/api/partners")).EnumerateArray()
                .SelectMany(p => new[] { p.Str("code"), p.GetProperty("profile").Str("name") }
                    .Concat(p.GetProperty("profile").GetProperty("addresses").EnumerateArray().Select(a => a.GetString() ?? ""))));
            foreach (var held in (await duty.GetJsonAsync("/api/quarantine")).GetProperty("mail").EnumerateArray())
            {
                data.AddRange([held.Str("subject"), held.Str("from")]);
            }

            string? after = null;
            do
            {
                var items = await duty.GetJsonAsync($"/api/items?limit=200{(after is null ? "" : $"&after={after}")}");
                data.AddRange(items.GetProperty("items").EnumerateArray().Select(i => i.Str("subject")));
                after = items.GetProperty("next").GetString();
            }
            while (after is not null);

            return data.Where(d => d.Length > 0).Distinct().OrderByDescending(d => d.Length)
                .Aggregate(text, (t, d) => t.Replace(d, " ", StringComparison.Ordinal));
        }
    }
}
