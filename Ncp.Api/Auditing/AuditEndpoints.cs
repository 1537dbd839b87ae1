using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;

namespace Ncp.Api.Auditing;

public sealed record AuditPage(AuditEntry[] Entries, long? Next);

public static class AuditEndpoints
{
    public const int DefaultPage = 100;
    public const int MaxPage = 500;
    public const int MaxExport = 100_000;
    public const string ExportPath = "/api/audit/export";

    public static IEndpointRouteBuilder MapAuditing(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Audit);
        audit.MapGet("/", ListAsync)
            .WithName("ListAuditEntries")
            .WithSummary("The audit log, newest first, of the channels the auditor is cleared for; filters: user (id or part of the name), "
                + "action, registerNumber, from, to (exclusive); a page at a time (next = the sequence to continue before)")
            .AuditedAs("read-audit");
        audit.MapGet("/export", ExportAsync)
            .WithName("ExportAuditEntries")
            .WithSummary($"The filtered audit log as CSV (UTF-8), newest first, at most {MaxExport} entries")
            .AuditedAs("export-audit");
        return app;
    }

    private static async Task<Ok<AuditPage>> ListAsync(
        [AsParameters] AuditQuery query, long? before, int? limit, HttpContext http, AuditChain chain, Compartments compartments, CancellationToken ct)
    {
        var size = Math.Clamp(limit ?? DefaultPage, 1, MaxPage);
        var rows = await chain.ReadAsync(query, VisibleChannels(http, compartments), before, size + 1, ct);
        var page = rows.Take(size).ToArray();
        return TypedResults.Ok(new AuditPage(page, rows.Count > size ? page[^1].Sequence : null));
    }

    private static async Task<FileContentHttpResult> ExportAsync(
        [AsParameters] AuditQuery query, HttpContext http, AuditChain chain, Compartments compartments, TimeProvider time, CancellationToken ct)
    {
        var rows = await chain.ReadAsync(query, VisibleChannels(http, compartments), null, MaxExport, ct);
        var csv = new StringBuilder("sequence,at,user_id,user_name,action,register_number,channel,detail,address,outcome,hash\r\n");
        foreach (var e in rows)
        {
            csv.AppendJoin(',', new[]
            {
                e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.ToString("O", CultureInfo.InvariantCulture), e.UserId, e.UserName, e.Action,
                e.RegisterNumber, e.Channel, e.Detail, e.Address, e.Outcome, e.Hash,
            }.Select(Cell)).Append("\r\n");
        }

        var name = $"audit-{time.GetUtcNow():yyyyMMdd-HHmmss}.csv";
        return TypedResults.File(new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray(),
            "text/csv; charset=utf-8", name);
    }

    private static string[] VisibleChannels(HttpContext http, Compartments compartments) =>
        [.. compartments.ChannelsOf(http.User).Select(Compartments.Name)];

    /// <summary>RFC 4180 quoting; a cell that a spreadsheet would take for a formula starts with an apostrophe.</summary>
    private static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var safe = "=+-@\t\r".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
        return safe.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{safe.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : safe;
    }
}
