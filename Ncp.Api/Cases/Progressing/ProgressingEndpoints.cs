using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Deadlines;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Cases.Progressing;

/// <summary>The acknowledgement; of a preservation, with the date the partner preserves until (else the default term).</summary>
public sealed record AcknowledgeBody(string? PartnerReference, DateTimeOffset? PreservedUntil = null);

/// <summary>An answer and what it brought (<c>outcome</c>, the ground of a refusal, the effect on the case).</summary>
public sealed record AnswerBody(string? Extent, string? Summary, string? Outcome = null, string? RefusalGround = null, string? CaseEffect = null);

/// <summary>The outcome an answer should have had, and why the one recorded is corrected.</summary>
public sealed record OutcomeBody(string? Outcome, string? RefusalGround, string? CaseEffect, string? Reason);

public sealed record ReasonBody(string? Reason);

public sealed record AssignBody(string? OfficerId, string? OfficerName);

public sealed record NoteBody(string? Text);

/// <summary>
/// The lifecycle and bookkeeping commands on one item. Each takes the item's ETag in If-Match (optional: without it the
/// command applies to whatever version is current), answers with the item as it now is, and refuses what the rules forbid.
/// </summary>
public static class ProgressingEndpoints
{
    public const int ReasonMaxLength = 2000;
    public const int NoteMaxLength = 8000;

