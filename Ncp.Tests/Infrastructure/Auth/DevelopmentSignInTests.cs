using System.Net;
using System.Net.Http.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Auth;

[Collection(NcpCollection.Name)]
public sealed class DevelopmentSignInTests(NcpSystem ncp)
{
    [Fact]
    public async Task Demo_tokens_are_refused_to_a_caller_that_is_not_on_loopback()
    {
        // The in-memory test server has no remote address, which is not loopback.
        using var response = await ncp.Api.CreateClient().PostAsJsonAsync("/dev/sign-in", new { user = "duty" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public void Demo_users_outside_the_Development_environment_stop_the_start()
    {
        var settings = ncp.ApiSettings;
        settings["Auth:DevelopmentSignIn"] = "true";
        var args = settings.Select(s => $"--{s.Key}={s.Value}").Append("--environment=Production").ToArray();

        var refused = Assert.Throws<InvalidOperationException>(() => Ncp.Api.Program.Build(args));
        Assert.Contains("Development", refused.Message, StringComparison.Ordinal);
    }
}
