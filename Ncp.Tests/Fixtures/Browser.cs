using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// One Playwright driver and one headless Chromium (Debian's, installed by <c>infra/servers.sh browser</c>) for every
/// browser test of a run: starting them takes seconds, a fresh context per test (<see cref="RunAsync"/>) takes
/// milliseconds and shares no cookies or storage with the test before.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string DebianChromium = "/usr/bin/chromium";

    /// <summary>The duty desk's screen.</summary>
    public static readonly ViewportSize Viewport = new() { Width = 1366, Height = 768 };

    /// <summary><c>artifacts/screenshots/</c> of the checkout: the main screens, kept as test artifacts.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(TestServers.RepositoryRoot, "artifacts", "screenshots");

    /// <summary>A screenshot and a Playwright trace of each failed browser test.</summary>
    public static string FailureFolder { get; } = Path.Combine(ScreenshotFolder, "failures");

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("NCP_CHROMIUM") is { Length: > 0 } path ? path : DebianChromium;

    private IPlaywright? playwright;

    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not at {ExecutablePath}. Run infra/servers.sh browser (./ncp test does), or set NCP_CHROMIUM to a Chromium executable.");
        }

        playwright = await Playwright.CreateAsync();
        Chromium = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root and containers leave Chromium no sandbox to start; containers have a tiny /dev/shm; there is no GPU.
            // Pages reach only this machine: a name to resolve (a web font of the API reference page, say) fails at once,
            // without a DNS query leaving it.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"],
        });
        // Expect(...) waits as long as the rest (below); its own default of 5 s is short for two busy cores.
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.CloseAsync();
        }

        playwright?.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="test"/> on a new page of a new context (viewport 1366×768, the given locale, the unit's time
    /// zone, relative URLs against <paramref name="baseAddress"/>). When it fails, a screenshot and a Playwright trace
    /// are kept under <see cref="FailureFolder"/>, named after the test, and the failure says where they are.
    /// </summary>
    public async Task RunAsync(Uri baseAddress, Func<IPage, Task> test, string locale = "en-GB", [CallerMemberName] string name = "")
    {
        await using var context = await NewContextAsync(baseAddress, locale);
        await context.Tracing.StartAsync(new() { Title = name, Screenshots = true, Snapshots = true });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => errors.Add(error);

        try
        {
            await test(page);
        }
        catch (Exception failure)
        {
            var kept = await KeepFailureAsync(page, context, name);
            throw new BrowserTestFailure(failure, kept, errors);
        }

        await context.Tracing.StopAsync();
        // What an earlier run kept of this test would now mislead (a fresh checkout has no such folder at all).
        if (Directory.Exists(FailureFolder))
        {
            File.Delete(FailurePath(name) + ".png");
            File.Delete(FailurePath(name) + ".trace.zip");
        }
    }

    /// <summary>
    /// A context as <see cref="RunAsync"/> makes them, for a second person on screen at once (the supervisor who sees the
    /// duty officer's escalation arrive, say); the test disposes of it.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(Uri baseAddress, string locale = "en-GB")
    {
        var context = await Chromium.NewContextAsync(new()
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = Viewport,
            Locale = locale,
            TimezoneId = "Asia/Almaty",
        });
        // A missing element fails the test in 15 s rather than Playwright's 30: the suite has a time budget.
        context.SetDefaultTimeout(15_000);
        return context;
    }

    /// <summary>Saves the page as <c>artifacts/screenshots/NAME.png</c> (the whole page, not only the viewport) and returns the path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, FileName(name) + ".png");
        // From the top: a full-page picture of a scrolled page draws the fixed app bar across its middle.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    private static async Task<IReadOnlyList<string>> KeepFailureAsync(IPage page, IBrowserContext context, string name)
    {
        Directory.CreateDirectory(FailureFolder);
        var file = FailurePath(name);
        var kept = new List<string>();
        // Each artifact on its own: a crashed page still leaves its trace, and neither hides the test's own failure.
        try
        {
            await page.ScreenshotAsync(new() { Path = file + ".png", FullPage = true, Timeout = 5_000 });
            kept.Add(file + ".png");
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
        }

        try
        {
            await context.Tracing.StopAsync(new() { Path = file + ".trace.zip" });
            kept.Add(file + ".trace.zip");
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
        }

        return kept;
    }

    private static string FailurePath(string test) => Path.Combine(FailureFolder, FileName(test));

    private static string FileName(string name) => Regex.Replace(name, "[^A-Za-z0-9._-]+", "-");
}

/// <summary>A browser test's own failure, with where its screenshot and trace were kept and what the page logged as errors.</summary>
public sealed class BrowserTestFailure(Exception failure, IReadOnlyList<string> kept, IReadOnlyList<string> consoleErrors)
    : Exception(Describe(failure, kept, consoleErrors), failure)
{
    private static string Describe(Exception failure, IReadOnlyList<string> kept, IReadOnlyList<string> consoleErrors)
    {
        var text = failure.Message;
        if (kept.Count > 0)
        {
            // docs/operations.md says how to open the trace in Playwright's viewer.
            text += $"{Environment.NewLine}Kept: {string.Join(", ", kept)}";
        }

        if (consoleErrors.Count > 0)
        {
            text += $"{Environment.NewLine}Browser console errors:{Environment.NewLine}  {string.Join($"{Environment.NewLine}  ", consoleErrors.Take(10))}";
        }

        return text;
    }
}

