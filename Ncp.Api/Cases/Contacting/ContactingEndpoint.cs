using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases.Progressing;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Cases.Contacting;

/// <summary>
/// A contact outside Ncp's mail. <see cref="Attachments"/> are SHA-256s of the item's own files; <see cref="CountsAs"/>
/// (optional): <c>acknowledgement</c>, <c>partial-answer</c> or <c>full-answer</c>.
/// </summary>
public sealed record ContactBody(
    string? Means, string? Direction, DateTimeOffset? HappenedAt, string? With, string? Summary, string[]? Attachments, string? CountsAs,
    string? PartnerReference);

public static class ContactingEndpoint
{
    public const int WithMaxLength = 200;

    // Clocks differ a little between an officer's phone and the server; a contact further ahead than this has not happened yet.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static RouteGroupBuilder MapContacting(this RouteGroupBuilder items)
    {
        items.MapPost("/{number}/contacts", LogAsync)
            .Described(Policies.Act, "LogContact",
                "Log a phone call, fax, Interpol I-24/7 message or meeting with the partner; "
                + "it may count as the acknowledgement or an answer");
        return items;
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> LogAsync(
        string number, ContactBody? body, HttpContext http, IQuerySession query, ItemStore store, TimeProvider time, CancellationToken ct)
    {
        if (!ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem([FieldError.IfMatch()]);
        }

        var item = await store.FindOrThrowAsync(query, number, http.User, ct);
        var empty = new ContactBody(null, null, null, null, null, null, null, null);
        var (command, errors) = ToCommand(body ?? empty, item, http.User.Actor(), time.GetUtcNow());
        return command is null
            ? FieldError.ToProblem(errors)
            : ItemResource.Answer(http, await store.RunAsync(number, expected, http.User, command, ct));
    }

    private static (LogContact? Command, FieldError[] Errors) ToCommand(ContactBody b, ItemDetails item, Actor by, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        if (!ApiEnum<ContactMeans>.TryParse(b.Means, out var means))
        {
            errors.Add(new("means", $"One of: {ApiEnum<ContactMeans>.Names}."));
        }

        if (!ApiEnum<Direction>.TryParse(b.Direction, out var direction))
        {
            errors.Add(new("direction", $"One of: {ApiEnum<Direction>.Names} (the partner reached us, or we them)."));
        }

        if (b.HappenedAt is not { } happenedAt)
        {
            errors.Add(new("happenedAt", "When it happened, e.g. 2026-12-01T09:30:00+05:00."));
        }
        else if (happenedAt > now + ClockSkew)
        {
            errors.Add(new("happenedAt", $"A contact is logged once it happened; {happenedAt:u} is still ahead."));
        }

        errors.AddRange(ProgressingEndpoints.Text("with", b.With, WithMaxLength));
        errors.AddRange(ProgressingEndpoints.Text("summary", b.Summary, ProgressingEndpoints.NoteMaxLength));
        ContactCountsAs? countsAs = null;
        if (b.CountsAs is not null)
        {
            if (ApiEnum<ContactCountsAs>.TryParse(b.CountsAs, out var counted))
            {
                countsAs = counted;
            }
            else
            {
                errors.Add(new("countsAs", $"Empty, or one of: {ApiEnum<ContactCountsAs>.Names}."));
            }
        }

        if (b.PartnerReference?.Length > 100)
        {
            errors.Add(new("partnerReference", "At most 100 characters."));
        }

        var files = new List<ContactFile>();
        foreach (var sha256 in (b.Attachments ?? []).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (item.Attachments.FirstOrDefault(a => string.Equals(a.Sha256, sha256, StringComparison.OrdinalIgnoreCase)) is { } file)
            {
                files.Add(new ContactFile(file.Sha256, file.FileName));
            }
            else
            {
                errors.Add(new("attachments",
                    $"{sha256} is not the SHA-256 of a file of item {item.RegisterNumber}; attach the file to the item first."));
            }
        }

        return errors.Count > 0
            ? (null, errors.ToArray())
            : (new LogContact(
                Guid.CreateVersion7(), means, direction, b.HappenedAt!.Value, b.With!.Trim(), b.Summary!.Trim(), [.. files], countsAs,
                string.IsNullOrWhiteSpace(b.PartnerReference) ? null : b.PartnerReference.Trim(), by), []);
    }
}
