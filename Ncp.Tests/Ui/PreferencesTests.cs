using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

/// <summary>An officer's language follows them: to the next sign-in, and to a browser that lost its culture cookie.</summary>
[Collection(NcpCollection.Name)]
public sealed class PreferencesTests(NcpSystem ncp)
{
    private const string CultureCookie = ".AspNetCore.Culture";

    [Fact]
    public async Task The_language_an_officer_chose_comes_back_at_the_next_sign_in()
    {
        var first = new UiSession(ncp.Api);
        await first.SignInAsync("head");
        var switched = await first.GetAsync("/preferences/culture?culture=kk&returnUrl=%2Fitems");
        Assert.Equal(302, switched.Status);
        Assert.Equal("/items", switched.Location);
        Assert.Contains("uic=kk", Uri.UnescapeDataString(first.Cookies[CultureCookie]), StringComparison.Ordinal);

        // Another browser: the sign-in hands it the officer's language.
        var second = new UiSession(ncp.Api);
        await second.SignInAsync("head");
        Assert.Contains("uic=kk", Uri.UnescapeDataString(second.Cookies[CultureCookie]), StringComparison.Ordinal);
        var list = await second.GetAsync("/items");
        Assert.Contains("<html lang=\"kk\"", list.Body, StringComparison.Ordinal);
        Assert.Contains("Тізілім", list.Text, StringComparison.Ordinal);

        // A browser that lost the cookie mid-session: the preference is read again and the cookie written back.
        second.Forget(CultureCookie);
        var again = await second.GetAsync("/items");
        Assert.Contains("<html lang=\"kk\"", again.Body, StringComparison.Ordinal);
        Assert.True(second.Cookies.ContainsKey(CultureCookie));

        var back = await second.GetAsync("/preferences/culture?culture=en&returnUrl=%2F");
        Assert.Equal(302, back.Status);
        Assert.Contains("<html lang=\"en\"", (await second.GetAsync("/items")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_three_languages_of_the_unit_can_be_chosen_and_only_a_local_page_is_returned_to()
    {
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("auditor");

        Assert.Equal(400, (await browser.GetAsync("/preferences/culture?culture=de")).Status);
        var elsewhere = await browser.GetAsync("/preferences/culture?culture=ru&returnUrl=https%3A%2F%2Fevil.example%2F");
        Assert.Equal("/", elsewhere.Location);
    }
}
