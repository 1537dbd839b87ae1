using System.Net.Http.Headers;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Infrastructure;

namespace Ncp.Api.Ui.Items;

/// <summary>
/// An attachment as the browser downloads it from the item page. The browser holds a cookie, and API paths take only
/// bearer tokens; so this page-side path asks the Api's own endpoint as the signed-in officer (the Api checks the
/// compartment and audits the download) and hands the file on.
/// </summary>
public static class AttachmentDownload
{
    public static string PathOf(string number, string sha256) => $"/items/{Uri.EscapeDataString(number)}/attachments/{Uri.EscapeDataString(sha256)}";

    public static void MapAttachmentDownload(this WebApplication app) =>
        app.MapGet("/items/{number}/attachments/{sha256}", DownloadAsync).RequireAuthorization(Policies.Read);

    private static async Task DownloadAsync(string number, string sha256, HttpContext http, IHttpClientFactory clients, OfficerTokens tokens, CancellationToken ct)
    {
        using var client = clients.CreateClient(NcpApiClient.HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/items/{Uri.EscapeDataString(number)}/attachments/{Uri.EscapeDataString(sha256)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.IssueFor(http.User));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        http.Response.StatusCode = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            http.Response.ContentType = "application/octet-stream";
            if (response.Content.Headers.ContentDisposition is { } disposition)
            {
                http.Response.Headers.ContentDisposition = disposition.ToString();
            }
        }

        // Never rendered by the browser: the partner's file is data, whatever its name says.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        await response.Content.CopyToAsync(http.Response.Body, ct);
    }
}
