using System.Security.Cryptography;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Auditing;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Ncp.Api.Cases.Attaching;

public sealed class AttachmentSettings
{
    public const string Section = "Attachments";

    public long MaxBytes { get; set; } = 50L * 1024 * 1024;
}

/// <summary>
/// Attachment content, stored once per SHA-256 whatever the number of items that carry it; the items' streams
/// record which file (name, type, hash) was attached, by whom and when.
/// </summary>
public static class Attachments
{
    public const string TableName = "attachment_contents";

    public static Table Table(string schema)
    {
        var table = new Table(new Weasel.Postgresql.PostgresqlObjectName(schema, TableName, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("sha256").AsPrimaryKey();
        table.AddColumn<long>("size").NotNull();
        table.AddColumn("content", "bytea").NotNull();
        table.AddColumn<DateTimeOffset>("stored_at").NotNull();
        return table;
    }

    public static RouteGroupBuilder MapAttaching(this RouteGroupBuilder items, AttachmentSettings settings)
    {
        items.MapPost("/{number}/attachments", AttachAsync)
            .RequireAuthorization(Policies.Act)
            .DisableAntiforgery()
            // Kestrel's default body limit (30 MB) is below the attachment limit; the form's own overhead is small.
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(settings.MaxBytes + (1024 * 1024)))
            .WithName("AttachFile")
            .WithSummary("Attach a file (multipart/form-data, field 'file'); stored once by SHA-256")
            .ProducesValidationProblem();
        items.MapGet("/{number}/attachments/{sha256}", DownloadAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("DownloadAttachment")
            .WithSummary("Download an attachment of the item; the read is audited");
        return items;
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> AttachAsync(
        string number, IFormFile? file, HttpContext http, ItemStore items, NpgsqlDataSource db, MartenSettings marten,
        AttachmentSettings settings, TimeProvider time, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            return FieldError.ToProblem([new("file", "Send the file as multipart/form-data in a field named 'file'.")]);
        }

        if (file.Length > settings.MaxBytes)
        {
            return FieldError.ToProblem([new("file", $"The file is {file.Length} bytes; the limit is {settings.MaxBytes} bytes.")]);
        }

        if (!ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem([FieldError.IfMatch()]);
        }

        await using var read = file.OpenReadStream();
        var content = new byte[file.Length];
        await read.ReadExactlyAsync(content, ct);
        var sha256 = await StoreContentAsync(db, marten, content, time, ct);

        var fileName = Path.GetFileName(file.FileName);
        var item = await items.RunAsync(number, expected, http.User,
            new AddAttachment(sha256, string.IsNullOrWhiteSpace(fileName) ? sha256 : fileName, file.ContentType ?? "application/octet-stream", file.Length, http.User.Actor()), ct);
        return ItemResource.Answer(http, item);
    }

    /// <summary>Keeps the bytes once, whatever the number of items, mails or uploads that carry them; returns their SHA-256.</summary>
    public static async Task<string> StoreContentAsync(NpgsqlDataSource db, MartenSettings marten, byte[] content, TimeProvider time, CancellationToken ct)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        await using var store = db.CreateCommand(
            $"insert into {marten.Schema}.{TableName} (sha256, size, content, stored_at) values ($1, $2, $3, $4) on conflict (sha256) do nothing");
        store.Parameters.AddWithValue(sha256);
        store.Parameters.AddWithValue((long)content.Length);
        store.Parameters.AddWithValue(content);
        store.Parameters.AddWithValue(time.GetUtcNow());
        await store.ExecuteNonQueryAsync(ct);
        return sha256;
    }

    /// <summary>The stored bytes of each file named by its SHA-256, in one round trip; a file never stored is not in the answer.</summary>
    public static async Task<Dictionary<string, byte[]>> ReadContentsAsync(
        NpgsqlDataSource db, MartenSettings marten, IReadOnlyCollection<string> sha256s, CancellationToken ct)
    {
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (sha256s.Count == 0)
        {
            return contents;
        }

        await using var read = db.CreateCommand($"select sha256, content from {marten.Schema}.{TableName} where sha256 = any($1)");
        read.Parameters.AddWithValue(sha256s.ToArray());
        await using var rows = await read.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            contents[rows.GetString(0)] = (byte[])rows.GetValue(1);
        }

        return contents;
    }

    private static async Task<Results<FileContentHttpResult, NotFound<string>>> DownloadAsync(
        string number, string sha256, HttpContext http, ItemStore items, IDocumentSession session, AuditTrail audit,
        NpgsqlDataSource db, MartenSettings marten, CancellationToken ct)
    {
        var item = await items.FindOrThrowAsync(session, number, http.User, ct);
        var attachment = item.Attachments.FirstOrDefault(a => a.Sha256 == sha256);
        if (attachment is null)
        {
            throw new ItemNotFound($"{number}/attachments/{sha256}");
        }

        var content = (await ReadContentsAsync(db, marten, [sha256], ct))[sha256];

        await audit.RecordAsync(http, "download-attachment", item, $"{attachment.FileName} ({sha256})", ct);
        // Served as a download, never rendered inline: partner files are untrusted.
        return TypedResults.File(content, "application/octet-stream", attachment.FileName);
    }
}