    public static RouteGroupBuilder MapProgressing(this RouteGroupBuilder items)
    {
        var preservation = ((IEndpointRouteBuilder)items).ServiceProvider.GetRequiredService<Chaining.PreservationSettings>();
        items.MapPost("/{number}/send", SendAsync)
            .Described(Policies.Act, "SendItem",
                "Mark an outgoing draft as sent to the partner; its deadlines and escalation ladder start now");
        items.MapCommand<AcknowledgeBody>("acknowledge", Policies.Act, "AcknowledgeItem",
            "Outgoing: the partner confirmed receipt (with its reference). Incoming: we confirmed receipt.",
            (b, by) => b?.PartnerReference?.Length > 100
                ? (null, [new("partnerReference", "At most 100 characters.")])
                : (new AcknowledgeItem(string.IsNullOrWhiteSpace(b?.PartnerReference) ? null : b.PartnerReference.Trim(), by,
                    preservation.Terms(b?.PreservedUntil)), []));
        items.MapCommand<AnswerBody>("answers", Policies.Act, "RecordAnswer",
            "Outgoing: the partner answered. Incoming: we answered. Extent 'partial' or 'full'; outcome what it brought "
            + "(a refusal with its refusalGround), caseEffect optional",
            (b, by) =>
            {
                var errors = new List<FieldError>();
                if (!ApiEnum<AnswerExtent>.TryParse(b?.Extent, out var extent))
                {
                    errors.Add(new("extent", $"One of: {ApiEnum<AnswerExtent>.Names}."));
                }

                errors.AddRange(Text("summary", b?.Summary, ReasonMaxLength));
                var (outcome, wrong) = Answering.Outcomes.Parse(b?.Outcome, b?.RefusalGround, b?.CaseEffect, required: false);
                errors.AddRange(wrong);
                return errors.Count > 0 ? (null, errors.ToArray()) : (new RecordAnswer(extent, b!.Summary!.Trim(), by, outcome), []);
            });
        items.MapCommand<OutcomeBody>("outcome", Policies.Act, "CorrectAnswerOutcome",
            "Correct the outcome of the item's answer (data provided, partly provided, no longer retained, not held, refused with its "
            + "ground, not applicable; optionally the effect on the case), with the reason; the timeline keeps both",
            (b, by) =>
            {
                var (outcome, errors) = Answering.Outcomes.Parse(b?.Outcome, b?.RefusalGround, b?.CaseEffect, required: true);
                FieldError[] all = [.. errors, .. Text("reason", b?.Reason, ReasonMaxLength)];
                return all.Length > 0 ? (null, all) : (new Answering.CorrectAnswerOutcome(outcome!, b!.Reason!.Trim(), by), []);
            });
        items.MapReasoned("close", Policies.Act, "CloseItem", "Close an answered item (an initiative message once acknowledged)", (r, by) => new CloseItem(r, by));
        items.MapReasoned("withdraw", Policies.Act, "WithdrawItem", "Outgoing: we withdraw it. Incoming: the partner withdrew it.", (r, by) => new WithdrawItem(r, by));
        items.MapReasoned("refuse", Policies.Act, "RefuseItem", "Outgoing: the partner refused it. Incoming: we refuse it.", (r, by) => new RefuseItem(r, by));
        items.MapPost("/{number}/reopen", ReopenAsync)
            .Described(Policies.Supervise, "ReopenItem",
                "Reopen a closed, withdrawn or refused item (supervisors); its clock starts again from now");
        items.MapCommand<AssignBody>("assignee", Policies.Act, "AssignOfficer", "Assign the item to an officer",
            (b, by) => string.IsNullOrWhiteSpace(b?.OfficerId) || b.OfficerId.Length > 100
                ? (null, [new("officerId", "The officer's id (object id of the account) is required.")])
                : (new AssignOfficer(new Actor(b.OfficerId.Trim(), string.IsNullOrWhiteSpace(b.OfficerName) ? b.OfficerId.Trim() : b.OfficerName.Trim()), by), []));
        items.MapCommand<ReasonBody>("remind", Policies.Act, "RemindPartner",
            "Outgoing, sent and still awaiting the partner: mail them a reminder now (not again within the hour); the reason is optional and stays with us",
            (b, by) => b?.Reason?.Length > ReasonMaxLength
                ? (null, [new("reason", $"At most {ReasonMaxLength} characters.")])
                : (new RemindPartner(string.IsNullOrWhiteSpace(b?.Reason) ? null : b.Reason.Trim(), by), []));
        items.MapCommand<NoteBody>("notes", Policies.Act, "AddNote", "Add a note to the item's timeline",
            (b, by) => Text("text", b?.Text, NoteMaxLength) is { Length: > 0 } errors ? (null, errors) : (new AddNote(b!.Text!.Trim(), by), []));
        return items;
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> SendAsync(
        string number, HttpContext http, IQuerySession query, ItemStore store, DeadlinePlanner planner, TimeProvider time, CancellationToken ct)
    {
        if (!ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem([FieldError.IfMatch()]);
        }

        var item = await store.FindOrThrowAsync(query, number, http.User, ct);
        var deadlines = item.Direction == Direction.Outgoing
            ? await planner.PlanAsync(query, item.Kind, item.Direction, item.Fields(), time.GetUtcNow(), ct)
            : null;
        return ItemResource.Answer(http, await store.RunAsync(number, expected, http.User, new SendItem(http.User.Actor(), deadlines), ct));
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> ReopenAsync(
        string number, ReasonBody? body, HttpContext http, IQuerySession query, ItemStore store, DeadlinePlanner planner, TimeProvider time,
        CancellationToken ct)
    {
        if (!ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem([FieldError.IfMatch()]);
        }

        if (Text("reason", body?.Reason, ReasonMaxLength) is { Length: > 0 } errors)
        {
            return FieldError.ToProblem(errors);
        }

        var item = await store.FindOrThrowAsync(query, number, http.User, ct);
        var now = time.GetUtcNow();
        // A partner's deadline already past would put every reply rung at once; the policy's own figures count from now instead.
        var fields = item.Fields() with { DueBy = item.DueBy > now ? item.DueBy : null };
        var deadlines = await planner.PlanAsync(query, item.Kind, item.Direction, fields, now, ct);
        var command = new ReopenItem(body!.Reason!.Trim(), http.User.Actor(), deadlines);
        return ItemResource.Answer(http, await store.RunAsync(number, expected, http.User, command, ct));
    }

    /// <summary>What every command on an item declares: its policy, name, summary and the problems it may answer with.</summary>
    public static RouteHandlerBuilder Described(this RouteHandlerBuilder endpoint, string policy, string name, string summary) =>
        endpoint
            .RequireAuthorization(policy)
            .WithName(name)
            .WithSummary(summary)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static void MapReasoned(this RouteGroupBuilder items, string action, string policy, string name, string summary, Func<string, Actor, object> command) =>
        items.MapCommand<ReasonBody>(action, policy, name, summary,
            (b, by) => Text("reason", b?.Reason, ReasonMaxLength) is { Length: > 0 } errors ? (null, errors) : (command(b!.Reason!.Trim(), by), []));

    private static void MapCommand<TBody>(
        this RouteGroupBuilder items, string action, string policy, string name, string summary, Func<TBody?, Actor, (object? Command, FieldError[] Errors)> toCommand)
        where TBody : class =>
        items.MapPost($"/{{number}}/{action}", async Task<Results<Ok<ItemResource>, ValidationProblem>> (
                string number, TBody? body, HttpContext http, ItemStore store, CancellationToken ct) =>
            {
                if (!ETags.TryReadIfMatch(http.Request, out var expected))
                {
                    return FieldError.ToProblem([FieldError.IfMatch()]);
                }

                var (command, errors) = toCommand(body, http.User.Actor());
                if (command is null)
                {
                    return FieldError.ToProblem(errors);
                }

                return ItemResource.Answer(http, await store.RunAsync(number, expected, http.User, command, ct));
            })
            .Described(policy, name, summary);

    public static FieldError[] Text(string field, string? value, int max) =>
        string.IsNullOrWhiteSpace(value) ? [new(field, "Required.")]
        : value.Length > max ? [new(field, $"At most {max} characters.")]
        : [];
}
