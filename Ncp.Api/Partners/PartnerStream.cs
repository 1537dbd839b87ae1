using JasperFx.Events;
using Marten;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Observability;
using Ncp.Api.Partners.Directory;

namespace Ncp.Api.Partners;

/// <summary>How every change to a partner goes over HTTP: If-Match as the expected version in, the new version as ETag out.</summary>
public static class PartnerStream
{
    public static async Task<IEventStream<PartnerDirectoryEntry>> OpenAsync(string code, long? expectedVersion, IDocumentSession session, CancellationToken ct)
    {
        var entry = await session.FindPartnerAsync(code, ct) ?? throw new PartnerNotFound(code);
        EventLogTracing.Stamp(session);
        return expectedVersion is { } version
            ? await session.Events.FetchForWriting<PartnerDirectoryEntry>(entry.Id, version, ct)
            : await session.Events.FetchForWriting<PartnerDirectoryEntry>(entry.Id, ct);
    }

    /// <summary>Saves what was appended (possibly nothing: a repeated request) and answers with the entry as it now stands.</summary>
    public static async Task<PartnerDirectoryEntry> SaveAsync(IEventStream<PartnerDirectoryEntry> stream, HttpContext http, IDocumentSession session, CancellationToken ct)
    {
        await session.SaveChangesAsync(ct);
        var entry = await session.LoadAsync<PartnerDirectoryEntry>(stream.Id, ct)
            ?? throw new InvalidOperationException($"The directory entry of partner {stream.Id} is missing after a change.");
        http.Response.Headers.ETag = ETags.Of(entry.Version);
        return entry;
    }
}
