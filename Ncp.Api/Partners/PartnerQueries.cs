using System.Linq.Expressions;
using Marten;
using Marten.Linq;

namespace Ncp.Api.Partners;

/// <summary>Compiled once by Marten: looking a partner up by code is on the path of every registration.</summary>
public sealed class PartnerByCode : ICompiledQuery<PartnerDirectoryEntry, PartnerDirectoryEntry?>
{
    public string Code { get; set; } = "";

    public Expression<Func<IMartenQueryable<PartnerDirectoryEntry>, PartnerDirectoryEntry?>> QueryIs() =>
        q => q.SingleOrDefault(p => p.Code == Code);
}

public static class PartnerQueries
{
    public static Task<PartnerDirectoryEntry?> FindPartnerAsync(this IQuerySession session, string? code, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(code) ? Task.FromResult<PartnerDirectoryEntry?>(null) : session.QueryAsync(new PartnerByCode { Code = code }, ct);
}
