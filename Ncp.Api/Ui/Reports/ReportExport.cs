using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Ui.Infrastructure;

namespace Ncp.Api.Ui.Reports;

/// <summary>
/// The Reports screen's downloads as the browser fetches them: the Api's <c>GET /api/reports/{name}?format=csv|xlsx</c> with the
/// same filters, passed on as the officer (see <see cref="ApiDownload"/>); the Api says which formats it has.
/// </summary>
public static class ReportExport
{
    public static void MapReportExport(this WebApplication app) =>
        app.MapGet("/reports/{name}/export", (string name, HttpContext http, CancellationToken ct) =>
                ApiDownload.PassOnAsync(http, $"api/reports/{name}{http.Request.QueryString}", ContentType(http.Request.Query["format"]), ct))
            .RequireAuthorization(Policies.Report)
            .ExcludeFromDescription();

    private static string ContentType(string? format) => format == "xlsx"
        ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        : "text/csv; charset=utf-8";
}
