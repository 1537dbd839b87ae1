using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// The item page stays in the officer's language and date format through everything that re-renders it: the officer's
/// own actions through their dialogs, the live update each of them echoes, and a colleague's change arriving live.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class OneLanguageBrowserTests(BrowserNcp ncp, Browser browser)
{
    private const string Partner = "DE-CYBER247";
    private const string Colleague = "Supervisor (demo)";

    [Fact]
    public async Task In_russian_and_then_kazakh_every_action_and_live_change_on_the_item_page_keeps_the_language_and_dd_mm_yyyy_dates()
    {
        var duty = ncp.ClientFor("duty");
        var partnerName = (await duty.GetJsonAsync($"/api/partners/{Partner}")).GetProperty("partner").GetProperty("profile").Str("name");
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("head");
            try
            {
                foreach (var language in new[] { "ru", "kk" })
                {
                    var words = new UiWords(language);
                    var item = await duty.RegisterAsync(ItemsApi.IncomingRequest(Partner, $"{words.Sample} {Guid.NewGuid():N}", DateTimeOffset.UtcNow.AddDays(5)));
                    var number = item.Number();
                    await page.GotoAsync($"/preferences/culture?culture={language}&returnUrl={Uri.EscapeDataString($"/items/{number}")}");
                    await page.WaitForInteractiveAsync();
                    await Expect(page.Locator("[data-testid=item-page][data-live=on]")).ToBeAttachedAsync();
                    var check = new PageCheck(page, words, [partnerName, Colleague, "Head of Unit (demo)", "Duty Officer (demo)"]);
                    await check.OneLanguageAsync("opened");

                    await check.ActAsync("Note", dialog => dialog.GetByLabel(words.Dialog("Note")).FillAsync(words.Sample), () =>
                        Expect(page.Locator("li[data-what=note]")).ToContainTextAsync(words.Sample));

                    var newReplyBy = DateTime.Today.AddDays(10);
                    await check.ActAsync("Extend", async dialog =>
                    {
                        await dialog.Locator(".mud-select").First.ClickAsync();
                        await page.GetByRole(AriaRole.Option).Filter(new() { HasText = words.Dialog("ReplyBy") }).First.ClickAsync();
                        await dialog.GetByTestId("until-date").TypeDayAsync(DateOnly.FromDateTime(newReplyBy));
                        await FillPickerAsync(dialog.GetByTestId("until-time"), "13:00");
                        await dialog.GetByLabel(words.Dialog("Reason")).FillAsync(words.Sample);
                    }, () => Expect(page.Locator("time").Filter(new() { HasText = $"{newReplyBy:dd.MM.yyyy} 13:00" }).First).ToBeVisibleAsync());

                    await check.ActAsync("Assign", async dialog =>
                    {
                        await dialog.GetByTestId("officer-picker").ClickAsync();
                        await page.GetByRole(AriaRole.Option).Filter(new() { HasText = Colleague }).First.ClickAsync();
                    }, () => Expect(page.GetByTestId("assignee")).ToHaveTextAsync(Colleague));

                    // Last of the officer's own: the acknowledgement mail it sends changes the item again (not delivered: no key).
                    await check.ActAsync("Acknowledge", async _ => { }, () =>
                        Expect(page.GetByTestId("actions").GetByRole(AriaRole.Button, new() { Name = words.Item("Action.Acknowledge"), Exact = true }))
                            .ToHaveCountAsync(0));

                    // A colleague's change, through a second client, arriving live.
                    await check.CloseNoticesAsync();
                    var colleagues = $"{words.Sample} — {Guid.NewGuid():N}";
                    await ncp.ClientFor("supervisor").ActAsync(number, "notes", new { text = colleagues });
                    await Expect(page.Locator("[data-testid=timeline]")).ToContainTextAsync(colleagues);
                    await check.OneLanguageAsync("a colleague's note arrived live");
                    await Browser.ScreenshotAsync(page, $"item-detail-{language}-after-actions");
                }
            }
            finally
            {
                // The officer's language is remembered: give the next test its English officer back, from another browser so
                // that this page stays as it was for the failure's screenshot.
                var other = await browser.NewContextAsync(ncp.BaseAddress);
                var otherPage = await other.NewPageAsync();
                await otherPage.SignInAsync("head");
                await otherPage.GotoAsync("/preferences/culture?culture=en&returnUrl=%2F");
                await other.CloseAsync();
            }
        });
    }

    private static async Task FillPickerAsync(ILocator input, string text)
    {
        await input.FillAsync(text);
        await input.PressAsync("Tab");
    }

    /// <summary>What the officer reads on the page, checked after each action once its live echo has re-rendered the page.</summary>
    private sealed class PageCheck(IPage page, UiWords words, string[] names)
    {
        private readonly ILocator notices = page.Locator(".mud-snackbar");

        // The page's "updated just now" line, beside the heading: its data-at changes with each live update.
        private readonly ILocator updated = page.GetByTestId("updated");
        private string seen = "none";

        public async Task ActAsync(string action, Func<ILocator, Task> fill, Func<Task> done)
        {
            await CloseNoticesAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            // The page is live (data-live=on): one click opens the dialog, however long a loaded machine takes to show it.
            await page.GetByTestId("actions").GetByRole(AriaRole.Button, new() { Name = words.Item($"Action.{action}"), Exact = true }).ClickAsync();
            await Expect(dialog).ToBeVisibleAsync();
            await fill(dialog);
            await dialog.GetByRole(AriaRole.Button, new() { Name = words.Item($"Action.{action}.Confirm"), Exact = true }).ClickAsync();
            await Expect(dialog).ToHaveCountAsync(0);
            await done();
            await OneLanguageAsync(action);
        }

        public async Task CloseNoticesAsync()
        {
            // A notice may be leaving on its own while it is clicked: click what is still there, then wait for none.
            for (var attempt = 0; attempt < 20 && await notices.CountAsync() > 0; attempt++)
            {
                try
                {
                    await notices.First.GetByRole(AriaRole.Button).ClickAsync(new() { Timeout = 1_000, Force = true });
                }
                catch (Exception e) when (e is TimeoutException or PlaywrightException)
                {
                }
            }

            await Expect(notices).ToHaveCountAsync(0, new() { Timeout = 15_000 });
            seen = await updated.GetAttributeAsync("data-at") ?? "none";
        }

        /// <summary>After the live update (the page's "updated just now" notice, in whatever language it came): no English, no foreign dates.</summary>
        public async Task OneLanguageAsync(string after)
        {
            if (after != "opened")
            {
                await Expect(updated).Not.ToHaveAttributeAsync("data-at", seen, new() { Timeout = 30_000 });
                await Expect(updated).ToContainTextAsync(words.Item("UpdatedJustNow"));
                seen = await updated.GetAttributeAsync("data-at") ?? "none";
            }

            var text = await ReadAsync();
            var english = words.EnglishPhrases.Where(p => p.IsMatch(text)).Select(p => p.Match(text).Value).Distinct().ToList();
            Assert.True(english.Count == 0, $"After {after} the {words.Language} page shows English: {string.Join(" | ", english)}\n{text}");
            var foreign = ForeignDate().Matches(text).Select(m => m.Value).ToList();
            Assert.True(foreign.Count == 0, $"After {after} the {words.Language} page shows foreign dates: {string.Join(" | ", foreign)}\n{text}");
            var times = await page.Locator("main time").AllInnerTextsAsync();
            Assert.NotEmpty(times);
            Assert.All(times, t => Assert.Matches(UnitDate(), t));
        }

        // The page and its notices as the officer reads them, without the timeline's texts (server-made sentences, another
        // piece of work; the longest first, as one may hold another) and the names of people and partners.
        private async Task<string> ReadAsync()
        {
            var text = await page.EvaluateAsync<string>("""
                () => {
                    const main = document.querySelector("main").innerText;
                    const own = [...document.querySelectorAll("main .ncp-timeline-text")].map(e => e.innerText).sort((a, b) => b.length - a.length);
                    const notices = [...document.querySelectorAll(".mud-snackbar")].map(e => e.innerText).join("\n");
                    return own.reduce((t, o) => o ? t.split(o).join(" ") : t, main) + "\n" + notices;
                }
                """);
            return names.Aggregate(text, (t, name) => t.Replace(name, " ", StringComparison.Ordinal));
        }
    }

    /// <summary>A component's texts from its .resx files, in the page's language and in English (to spot English on the page).</summary>
    internal sealed class UiWords
    {
        private static readonly string Ui = Path.Combine(TestServers.RepositoryRoot, "Ncp.Api", "Ui");
        private static readonly Regex Placeholder = new(@"\{\d+[^}]*\}");

        public UiWords(string language)
        {
            Language = language;
            EnglishPhrases = [.. Directory.EnumerateFiles(Ui, "*.resx", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f).Count(c => c == '.') == 1)
                .SelectMany(f => EnglishOnly(Read(f), Read(Path.ChangeExtension(f, $".{language}.resx"))))
                .Distinct()
                .Select(p => new Regex($@"(?<![\p{{L}}]){Regex.Escape(p)}(?![\p{{L}}])"))];
        }

        public string Language { get; }

        /// <summary>Every English phrase of the UI that this language words differently.</summary>
        public IReadOnlyList<Regex> EnglishPhrases { get; }

        public string Sample => Language == "kk" ? "Серіктестің кезекшісіне хабарластық" : "Связались с дежурным партнёра";

        public string Item(string key) => Read(Path.Combine(Ui, "Items", $"ItemDetail.{Language}.resx"))[key];

        public string Dialog(string key) => Read(Path.Combine(Ui, "Items", $"ItemActionDialog.{Language}.resx"))[key];

        public string English(string key) => Read(Path.Combine(Ui, "Items", "ItemDetail.resx"))[key];

        /// <summary>The text <paramref name="key"/> of the component <paramref name="component"/> (its .resx anywhere in the UI).</summary>
        public string Of(string component, string key) =>
            Read(Directory.EnumerateFiles(Ui, $"{component}.{Language}.resx", SearchOption.AllDirectories).Single())[key];

        private static Dictionary<string, string> Read(string file) =>
            File.Exists(file)
                ? XDocument.Load(file).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!)
                : [];

        // Phrases of two words and more, or words of seven letters and more: short words ("Add", "Note") could be anyone's.
        private static IEnumerable<string> EnglishOnly(Dictionary<string, string> english, Dictionary<string, string> translated) =>
            english.Where(e => translated.TryGetValue(e.Key, out var t) && t != e.Value)
                .SelectMany(e => Placeholder.Split(e.Value))
                .Select(f => f.Trim(' ', '.', ',', ':', ';', '(', ')', '—', '–', '…', '"', '\''))
                .Where(f => Phrase().IsMatch(f) && (f.Contains(' ', StringComparison.Ordinal) || f.Length >= 7));
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z' -]*[A-Za-z]$")]
    private static partial Regex Phrase();

    [GeneratedRegex(@"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:AM|PM)\b|\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?Z?)?\b")]
    internal static partial Regex ForeignDate();

    [GeneratedRegex(@"^\d{2}\.\d{2}\.\d{4}( \d{2}:\d{2})?$")]
    private static partial Regex UnitDate();
}
