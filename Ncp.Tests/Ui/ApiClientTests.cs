using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Infrastructure;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

/// <summary>The UI calls the Api as the signed-in officer: the officer's roles and nothing more.</summary>
[Collection(NcpCollection.Name)]
public sealed class ApiClientTests(NcpSystem ncp)
{
    private static readonly ItemBody Request = new(
        "request", null, "DE-CYBER247", null, "Subscriber data for 198.51.100.4", "internet-fraud", "urgent", null, null,
        ["subscriber-data"], new DataPeriodBody(new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31)), null, null, null, null);

    [Fact]
    public async Task The_officer_token_lets_through_what_the_officers_roles_allow_and_nothing_else()
    {
        var (duty, dutyScope) = ClientOf("duty");
        var (auditor, auditorScope) = ClientOf("auditor");
        await using (dutyScope)
        await using (auditorScope)
        {
            var registered = await duty.RegisterItemAsync(Request);
            Assert.True(registered.Succeeded, registered.Problem?.ToString());
            Assert.Equal("Duty Officer (demo)", registered.Value!.RegisteredBy.Name);

            var refused = await auditor.RegisterItemAsync(Request);
            Assert.Equal(403, refused.Problem!.Status);

            var read = await auditor.GetItemAsync(registered.Value.RegisterNumber);
            Assert.True(read.Succeeded);
            Assert.Equal(registered.Value.Version, read.Version);
        }
    }

    [Fact]
    public async Task A_refusal_comes_back_as_a_problem_with_its_field_errors_and_a_stale_version_as_such()
    {
        var (duty, scope) = ClientOf("duty");
        await using (scope)
        {
            var invalid = await duty.RegisterItemAsync(Request with { PartnerCode = "NO-SUCH-UNIT", CrimeCategory = null });
            Assert.Equal(400, invalid.Problem!.Status);
            Assert.True(invalid.Problem.HasError("partnerCode"));
            Assert.NotNull(invalid.Problem.ErrorText("crimeCategory"));

            var item = (await duty.RegisterItemAsync(Request)).Value!;
            var stale = await duty.SendAsync<object>(HttpMethod.Post, $"api/items/{item.RegisterNumber}/notes", new { text = "Called the partner" }, ifMatch: item.Version - 1);
            Assert.True(stale.Problem!.IsStale, stale.Problem.ToString());
        }
    }

    [Fact]
    public async Task An_officer_token_signed_by_another_process_is_refused()
    {
        var forged = new OfficerTokens(TimeProvider.System).IssueFor(DevelopmentSignIn.Principal(DevelopmentSignIn.Users[0], "test"));
        var client = ncp.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/items")).StatusCode);
    }

    /// <summary>The client as a page of a circuit signed in as the demo user gets it.</summary>
    private (NcpApiClient Client, AsyncServiceScope Scope) ClientOf(string login)
    {
        var scope = ncp.Api.Services.CreateAsyncScope();
        var user = DevelopmentSignIn.Principal(DevelopmentSignIn.Find(login)!, BrowserSignIn.CookieScheme);
        ((IHostEnvironmentAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>())
            .SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));
        return (scope.ServiceProvider.GetRequiredService<NcpApiClient>(), scope);
    }
}
