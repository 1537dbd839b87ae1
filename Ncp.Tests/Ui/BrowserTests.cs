using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Ncp.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Ncp.Tests.Ui;

/// <summary>The chain every UI test stands on: Debian's Chromium, driven by Playwright, reaching the Api on a real port.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTests(BrowserNcp ncp, Browser browser)
{
    [Fact]
    public Task Chromium_runs_headless_with_the_duty_desk_screen_locale_and_time_zone() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        var response = await page.GotoAsync("/health/live");

        var seen = await page.EvaluateAsync<string[]>(
            "() => [navigator.userAgent, String(innerWidth), String(innerHeight), navigator.language, Intl.DateTimeFormat().resolvedOptions().timeZone]");
        Assert.Equal(200, response?.Status);
        Assert.Contains("HeadlessChrome", seen[0], StringComparison.Ordinal);
        Assert.Equal(["1366", "768", "en-GB", "Asia/Almaty"], seen[1..]);
    });

    [Fact]
    public async Task The_api_listens_on_a_loopback_port_that_tests_reach_over_real_http_too()
    {
        var registered = await ncp.ClientFor("duty").PostAsJsonAsync("/api/items", ItemsApi.OutgoingRequest(subject: "Seen by a browser test"));

        Assert.Equal(IPAddress.Loopback.ToString(), ncp.BaseAddress.Host);
        Assert.NotEqual(0, ncp.BaseAddress.Port);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(ncp.BaseAddress.Authority, registered.RequestMessage!.RequestUri!.Authority);
    }

    [Fact]
    public Task The_api_reference_page_renders_the_item_endpoints() => browser.RunAsync(ncp.BaseAddress, async page =>
    {
        var response = await page.GotoAsync("/api/docs");

        Assert.Equal(200, response?.Status);
        await Expect(page.GetByText("/api/items/{number}/acknowledge").First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new("Ncp.Api") })).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "api-docs");
    });

    [Fact]
    public async Task A_failed_browser_test_keeps_a_screenshot_and_a_trace_and_says_where_until_it_passes()
    {
        var screenshot = Path.Combine(Browser.FailureFolder, "deliberate-failure.png");
        var trace = Path.Combine(Browser.FailureFolder, "deliberate-failure.trace.zip");
        try
        {
            var failure = await Assert.ThrowsAsync<BrowserTestFailure>(() => browser.RunAsync(ncp.BaseAddress, async page =>
            {
                await page.GotoAsync("/health/live");
                await page.EvaluateAsync("() => console.error('deliberate console error')");
                Assert.Fail("deliberate failure");
            }, name: "deliberate failure"));

            Assert.IsType<Xunit.Sdk.FailException>(failure.InnerException);
            Assert.Contains(screenshot, failure.Message, StringComparison.Ordinal);
            Assert.Contains(trace, failure.Message, StringComparison.Ordinal);
            Assert.Contains("deliberate console error", failure.Message, StringComparison.Ordinal);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await File.ReadAllBytesAsync(screenshot))[..4]);
            using (var zip = ZipFile.OpenRead(trace))
            {
                Assert.Contains(zip.Entries, e => e.Name.EndsWith(".trace", StringComparison.Ordinal));
            }

            await browser.RunAsync(ncp.BaseAddress, page => page.GotoAsync("/health/live"), name: "deliberate failure");
            Assert.False(File.Exists(screenshot) || File.Exists(trace), "a passing run left the failure's screenshot or trace");
        }
        finally
        {
            File.Delete(screenshot);
            File.Delete(trace);
        }
    }
}
