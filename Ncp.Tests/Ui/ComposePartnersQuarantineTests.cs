using System.Net.Http.Json;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Partners.Directory;
using Ncp.Api.Ui.Composing;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

/// <summary>The compose, partner and quarantine pages render for the officers they are for, and hide what others may not do.</summary>
[Collection(NcpCollection.Name)]
public sealed class ComposePartnersQuarantineTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_duty_officer_gets_the_compose_form_and_an_auditor_gets_no_compose_action()
    {
        var page = await PageAsync("duty", "/compose");
        Assert.Equal(200, page.Status);
        Assert.Contains("data-testid=\"register-and-send\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("Register and send", page.Text, StringComparison.Ordinal);
        Assert.Contains("Save draft", page.Text, StringComparison.Ordinal);
        Assert.Contains("Partner unit", page.Text, StringComparison.Ordinal);

        var refused = await PageAsync("auditor", "/compose");
        Assert.DoesNotContain("data-testid=\"register-and-send\"", refused.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Save draft", refused.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "Legal basis", "Budapest Convention art. 29", "National criminal case number")]
    [InlineData("ru", "Правовое основание", "Будапештская конвенция, ст. 29", "Номер уголовного дела")]
    [InlineData("kk", "Құқықтық негіз", "Будапешт конвенциясы, 29-бап", "Қылмыстық іс нөмірі")]
    public async Task The_compose_form_asks_for_the_legal_basis_apart_from_the_case_number(string culture, string label, string help, string caseNumber)
    {
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync("duty");
        await browser.GetAsync($"/preferences/culture?culture={culture}&returnUrl=%2F");

        var page = await browser.GetAsync("/compose");

        Assert.Contains("data-testid=\"legal-basis\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"case-number\"", page.Body, StringComparison.Ordinal);
        Assert.Contains(label, page.Text, StringComparison.Ordinal);
        Assert.Contains(help, page.Text, StringComparison.Ordinal);
        Assert.Contains(caseNumber, page.Text, StringComparison.Ordinal);
        await browser.GetAsync("/preferences/culture?culture=en&returnUrl=%2F");
    }

    [Theory]
    [InlineData("Germ")]
    [InlineData("Герм")]
    [InlineData("de-cyber")]
    [InlineData("Criminal Police (Germany)")]
    public async Task The_partner_picker_finds_Germany_s_desk_by_code_unit_or_country_in_any_language(string typed)
    {
        var partners = await ncp.ClientFor("duty").GetFromJsonAsync<PartnerResource[]>("/api/partners", ApiJson.Options);

        var found = PartnerSearch.Find(partners!, typed).Select(p => p.Code).ToArray();

        Assert.Equal("DE-CYBER247", found.FirstOrDefault());
        Assert.DoesNotContain("RO-CYBER247", found);
    }

    [Theory]
    [InlineData("en", "Germany")]
    [InlineData("ru", "Германия")]
    [InlineData("kk", "Германия")]
    public void A_country_is_named_in_each_language_of_the_UI(string language, string name) =>
        Assert.Equal(name, PartnerSearch.CountryName("DE", language));

    [Fact]
    public async Task The_partner_directory_lists_the_seeded_partners_with_their_key_status_and_open_items()
    {
        var supervisor = ncp.ClientFor("supervisor");
        await supervisor.RegisterAsync(ItemsApi.OutgoingRequest("FR-CYBER247"));
        var partners = await supervisor.GetJsonAsync("/api/partners");
        var fr = partners.EnumerateArray().Single(p => p.Str("code") == "FR-CYBER247");
        Assert.True(fr.GetProperty("openItems").GetInt32() >= 1);

        var page = await PageAsync("auditor", "/partners");
        Assert.Equal(200, page.Status);
        Assert.Contains("DE-CYBER247", page.Text, StringComparison.Ordinal);
        Assert.Contains("href=\"/items?partner=FR-CYBER247&amp;open=true\"", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Held_mail_is_listed_for_a_duty_officer_with_its_reason()
    {
        var subject = $"Held for review {Guid.NewGuid():N}";
        await ncp.ReportMailQuarantinedAsync(subject);

        var page = await PageAsync("duty", "/quarantine");
        Assert.Equal(200, page.Status);
        Assert.Contains(subject, page.Text, StringComparison.Ordinal);
        Assert.Contains("Unknown sender", page.Text, StringComparison.Ordinal);
    }

    private async Task<UiResponse> PageAsync(string login, string path)
    {
        var browser = new UiSession(ncp.Api);
        await browser.SignInAsync(login);
        return await browser.GetAsync(path);
    }
}
