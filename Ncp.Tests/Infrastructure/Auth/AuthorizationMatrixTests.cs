using System.Net;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Auth;

/// <summary>Walks every endpoint the Api maps, for every role and for a channel the caller is or is not cleared for.</summary>
[Collection(NcpCollection.Name)]
public sealed class AuthorizationMatrixTests(NcpSystem ncp)
{
    private static readonly string[] Logins = ["duty", "supervisor", "head", "auditor", "admin"];

    // The intended matrix, written independently of the code: policy → demo users allowed.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["ncp.read"] = ["duty", "supervisor", "head", "auditor", "admin"],
        ["ncp.register"] = ["duty", "supervisor", "head"],
        ["ncp.act"] = ["duty", "supervisor", "head"],
        ["ncp.supervise"] = ["supervisor", "head"],
        ["ncp.audit"] = ["auditor", "head", "admin"],
        ["ncp.administer"] = ["admin"],
        ["ncp.report"] = ["supervisor", "head", "auditor"],
    };

    // The language switch is open so that the sign-in page can offer it; without a session it only sets the browser's cookie.
    // /metrics is Prometheus's, like the health probes (docs/operations.md, Metrics).
    private static readonly string[] Anonymous =
    [
        "/health/live", "/health/ready", "/metrics", "/dev/sign-in", "/openapi/{documentName}.json", "/api/docs/{documentName?}", "/sign-in",
        "/sign-out", "/preferences/culture",
        // The local issuer's password page: open like the sign-in page; without Auth:LocalIssuer:Enabled it only says so.
        "/sign-in/local",
        // The pages that say "not allowed" and "not found": they show nothing of the case, and must render for anyone
        // (a refused officer, an address re-executed for a visitor not signed in).
        "/not-allowed", "/not-found",
    ];

    [Fact]
    public async Task Every_endpoint_answers_each_role_and_compartment_as_the_matrix_says()
    {
        var endpoints = ncp.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'), Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"],
                Policy: e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null),
                Open: e.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                StaticFile: e.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null))
            .ToList();
        Assert.True(endpoints.Count > 20, $"only {endpoints.Count} endpoints found");

        // The API reference page's own static files (Scalar) are public in Development, like the page itself; the web UI's
        // static files (its styles and scripts) are public like its sign-in page.
        var openOnes = endpoints.Where(e => e.Open && !e.StaticFile && !e.Pattern.StartsWith("/api/docs/scalar", StringComparison.Ordinal) && e.Pattern != "/api/docs/favicon.svg")
            .Select(e => e.Pattern).Distinct().Order().ToArray();
        Assert.Equal(Anonymous.Order().ToArray(), openOnes);

        var supervisor = ncp.ClientFor("supervisor");
        var open24 = (await supervisor.RegisterAsync(ItemsApi.OutgoingRequest())).Number();
        var csto = (await supervisor.RegisterAsync(ItemsApi.OutgoingRequest("CSTO-CYBER"))).Number();
        var heldCsto = await HeldFromCstoAsync();
        var failures = new List<string>();

        foreach (var endpoint in endpoints.Where(e => !e.Open))
        {
            Assert.True(endpoint.Policy is not null && Allowed.ContainsKey(endpoint.Policy), $"{endpoint.Pattern} has no known policy");
            foreach (var method in endpoint.Methods)
            {
                var anonymous = await SendAsync(ncp.Api.CreateClient(), method, Fill(endpoint.Pattern, open24));
                if (anonymous != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"{method} {endpoint.Pattern} anonymous → {(int)anonymous}");
                }

                foreach (var login in Logins)
                {
                    var status = await SendAsync(ncp.ClientFor(login), method, Fill(endpoint.Pattern, open24));
                    var mayAct = Allowed[endpoint.Policy!].Contains(login);
                    if (mayAct == (status == HttpStatusCode.Forbidden))
                    {
                        failures.Add($"{method} {endpoint.Pattern} as {login} → {(int)status}");
                    }

                    if (mayAct && endpoint.Pattern.Contains("{number}", StringComparison.Ordinal))
                    {
                        // Uncleared, a CSTO item must look exactly like an item that does not exist; cleared, it must be reachable.
                        var compartment = await SendAsync(ncp.ClientFor(login), method, Fill(endpoint.Pattern, csto));
                        var missing = await SendAsync(ncp.ClientFor(login), method, Fill(endpoint.Pattern, "KZ-NCP-1999-999999"));
                        var cleared = login is "supervisor" or "head";
                        var wrong = cleared ? compartment == HttpStatusCode.NotFound : compartment != missing;
                        // A sub-resource (an attachment, a mail) that does not exist is 404 on any item; the item's own check ran first.
                        var subResource = endpoint.Pattern.Contains("{sha256}", StringComparison.Ordinal) || endpoint.Pattern.Contains("{id:guid}", StringComparison.Ordinal);
                        if (wrong && !subResource)
                        {
                            failures.Add($"{method} {endpoint.Pattern} on a CSTO item as {login} → {(int)compartment} (missing item → {(int)missing})");
                        }
                    }

                    if (mayAct && endpoint.Pattern.StartsWith("/api/quarantine/{id:guid}", StringComparison.Ordinal))
                    {
                        // A held mail from a CSTO partner is in the CSTO compartment: no such mail to the uncleared.
                        var compartment = await SendAsync(ncp.ClientFor(login), method, endpoint.Pattern.Replace("{id:guid}", heldCsto.ToString(), StringComparison.Ordinal));
                        var missing = await SendAsync(ncp.ClientFor(login), method, Fill(endpoint.Pattern, open24));
                        var cleared = login is "supervisor" or "head";
                        // The held mail has no attachment of the walk's made-up hash, and no original in the Worker's store (it was
                        // reported, never received): 404 to the cleared too, by that.
                        var ofAFile = endpoint.Pattern.Contains("{sha256}", StringComparison.Ordinal)
                            || endpoint.Pattern.EndsWith("/original", StringComparison.Ordinal);
                        if (cleared ? compartment == HttpStatusCode.NotFound && !ofAFile : compartment != missing || missing != HttpStatusCode.NotFound)
                        {
                            failures.Add($"{method} {endpoint.Pattern} on CSTO held mail as {login} → {(int)compartment} (missing mail → {(int)missing})");
                        }
                    }
                }
            }
        }

        // The walk read the CSTO item as the cleared officers: the audit log shows those reads like the item, only to the cleared.
        foreach (var login in Allowed["ncp.audit"])
        {
            var page = await ncp.ClientFor(login).GetJsonAsync($"/api/audit?registerNumber={csto}");
            var seen = page.GetProperty("entries").GetArrayLength();
            if ((login == "head") != (seen > 0))
            {
                failures.Add($"GET /api/audit as {login} shows {seen} entries of a CSTO item");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // Reported as the gateway reports it, over the bus to the Api's consumer, which files it in its partner's channel.
    private async Task<Guid> HeldFromCstoAsync()
    {
        var id = Guid.CreateVersion7();
        await ncp.Worker.Services.GetRequiredService<MassTransit.IBus>().Publish(new Ncp.Contracts.Mail.MailQuarantined(
            id, "not-encrypted", "Plain text from a CSTO partner.", "cyber.channel@csto-sec.example", "Matrix probe", $"{id:N}@csto-sec.example", 100,
            DateTimeOffset.UtcNow, PartnerCode: "CSTO-CYBER"));
        await NcpSystem.EventuallyAsync(
            async () => (await ncp.ClientFor("supervisor").GetAsync($"/api/quarantine/{id}")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        return id;
    }

    private static string Fill(string pattern, string number) =>
        pattern.Replace("{number}", number, StringComparison.Ordinal).Replace("{code}", "DE-CYBER247", StringComparison.Ordinal)
            .Replace("{sha256}", "00", StringComparison.Ordinal).Replace("{id:guid}", Guid.Empty.ToString(), StringComparison.Ordinal).Replace("{step}", "reply-by:50%", StringComparison.Ordinal);

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (url.EndsWith("/attachments", StringComparison.Ordinal))
        {
            // Routing matches the upload endpoint on its content type before authorization runs.
            request.Content = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "probe.bin" } };
        }
        else if (method != "GET")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
