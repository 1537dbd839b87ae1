using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Auditing;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Cases.Chaining;

public sealed record ConfirmPreservationBody(DateTimeOffset? PreservedUntil);

public sealed record ExtendPreservationBody(int? Days);

/// <summary>One step of a chain with its dates, who waits on whom, and whether a warning names it.</summary>
public sealed record ChainStepResource(
    string RegisterNumber,
    string Subject,
    ChainRole Role,
    WorkItemKind Kind,
    Direction Direction,
    WorkItemStatus Status,
    string PartnerCode,
    Channel Channel,
    RequestForm? Form,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? PreservedUntil,
    DateTimeOffset? ExtensionRequestedAt,
    int? ExtensionDays,
    DateTimeOffset? ExpectedAnswer,
    ChainWait Waits,
    bool Warned)
{
    public static ChainStepResource Of(ChainFacts s, IReadOnlyList<ChainFacts> chain, bool warned) => new(
        s.Item.RegisterNumber, s.Item.Subject, s.Role, s.Item.Kind, s.Item.Direction, s.Item.Status, s.Item.PartnerCode, s.Item.Channel,
        s.Member?.Form, s.Item.RegisteredAt, s.Item.SentAt, s.Item.AcknowledgedAt, s.Item.FirstAnswerAt, s.Member?.PreservedUntil,
        s.Member?.ExtensionRequestedAt, s.Member?.ExtensionDays, s.ExpectedAnswer, ChainRules.Wait(s, chain), warned);
}

/// <summary>The chain of the item asked for (<see cref="RegisterNumber"/>, its <see cref="Channel"/>): its steps in order, its warnings.</summary>
public sealed record ChainResource(string RegisterNumber, Channel Channel, ChainStepResource[] Steps, ChainWarning[] Warnings)
{
    public static ChainResource Of(ItemDetails asked, IReadOnlyList<ChainFacts> chain)
    {
        var warnings = ChainRules.Warnings(chain);
        var warned = warnings.SelectMany(w => new[] { w.Preservation, w.FollowUp }).ToHashSet(StringComparer.Ordinal);
        return new(
            asked.RegisterNumber, asked.Channel, [.. chain.Select(s => ChainStepResource.Of(s, chain, warned.Contains(s.Item.RegisterNumber)))],
            [.. warnings]);
    }
}

/// <summary>The preservation → legal assistance → disclosure chain of an item, and what is done with a preservation's term.</summary>
public static class ChainingEndpoints
{
    public const int MaxExtensionDays = 365;

    public static RouteGroupBuilder MapChaining(this RouteGroupBuilder items)
    {
        items.MapGet("/{number}/chain", ReadAsync).RequireAuthorization(Policies.Read).WithName("GetItemChain")
            .WithSummary("The item's chain (preservation, legal assistance, disclosure, linked as follow-ups): each step's dates, "
                + "who waits on whom, and a warning where a preservation lapses before the answer it keeps the data for; the read is audited");
        items.MapPost("/{number}/preservation/confirm", ConfirmAsync).RequireAuthorization(Policies.Act).WithName("ConfirmPreservation")
            .WithSummary("The partner confirmed the preservation (or its extension) until a date; the expiry rung moves with it")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        items.MapPost("/{number}/preservation/extend", ExtendAsync).RequireAuthorization(Policies.Act)
            .WithName("RequestPreservationExtension")
            .WithSummary("Ask the partner, in the item's mail thread, to preserve a further period (art. 29(7); 90 days unless given)")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        return items;
    }

    private static async Task<Ok<ChainResource>> ReadAsync(
        string number, HttpContext http, IDocumentSession session, ItemStore items, Compartments compartments, AuditTrail audit,
        CancellationToken ct)
    {
        var item = await items.FindOrThrowAsync(session, number, http.User, ct);
        var chain = await ChainReader.ReadAsync(session, item.Id, i => compartments.MaySee(http.User, i.Channel), ct);
        await audit.RecordAsync(http, "read-item-chain", item, null, ct);
        return TypedResults.Ok(ChainResource.Of(item, chain));
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> ConfirmAsync(
        string number, ConfirmPreservationBody? body, HttpContext http, ItemStore items, PreservationSettings settings,
        CancellationToken ct)
    {
        if (body?.PreservedUntil is not { } until)
        {
            return FieldError.ToProblem([new("preservedUntil", "The date the partner preserves the data until, e.g. 2027-03-01T00:00Z.")]);
        }

        return await RunAsync(http, items, number, new ConfirmPreservation(until, settings.WarnBefore, http.User.Actor()), ct);
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> ExtendAsync(
        string number, ExtendPreservationBody? body, HttpContext http, ItemStore items, PreservationSettings settings,
        CancellationToken ct)
    {
        var days = body?.Days ?? settings.ExtensionDays;
        if (days is < 1 or > MaxExtensionDays)
        {
            return FieldError.ToProblem([new("days", $"From 1 to {MaxExtensionDays} days; {settings.ExtensionDays} when left out.")]);
        }

        return await RunAsync(http, items, number, new RequestPreservationExtension(days, http.User.Actor()), ct);
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> RunAsync(
        HttpContext http, ItemStore items, string number, object command, CancellationToken ct) =>
        ETags.TryReadIfMatch(http.Request, out var expected)
            ? ItemResource.Answer(http, await items.RunAsync(number, expected, http.User, command, ct))
            : FieldError.ToProblem([FieldError.IfMatch()]);
}
