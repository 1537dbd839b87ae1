using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Api.Ui.SigningIn;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Quarantine;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>
/// A duty officer reads a held mail on the quarantine screen (its text, attachment, signature, closest partner) before
/// deciding; the reason is asked for before the confirmation; a 200 KB subject does not widen the page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class QuarantineBrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public async Task An_officer_reads_a_held_mail_is_asked_for_a_reason_before_any_confirmation_and_releases_it_as_the_closest_partners()
    {
        var held = await ncp.FromStrangerAsync();
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync("/quarantine");
            await page.WaitForInteractiveAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = $"Open the held mail {held.Subject}" }).ClickAsync();

            var detail = page.GetByTestId("detail");
            await Expect(detail.GetByTestId("held-text")).ToContainTextAsync(HeldMails.TextLine);
            var attachment = detail.GetByTestId("held-attachment");
            await Expect(attachment).ToContainTextAsync(HeldMails.AttachmentName);
            await Expect(attachment).ToContainTextAsync(HeldMails.Sha256(held.Attachment));
            await Expect(attachment).ToContainTextAsync($"{held.Attachment.Length:N0} bytes");
            await Expect(attachment.GetByRole(AriaRole.Link, new() { Name = HeldMails.AttachmentName }))
                .ToHaveAttributeAsync("href", $"/quarantine/{held.Id}/attachments/{HeldMails.Sha256(held.Attachment)}");
            await Expect(detail.GetByTestId("no-signature")).ToContainTextAsync("not signed");
            await Expect(detail.GetByTestId("closest-partner")).ToContainTextAsync($"{held.PartnerCode}");
            await Expect(detail.GetByTestId("closest-partner")).ToContainTextAsync("same domain");

            // The HTML, shown on demand, only sanitised and in an iframe that runs nothing.
            await detail.GetByTestId("toggle-html").ClickAsync();
            var frame = detail.GetByTestId("held-html");
            await Expect(frame).ToHaveAttributeAsync("sandbox", "");
            Assert.DoesNotContain("<script", await frame.GetAttributeAsync("srcdoc") ?? "<script", StringComparison.OrdinalIgnoreCase);
            await Browser.ScreenshotAsync(page, "quarantine-held-mail");

            // No reason: said beside the field, and no confirmation is asked for.
            // In a full run a click now and then lands while the panel re-renders for other tests' held mail: click again.
            await detail.GetByTestId("release").ClickUntilAsync(detail.GetByText("Say why you decide so"));
            await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

            await detail.GetByLabel("Reason for the decision").FillAsync("Called the desk: the night shift writes from a new address");
            await detail.GetByTestId("use-closest").ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await detail.GetByTestId("release").ClickUntilAsync(dialog);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Release this mail" }).ClickAsync();
            await Expect(page.GetByTestId("decision-outcome")).ToHaveTextAsync($"Released as mail of {held.PartnerCode}: it goes on to be filed.");
        });

        var mail = await ncp.ClientFor("duty").GetFromJsonAsync<JsonElement>($"/api/quarantine/{held.Id}");
        Assert.Equal(("released", held.PartnerCode), (mail.Str("status"), mail.Str("releasedAsPartner")));
    }

    [Fact]
    public async Task A_held_mail_with_a_200_KB_subject_fits_1366_px_and_is_rejected_in_russian_after_the_reason_is_asked_for()
    {
        var subject = "Срочно" + new string('W', 200_000);
        await ncp.ReportMailQuarantinedAsync(subject);
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            // Chosen, not left to the browser's locale: duty's remembered choice (other tests') would win over it.
            await page.GotoAsync(SigningInEndpoints.CultureLink("ru", "/quarantine"));
            await page.WaitForInteractiveAsync();
            var open = page.GetByTestId("held").GetByRole(AriaRole.Button).Filter(new() { HasText = "СрочноWWW" });
            await Expect(open).ToHaveCountAsync(1);
            Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1366);

            await open.ClickAsync();
            var detail = page.GetByTestId("detail");
            await Expect(detail.GetByTestId("held-subject")).ToBeVisibleAsync();
            Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1366);

            await detail.GetByTestId("reject").ClickAsync();
            await Expect(detail).ToContainTextAsync("Укажите причину решения");
            await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
            await detail.GetByLabel("Причина решения").FillAsync("Неизвестный отправитель, тема — мусор");
            var dialog = page.GetByRole(AriaRole.Dialog);
            await detail.GetByTestId("reject").ClickUntilAsync(dialog);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Отклонить это письмо" }).ClickAsync();
            await Expect(page.GetByTestId("decision-outcome")).ToHaveTextAsync("Отклонено: письмо не будет обработано.");
            await page.GotoAsync(SigningInEndpoints.CultureLink("en", "/"));
        }, locale: "ru-RU");
    }

    [Fact]
    public async Task A_mail_held_while_the_list_is_open_appears_takes_a_second_officer_to_release_and_offers_its_original_for_download()
    {
        var subject = $"Unsigned {Guid.NewGuid():N}"[..20];
        var id = "";

        async Task<ILocator> OpenAsync(IPage page)
        {
            await page.GotoAsync("/quarantine");
            await page.WaitForInteractiveAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = $"Open the held mail {subject}" }).ClickAsync();
            var detail = page.GetByTestId("detail");
            await Expect(detail.GetByTestId("held-subject")).ToHaveTextAsync(subject);
            return detail;
        }

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            await page.GotoAsync("/quarantine");
            await page.WaitForInteractiveAsync();
            await ncp.ReportMailQuarantinedAsync(subject, "missing-signature", "The mail carries no signature.");
            id = (await ncp.ClientFor("duty").GetJsonAsync("/api/quarantine")).GetProperty("mail").EnumerateArray()
                .Single(m => m.Str("subject") == subject).Str("id");
            // No reload: the list hears of the held mail.
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Open the held mail {subject}" })).ToBeVisibleAsync();

            var detail = await OpenAsync(page);
            await Expect(detail.GetByTestId("held-original")).ToHaveAttributeAsync("href", new Regex($"/quarantine/{id}/original"));
            await Expect(detail.GetByTestId("four-eyes")).ToContainTextAsync("a second officer must confirm it");

            await detail.GetByLabel("Reason for the decision").FillAsync("The desk confirmed by phone that they sent it unsigned");
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(detail.GetByTestId("release")).ToHaveTextAsync("Request release");
            await detail.GetByTestId("release").ClickUntilAsync(dialog);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Release this mail" }).ClickAsync();
            await Expect(page.GetByTestId("decision-outcome")).ToHaveTextAsync("Release requested: a second officer must confirm it.");
            await Expect(detail.GetByTestId("release-requested")).ToContainTextAsync("Release requested by Duty Officer (demo), awaiting a second officer");
            // Not the same officer twice.
            await Expect(detail.GetByTestId("release")).ToHaveTextAsync("Awaiting a second officer");
        });

        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("supervisor");
            var detail = await OpenAsync(page);
            await Expect(detail.GetByTestId("release-requested")).ToContainTextAsync("Duty Officer (demo)");
            await Expect(detail.GetByTestId("release")).ToHaveTextAsync("Confirm release (second officer)");
        });
    }

    [Fact]
    public async Task A_colleagues_decision_on_the_mail_open_in_kazakh_is_told_as_a_kazakh_sentence_with_name_and_local_date()
    {
        var subject = $"Колледж {Guid.NewGuid():N}"[..20];
        await ncp.ReportMailQuarantinedAsync(subject);
        var supervisor = ncp.ClientFor("supervisor");
        var listed = await supervisor.GetJsonAsync("/api/quarantine");
        var id = listed.GetProperty("mail").EnumerateArray().Single(m => m.Str("subject") == subject).Str("id");
        await browser.RunAsync(ncp.BaseAddress, async page =>
        {
            await page.SignInAsync("duty");
            try
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink("kk", "/quarantine"));
                await page.WaitForInteractiveAsync();
                await page.GetByTestId("held").GetByRole(AriaRole.Button).Filter(new() { HasText = subject }).ClickAsync();
                var detail = page.GetByTestId("detail");
                await Expect(detail.GetByTestId("held-subject")).ToHaveTextAsync(subject);

                // The colleague rejects it while it is open here.
                var rejected = await supervisor.PostAsJsonAsync($"/api/quarantine/{id}/reject", new { reason = "Спам" });
                var by = (await rejected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("decidedBy").Str("name");

                await detail.GetByLabel("Шешім себебі").FillAsync("Белгісіз жіберуші");
                var dialog = page.GetByRole(AriaRole.Dialog);
                await detail.GetByTestId("reject").ClickUntilAsync(dialog);
                await dialog.GetByRole(AriaRole.Button, new() { Name = "Бұл хатты қабылдамау" }).ClickAsync();

                var told = page.GetByTestId("already-decided");
                await Expect(told).ToContainTextAsync("Бұл хат бойынша әріптесіңіз шешім қабылдап қойған.");
                await Expect(told.GetByTestId("decision")).ToContainTextAsync($"Қабылданбады: шешімді {by} қабылдады, ");
                await Expect(told.GetByTestId("decision")).ToHaveTextAsync(new Regex(@", \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\.$"));
                await Expect(detail.GetByTestId("decision")).ToContainTextAsync(by);
                var said = await told.InnerTextAsync() + await detail.InnerTextAsync();
                Assert.DoesNotMatch(new Regex("already|rejected|released|Held", RegexOptions.IgnoreCase), said);
            }
            finally
            {
                await page.GotoAsync(SigningInEndpoints.CultureLink("en", "/"));
            }
        });
    }
}