/// <summary>Steps of the web UI that many browser tests share.</summary>
public static class UiSteps
{
    /// <summary>
    /// Clicks until <paramref name="appears"/> shows: a prerendered page is visible before its circuit is connected, and
    /// a click in that moment does nothing (a menu that does not open), so one click is not a test of the button.
    /// </summary>
    public static async Task ClickUntilAsync(this ILocator button, ILocator appears, int attempts = 10)
    {
        for (var attempt = 1; ; attempt++)
        {
            await button.ClickAsync();
            try
            {
                await appears.WaitForAsync(new() { Timeout = 4_000 });
                return;
            }
            catch (TimeoutException) when (attempt < attempts)
            {
            }
        }
    }

    /// <summary>
    /// Types <paramref name="text"/> into <paramref name="field"/> until <paramref name="appears"/> shows: typed into a
    /// prerendered page before its circuit is connected, the text stays in the box but the page never hears of it.
    /// </summary>
    public static async Task FillUntilAsync(this ILocator field, string text, ILocator appears, int attempts = 10)
    {
        for (var attempt = 1; ; attempt++)
        {
            await field.FillAsync("");
            await field.FillAsync(text);
            try
            {
                await appears.WaitForAsync(new() { Timeout = 3_000 });
                return;
            }
            catch (TimeoutException) when (attempt < attempts)
            {
            }
        }
    }

    /// <summary>
    /// Types <paramref name="day"/> into a day or moment picker's date box as the officer would (dd.MM.yyyy, the unit's
    /// format in every language of the test hosts) and leaves the box, which is when the picker reads it.
    /// </summary>
    public static async Task TypeDayAsync(this ILocator box, DateOnly day)
    {
        // The picker says which day its circuit holds (data-day): text typed while the dialog was still re-rendering can be
        // overwritten before the picker reads it, so type again until the circuit has the day.
        var held = box.Locator("xpath=ancestor::*[@data-day][1]");
        var wanted = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 1; ; attempt++)
        {
            await box.FillAsync(day.ToString("dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture));
            await box.PressAsync("Tab");
            try
            {
                await Assertions.Expect(held).ToHaveAttributeAsync("data-day", wanted, new() { Timeout = 4_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Types <paramref name="text"/> into a partner picker (compose's autocomplete, by its test id) until it offers the
    /// partner <paramref name="code"/>, then takes it.
    /// </summary>
    public static async Task PickPartnerAsync(this IPage page, string testId, string text, string code)
    {
        var option = page.GetByTestId("partner-option").Filter(new() { HasText = code }).First;
        await page.Locator($"[data-testid={testId}] input, input[data-testid={testId}]").First.FillUntilAsync(text, option);
        await option.ClickAsync();
    }

    /// <summary>
    /// Signs <paramref name="demoUser"/> (duty, supervisor, head, auditor, admin) in through the development sign-in page.
    /// To be confirmed against the real page once the UI lands: it expects <c>/sign-in</c> to list the demo users, each
    /// as a button (or a link) whose accessible name holds the login or the display name ("Duty Officer (demo)"), and
    /// the choice to post a form that sets the cookie and leaves <c>/sign-in</c>.
    /// </summary>
    public static async Task SignInAsync(this IPage page, string demoUser)
    {
        var user = DevelopmentSignIn.Users.SingleOrDefault(u => u.Login == demoUser)
            ?? throw new ArgumentException($"No demo user {demoUser}; there are {string.Join(", ", DevelopmentSignIn.Users.Select(u => u.Login))}.", nameof(demoUser));
        var response = await page.GotoAsync("/sign-in");
        if (response is { Ok: false })
        {
            throw new InvalidOperationException($"GET /sign-in answered {response.Status}.");
        }

        var name = new Regex($@"\b{Regex.Escape(user.Login)}\b|{Regex.Escape(user.Name)}", RegexOptions.IgnoreCase);
        var choice = page.GetByRole(AriaRole.Button, new() { NameRegex = name })
            .Or(page.GetByRole(AriaRole.Link, new() { NameRegex = name }))
            .First;
        try
        {
            await choice.WaitForAsync(new() { Timeout = 5_000 });
        }
        catch (TimeoutException)
        {
            var offered = await page.GetByRole(AriaRole.Button).Or(page.GetByRole(AriaRole.Link)).AllInnerTextsAsync();
            throw new InvalidOperationException(
                $"/sign-in offers nothing named like \"{user.Login}\" or \"{user.Name}\"; it offers: {string.Join(" | ", offered)}");
        }

        await choice.ClickAsync();
        try
        {
            // Committed is enough: the caller waits for what it needs next, and on a loaded machine the page's "load"
            // (every script and style) can come later than the redirect that proves the sign-in.
            await page.WaitForURLAsync(
                url => !new Uri(url).AbsolutePath.StartsWith("/sign-in", StringComparison.OrdinalIgnoreCase), new() { WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException)
        {
            var said = await page.Locator("body").InnerTextAsync();
            throw new InvalidOperationException($"Signing in as {user.Login} stayed on {page.Url}; the page says: {said[..Math.Min(said.Length, 300)]}");
        }

        await page.WaitForInteractiveAsync();
    }

    /// <summary>
    /// Waits until the page's circuit has taken over the prerendered page. A link followed before that is fetched by
    /// enhanced navigation while the circuit still starts for the page before, which then renders over it: a test
    /// saw the new page's heading and then the dashboard again.
    /// </summary>
    public static async Task WaitForInteractiveAsync(this IPage page)
    {
        try
        {
            await page.Locator("main#main[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"{page.Url} never became interactive (its circuit did not start within 30 s).");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserNcp>, ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
