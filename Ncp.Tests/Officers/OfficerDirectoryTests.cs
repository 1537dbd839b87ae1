using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Infrastructure;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Officers;

[Collection(NcpCollection.Name)]
public sealed class OfficerDirectoryTests(NcpSystem ncp)
{
    [Fact]
    public async Task Officers_who_signed_in_and_the_demo_users_are_listed_with_their_roles_and_not_the_auditors()
    {
        // An officer of the identity provider, no demo user, signs in to the web UI.
        var id = Guid.NewGuid().ToString();
        var officer = new ClaimsPrincipal(new ClaimsIdentity(
            [new("oid", id), new("name", "Айгерим Сатпаева"), new("roles", Roles.DutyOfficer), new("roles", "Ncp.Channel.Csto")], "entra", "name", "roles"));
        await using (var scope = ncp.Api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<OfficerPreferencesStore>().RememberSignInAsync(officer);
        }

        var officers = (await ncp.ClientFor("auditor").GetJsonAsync("/api/officers")).EnumerateArray().ToList();

        var signedIn = Assert.Single(officers, o => o.Str("id") == id);
        Assert.Equal("Айгерим Сатпаева", signedIn.Str("name"));
        Assert.Equal(["Ncp.Channel.Csto", Roles.DutyOfficer], signedIn.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var duty = DevelopmentSignIn.Find("duty")!;
        Assert.Single(officers, o => o.Str("id") == duty.ObjectId.ToString() && o.Str("name") == duty.Name);
        Assert.DoesNotContain(officers, o => o.Str("id") == DevelopmentSignIn.Find("auditor")!.ObjectId.ToString());
    }

    [Fact]
    public async Task Signing_in_to_the_web_ui_remembers_the_officers_name_and_roles()
    {
        var head = DevelopmentSignIn.Find("head")!;

        await new UiSession(ncp.Api).SignInAsync(head.Login);

        await using var scope = ncp.Api.Services.CreateAsyncScope();
        var remembered = await scope.ServiceProvider.GetRequiredService<OfficerPreferencesStore>()
            .LoadAsync(DevelopmentSignIn.Principal(head, "test"));
        Assert.Equal(head.Name, remembered.Name);
        Assert.Equal(head.Roles.Order(StringComparer.Ordinal), remembered.Roles!);
    }
}
