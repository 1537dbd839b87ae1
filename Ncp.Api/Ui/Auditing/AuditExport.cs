using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Infrastructure;

namespace Ncp.Api.Ui.Auditing;

/// <summary>The Audit screen's CSV export as the browser downloads it: the Api's export of the same filters (see <see cref="ApiDownload"/>).</summary>
public static class AuditExport
{
    public static void MapAuditExport(this WebApplication app) =>
        app.MapGet("/audit/export", (HttpContext http, CancellationToken ct) =>
                ApiDownload.PassOnAsync(http, "api/audit/export" + http.Request.QueryString, "text/csv; charset=utf-8", ct))
            .RequireAuthorization(Policies.Audit)
            .ExcludeFromDescription();
}
