using System.Net.Http.Headers;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// A file the browser downloads from a page. The browser holds a cookie, and API paths take only bearer tokens; so a
/// page-side path asks the Api's own endpoint as the signed-in officer (the Api checks policy and compartment, and
/// audits) and hands the file on.
/// </summary>
public static class ApiDownload
{
    public static async Task PassOnAsync(HttpContext http, string apiPath, string contentType, CancellationToken ct)
    {
        var clients = http.RequestServices.GetRequiredService<IHttpClientFactory>();
        var tokens = http.RequestServices.GetRequiredService<OfficerTokens>();
        using var client = clients.CreateClient(NcpApiClient.HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, apiPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.IssueFor(http.User));
        // In the language the officer reads the page in (a report's headers, say), not the browser's own Accept-Language.
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(UiCultures.Current));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        http.Response.StatusCode = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            http.Response.ContentType = contentType;
            if (response.Content.Headers.ContentDisposition is { } disposition)
            {
                http.Response.Headers.ContentDisposition = disposition.ToString();
            }
        }

        // Never rendered by the browser: a download is data, whatever its name says.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        await response.Content.CopyToAsync(http.Response.Body, ct);
    }
}
