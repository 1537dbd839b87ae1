using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Partners;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// The compose screen in a real browser: a full request with its substance, the warnings before it goes out, and the item
/// page showing what was asked for.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ComposeRequestBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public Task An_art_29_preservation_with_two_identifiers_and_a_file_is_warned_about_then_sent_and_its_page_shows_the_whole_request() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            var ip = $"198.51.100.{Random.Shared.Next(2, 250)}";
            var email = $"suspect-{Guid.NewGuid():N}@example.com";
            var caseNumber = $"2615{Random.Shared.NextInt64(10_000_000_000, 99_999_999_999)}";
            var open = await ncp.ClientFor("duty").RegisterAsync(AboutEmail(email, caseNumber));
            var file = Path.Combine(Path.GetTempPath(), $"chat-export-{Guid.NewGuid():N}.txt");
            await File.WriteAllTextAsync(file, "Chat export: the victim was told to pay to the account.");
            // Reached first through CSTO, which the duty officer is not cleared for; then bilaterally, then the 24/7 network.
            var bilateral = PartnerDirectoryTests.Profile($"{ncp.RunId.ToUpperInvariant()}-BILATERAL");
            bilateral["channels"] = new JsonArray("csto", "bilateral", "24-7");
            await ItemsApi.ExpectAsync(await ncp.ClientFor("admin").PostAsJsonAsync("/api/partners", bilateral), HttpStatusCode.Created);
            try
            {
                await page.SignInAsync("duty");
                await page.GotoAsync("/compose");
                await page.WaitForInteractiveAsync();

                await KindsChosenWithTheKeyboardAsync(page);

                // The channel starts at the partner's first channel the officer is cleared for, and offers only those.
                await page.PickPartnerAsync("partner", bilateral["code"]!.GetValue<string>(), bilateral["code"]!.GetValue<string>());
                await Expect(page.GetByTestId("channel")).ToHaveTextAsync("Bilateral");
                var channels = page.GetByRole(AriaRole.Option);
                await page.GetByTestId("channel").ClickUntilAsync(channels.First);
                await Expect(channels).ToHaveTextAsync(["Bilateral", "24/7 network"]);
                await page.Keyboard.PressAsync("Escape");
                await Expect(channels).ToHaveCountAsync(0);

                // The seeded partner has no key here: said as soon as it is chosen.
                await page.PickPartnerAsync("partner", "DE-CYBER", "DE-CYBER247");
                await Expect(page.GetByTestId("partner-key")).ToContainTextAsync("no usable encryption key");
                await ChooseAsync(page, "form", "Expedited preservation");
                await page.GetByLabel("Subject").FillAsync($"Preserve logs of {ip} and {email}");
                await ChooseAsync(page, "crime-category", "Internet fraud");
                await page.GetByLabel("Offence, with the article").FillAsync("Fraud, Criminal Code art. 190 part 4");
                await page.GetByLabel("Why it is urgent").FillAsync("Connection logs are kept 7 days");
                await page.GetByLabel("Summary of facts").FillAsync("On 15 January 2024 the victim paid 2.4 million tenge to a fake shop.");
                await page.GetByLabel("Legal basis").FillAsync("Budapest Convention art. 29; CPC art. 572");
                await Field(page, "case-number").FillAsync(caseNumber);
                // Traffic data of early 2024, kept 7 days by the partner's providers: long gone.
                await page.GetByLabel("Traffic data").CheckAsync();
                // Typed in the officer's format into the unit's own day pickers (a browser's date box wrote mm/dd/yyyy).
                await Field(page, "period-from").TypeDayAsync(new DateOnly(2024, 1, 1));
                await Field(page, "period-to").TypeDayAsync(new DateOnly(2024, 1, 31));

                await page.GetByTestId("add-identifier").ClickUntilAsync(page.GetByTestId("identifier-0"));
                await Field(page, "identifier-0-value").FillAsync(ip);
                await Field(page, "identifier-0-qualifier").FillAsync("51234");
                // Without its time the Api refuses the address, and says so on that row's time.
                await page.GetByTestId("save-draft").ClickAsync();
                await Expect(page.GetByTestId("identifier-0")).ToContainTextAsync("Required for an IP address");
                await Field(page, "identifier-0-at-date").TypeDayAsync(new DateOnly(2024, 1, 15));
                await Field(page, "identifier-0-at-time").FillAsync("21:15:07");
                await Expect(Field(page, "period-from")).ToHaveValueAsync("01.01.2024");
                await page.GetByTestId("add-identifier").ClickAsync();
                await Expect(page.GetByTestId("identifier-1")).ToBeVisibleAsync();
                await ChooseAsync(page, "identifier-1-type", "E-mail address");
                await Field(page, "identifier-1-value").FillAsync(email);
                await page.GetByTestId("files").Locator("input[type=file]").SetInputFilesAsync(file);
                await Expect(page.GetByTestId("file")).ToContainTextAsync(Path.GetFileName(file));
                await Expect(page.GetByTestId("deadlines")).ToContainTextAsync("Useful until");
                await Browser.ScreenshotAsync(page, "05b-compose-request");

                await page.GetByRole(AriaRole.Button, new() { Name = "Register and send" }).ClickAsync();
                var warnings = page.GetByRole(AriaRole.Dialog);
                await Expect(warnings.GetByTestId("warning-no-usable-key")).ToContainTextAsync("DE-CYBER247");
                await Expect(warnings.GetByTestId("warning-useful-until-past")).ToContainTextAsync("the data is probably deleted");
                // Found by the address's normal form (lower case), though the earlier item wrote it in capitals.
                await Expect(warnings.GetByTestId("warning-identifier-open").Filter(new() { HasText = email })).ToContainTextAsync(open.Number());
                await Expect(warnings.GetByTestId("warning-case-number-open")).ToContainTextAsync(open.Number());
                await Expect(warnings.GetByTestId("send-anyway")).ToBeDisabledAsync();
                await Browser.ScreenshotAsync(page, "05c-compose-warnings");
                await Field(page, "send-anyway-reason").FillAsync("The partner's desk confirmed by phone that a backup may still hold them");
                await warnings.GetByTestId("send-anyway").ClickAsync();

                await page.WaitForURLAsync(ItemPage());
                var request = page.GetByTestId("request");
                await Expect(request.GetByTestId("request-form")).ToContainTextAsync("Expedited preservation");
                await Expect(request.GetByTestId("request-handling")).ToContainTextAsync("TLP:GREEN");
                await Expect(request.GetByTestId("request-offence")).ToContainTextAsync("art. 190 part 4");
                await Expect(request.GetByTestId("request-urgency")).ToContainTextAsync("kept 7 days");
                await Expect(request.GetByTestId("request-facts")).ToContainTextAsync("fake shop");
                await Expect(request.GetByTestId("request-identifier-0")).ToContainTextAsync(ip);
                await Expect(request.GetByTestId("request-identifier-0")).ToContainTextAsync("port 51234");
                await Expect(request.GetByTestId("request-identifier-0")).ToContainTextAsync("15.01.2024 21:15:07 Asia/Almaty");
                await Expect(request.GetByTestId("request-identifier-0")).ToContainTextAsync("Traffic data");
                await Expect(request.GetByTestId("request-identifier-0")).ToContainTextAsync("01.01.2024 – 31.01.2024");
                await Expect(request.GetByTestId("request-identifier-1")).ToContainTextAsync(email);
                await Expect(request.GetByTestId("request-files")).ToContainTextAsync(Path.GetFileName(file));
                await Expect(page.Locator("li[data-what=note]")).ToContainTextAsync("a backup may still hold them");
                await Expect(page.Locator("li[data-what=sent]")).ToBeAttachedAsync();
                await Browser.ScreenshotAsync(page, "06b-item-request");
            }
            finally
            {
                File.Delete(file);
            }
        });

    [Fact]
    public Task One_message_to_an_S_MIME_and_an_OpenPGP_partner_makes_a_group_of_two_items_and_mails_each_partner_in_its_language() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            var (de, fr) = (await ncp.PartnerAsync("de"), await ncp.PartnerAsync("fr"));
            var subject = $"Botnet C2 seen at 203.0.113.{Random.Shared.Next(2, 250)} {Guid.NewGuid():N}";
            await page.SignInAsync("duty");
            await page.GotoAsync("/compose");
            await page.WaitForInteractiveAsync();

            await ChooseAsync(page, "kind", "Initiative message");
            await page.PickPartnerAsync("partner", de.Code, de.Code);
            await page.PickPartnerAsync("add-partner", fr.Code, fr.Code);
            await Expect(page.GetByTestId("also-to-partner")).ToContainTextAsync(fr.Code);
            await Expect(page.GetByTestId("group-explained")).ToContainTextAsync("2 partners");
            // Each partner's own channel and language: the one-partner choices are gone.
            await Expect(page.GetByTestId("channel")).ToHaveCountAsync(0);
            await page.GetByLabel("Subject").FillAsync(subject);
            await ChooseAsync(page, "crime-category", "Internet fraud");
            await page.GetByLabel("Summary of facts").FillAsync("A command-and-control server of a banking botnet answers at this address.");
            await Browser.ScreenshotAsync(page, "05d-compose-group");
            await page.GetByRole(AriaRole.Button, new() { Name = "Register and send" }).ClickAsync();

            await page.WaitForURLAsync(ItemPage());
            var group = page.GetByTestId("item-group");
            await Expect(group).ToContainTextAsync(de.Code);
            await Expect(group).ToContainTextAsync(fr.Code);
            await Browser.ScreenshotAsync(page, "06c-item-group");

            var duty = ncp.ClientFor("duty");
            var numbers = await duty.ListAllAsync($"q={Uri.EscapeDataString(subject)}");
            Assert.Equal(2, numbers.Count);
            var items = new List<JsonElement>();
            foreach (var number in numbers)
            {
                // Each partner's mail went out through the gateway, encrypted to that partner's key.
                items.Add(await NcpSystem.EventuallyAsync(
                    () => duty.GetJsonAsync($"/api/items/{number}"),
                    i => i.GetProperty("mail").EnumerateArray().Any(m => m.Str("status") is "sent" or "not-delivered"),
                    TimeSpan.FromSeconds(60)));
            }

            Assert.All(items, i => Assert.Equal("sent", i.GetProperty("mail")[0].Str("status")));
            Assert.Single(items.Select(i => i.Str("groupId")).Distinct());
            Assert.Equal(
                [(de.Code, "en"), (fr.Code, "ru")],
                items.Select(i => (i.Str("partnerCode"), i.Str("language"))).OrderBy(p => p.Item1, StringComparer.Ordinal));
            await Expect(page.Locator("li[data-what=sent]")).ToBeAttachedAsync();
        });

    [Fact]
    public Task Typing_Герм_in_Russian_finds_Germany_s_partner_in_the_compose_picker() =>
        browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            try
            {
                await page.GotoAsync("/preferences/culture?culture=ru&returnUrl=%2Fcompose");
                await page.WaitForInteractiveAsync();

                await page.PickPartnerAsync("partner", "Герм", "DE-CYBER247");

                await Expect(page.GetByTestId("partner-info")).ToContainTextAsync("Германия");
                await Expect(Field(page, "partner")).ToHaveValueAsync(new Regex("^DE-CYBER247"));
            }
            finally
            {
                // The officer's language is kept for the officer: the other tests of the run read English.
                await page.GotoAsync("/preferences/culture?culture=en&returnUrl=%2F");
            }
        });

    /// <summary>A draft already about the address and the case: open, so composing another request about either is warned of.</summary>
    private static JsonObject AboutEmail(string email, string caseNumber)
    {
        var body = ItemsApi.OutgoingRequest(subject: $"Earlier request about {email}");
        body["criminalCaseNumber"] = caseNumber;
        body["content"] = new JsonObject
        {
            ["form"] = "stored-data",
            ["identifiers"] = new JsonArray(new JsonObject
            {
                ["type"] = "email",
                ["value"] = email.ToUpperInvariant(),
                ["data"] = new JsonArray("subscriber-data"),
                ["period"] = new JsonObject { ["from"] = "2026-10-01", ["to"] = "2026-10-31" },
            }),
        };
        return body;
    }

    /// <summary>
    /// The kind of message with the keyboard alone: Enter opens its list and Esc closes it unchanged; Space opens it, the
    /// arrow keys move to a legal-assistance task and Enter chooses it, which brings the legal-assistance fields; and back.
    /// </summary>
    private static async Task KindsChosenWithTheKeyboardAsync(IPage page)
    {
        var options = page.GetByRole(AriaRole.Option);
        var legalAssistance = page.GetByTestId("legal-assistance");
        await page.GetByTestId("kind").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(options).ToHaveTextAsync(["Request", "Initiative message", "Legal-assistance task"]);
        await page.Keyboard.PressAsync("Escape");
        await Expect(options).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("kind")).ToHaveTextAsync("Request");
        await Expect(legalAssistance).ToHaveCountAsync(0);

        await KindMovedToAsync(page, "Space", "ArrowDown", "Legal-assistance task");
        await Expect(page.GetByTestId("form")).ToHaveTextAsync(new Regex("^Legal assistance"));
        string[] fields =
            ["Requesting authority", "Requested authority", "Penalty the offence carries", "Confidentiality", "Assistance sought"];
        foreach (var label in fields)
        {
            await Expect(legalAssistance.GetByLabel(label)).ToBeVisibleAsync();
        }

        await KindMovedToAsync(page, "Enter", "ArrowUp", "Request");
        await Expect(legalAssistance).ToHaveCountAsync(0);
    }

    /// <summary>Opens the kind's list with <paramref name="opening"/>, moves two places with the arrow and chooses with Enter.</summary>
    private static async Task KindMovedToAsync(IPage page, string opening, string arrow, string kind)
    {
        await page.Keyboard.PressAsync(opening);
        await Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(3);
        await page.Keyboard.PressAsync(arrow);
        await page.Keyboard.PressAsync(arrow);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("kind")).ToHaveTextAsync(kind);
    }

    // MudBlazor puts a field's attributes on its input or on the box around it, depending on the field.
    private static ILocator Field(IPage page, string testId) => page.Locator($"input[data-testid={testId}], textarea[data-testid={testId}], [data-testid={testId}] input, [data-testid={testId}] textarea").First;

    private static async Task ChooseAsync(IPage page, string testId, string option)
    {
        var choice = page.GetByRole(AriaRole.Option).Filter(new() { HasText = option }).First;
        await page.GetByTestId(testId).ClickUntilAsync(choice);
        await choice.ClickAsync();
    }

    [GeneratedRegex("/items/[A-Z]")]
    private static partial Regex ItemPage();
}
