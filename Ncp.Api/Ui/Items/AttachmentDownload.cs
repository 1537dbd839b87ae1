using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Infrastructure;

namespace Ncp.Api.Ui.Items;

/// <summary>An attachment as the browser downloads it from the item page or the quarantine page (see <see cref="ApiDownload"/>).</summary>
public static class AttachmentDownload
{
    public static string PathOf(string number, string sha256) => $"/items/{Uri.EscapeDataString(number)}/attachments/{Uri.EscapeDataString(sha256)}";

    public static string PathOf(Guid heldMail, string sha256) => $"/quarantine/{heldMail}/attachments/{Uri.EscapeDataString(sha256)}";

    /// <summary>A held mail as the gateway received it (an .eml file).</summary>
    public static string OriginalOf(Guid heldMail) => $"/quarantine/{heldMail}/original";

    public static void MapAttachmentDownload(this WebApplication app)
    {
        app.MapGet("/items/{number}/attachments/{sha256}", DownloadAsync).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        app.MapGet("/quarantine/{id:guid}/attachments/{sha256}", DownloadHeldAsync).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        app.MapGet("/quarantine/{id:guid}/original", DownloadOriginalAsync).RequireAuthorization(Policies.Read).ExcludeFromDescription();
    }

    private static Task DownloadAsync(string number, string sha256, HttpContext http, CancellationToken ct) =>
        ApiDownload.PassOnAsync(
            http, $"api/items/{Uri.EscapeDataString(number)}/attachments/{Uri.EscapeDataString(sha256)}", "application/octet-stream", ct);

    private static Task DownloadHeldAsync(Guid id, string sha256, HttpContext http, CancellationToken ct) =>
        ApiDownload.PassOnAsync(http, $"api/quarantine/{id}/attachments/{Uri.EscapeDataString(sha256)}", "application/octet-stream", ct);

    private static Task DownloadOriginalAsync(Guid id, HttpContext http, CancellationToken ct) =>
        ApiDownload.PassOnAsync(http, $"api/quarantine/{id}/original", "message/rfc822", ct);
}
