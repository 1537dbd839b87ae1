using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

/// <summary>The dead letters page and dashboard card in each language, for administrators only.</summary>
[Collection(NcpCollection.Name)]
public sealed class DeadLetterPageTests(NcpSystem ncp)
{
    [Theory]
    [InlineData("en", "Messages between the processes that failed", "Messages between the Api and the Worker that still failed")]
    [InlineData("ru", "Сообщения между процессами, не обработанные", "Здесь ждут сообщения между Api и Worker")]
    [InlineData("kk", "кейін де өңделмеген процестер арасындағы хабарлар", "Мұнда Api мен Worker арасындағы")]
    public async Task An_administrator_gets_the_card_and_the_page_in_their_language(string culture, string cardHelp, string intro)
    {
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("admin");
        await browser.GetAsync($"/preferences/culture?culture={culture}&returnUrl=%2F");
        try
        {
            var dashboard = await browser.GetAsync("/");
            Assert.Contains("data-testid=\"count-dead-letters\"", dashboard.Body, StringComparison.Ordinal);
            Assert.Contains("href=\"/dead-letters\"", dashboard.Body, StringComparison.Ordinal);
            Assert.Contains(cardHelp, dashboard.Text, StringComparison.Ordinal);

            var page = await browser.GetAsync("/dead-letters");
            Assert.Equal(200, page.Status);
            Assert.Contains(intro, page.Text, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"dead-letter-total\"", page.Body, StringComparison.Ordinal);
        }
        finally
        {
            await browser.GetAsync("/preferences/culture?culture=en&returnUrl=%2F");
        }
    }

    [Fact]
    public async Task A_supervisor_gets_neither_the_card_nor_the_page()
    {
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("supervisor");

        Assert.DoesNotContain("count-dead-letters", (await browser.GetAsync("/")).Body, StringComparison.Ordinal);
        var refused = await browser.GetAsync("/dead-letters");
        Assert.DoesNotContain("data-testid=\"dead-letter-total\"", refused.Body, StringComparison.Ordinal);
    }
}
