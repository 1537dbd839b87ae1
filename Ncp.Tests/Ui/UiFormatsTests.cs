using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Ncp.Api.Live;
using Ncp.Api.Ui.Infrastructure;
using Ncp.Contracts.Live;

namespace Ncp.Tests.Ui;

/// <summary>One date and time format on every screen: the officer's culture as <see cref="UiFormats"/> makes it.</summary>
public sealed class UiFormatsTests
{
    private static readonly DateTimeOffset Evening = new(2026, 12, 5, 20, 34, 44, TimeSpan.Zero);

    [Theory]
    [InlineData("kk")]
    [InlineData("ru")]
    [InlineData("en")]
    public void Every_language_writes_day_month_year_and_a_24_hour_clock_by_default(string language)
    {
        var formats = new UiFormats(new UiSettings());

        foreach (var culture in new[] { formats.FormattingOf(language), formats.UiOf(language) })
        {
            Assert.Equal("05.12.2026 20:34", Evening.ToString("g", culture));
            Assert.Equal("05.12.2026", Evening.ToString("d", culture));
            Assert.Equal("20:34", Evening.ToString("t", culture));
            Assert.Equal("05.12.2026 20:34:44", Evening.ToString("G", culture));
            Assert.Equal("dd.MM.yyyy", culture.DateTimeFormat.ShortDatePattern);
        }

        Assert.Equal(language, formats.UiOf(language).TwoLetterISOLanguageName);
    }

    [Fact]
    public void English_dates_follow_the_units_choice_while_kazakh_and_russian_keep_theirs_and_the_clock_stays_24_hour()
    {
        var formats = new UiFormats(new UiSettings { EnglishDateFormat = "dd/MM/yyyy" });

        Assert.Equal("05/12/2026 20:34", Evening.ToString("g", formats.FormattingOf("en")));
        Assert.Equal("05/12/2026", Evening.ToString("d", formats.UiOf("en")));
        Assert.Equal("05.12.2026 20:34", Evening.ToString("g", formats.FormattingOf("ru")));
        Assert.Equal("05.12.2026 20:34", Evening.ToString("g", formats.FormattingOf("kk")));
        Assert.DoesNotContain("PM", Evening.ToString("g", formats.FormattingOf("en")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_language_the_ui_does_not_offer_gets_the_english_format()
    {
        var formats = new UiFormats(new UiSettings());

        Assert.Equal("en-GB", formats.FormattingOf("de").Name);
        Assert.Equal("05.12.2026 20:34", Evening.ToString("g", formats.FormattingOf("de")));
    }

    [Fact]
    public async Task A_screen_hears_live_changes_in_the_culture_it_subscribed_in_whatever_the_bus_thread_runs_in()
    {
        var live = new LiveUpdates(NullLogger<LiveUpdates>.Instance);
        var formats = new UiFormats(new UiSettings());
        string? heard = null;
        IDisposable subscription;
        var original = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            formats.Apply("ru");
            subscription = live.Subscribe(_ =>
            {
                heard = $"{CultureInfo.CurrentUICulture.Name} {Evening.ToString("g", CultureInfo.CurrentCulture)}";
                return Task.CompletedTask;
            });
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = original;
        }

        using (subscription)
        {
            // The bus consumer's thread: the invariant culture, as in production.
            await Task.Run(async () =>
            {
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
                await live.PublishAsync([new RecordChange("item", Guid.NewGuid(), "KZ-NCP-2026-0000001", null, "note-added", Evening)]);
                Assert.Equal(CultureInfo.InvariantCulture, CultureInfo.CurrentCulture);
            });
        }

        Assert.Equal("ru 05.12.2026 20:34", heard);
    }
}
