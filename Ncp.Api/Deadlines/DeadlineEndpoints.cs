using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Deadlines;

public sealed record ExtendBody(string? Deadline, DateTimeOffset? Until, string? Reason);

public sealed record PauseBody(string? Reason);

/// <summary>What officers do with an item's clock: extend a deadline, pause and resume it, acknowledge an escalation.</summary>
public static class DeadlineEndpoints
{
    public const int ReasonMaxLength = 2000;

    public static RouteGroupBuilder MapDeadlines(this RouteGroupBuilder items)
    {
        items.MapPost("/{number}/deadlines/extend", ExtendAsync).RequireAuthorization(Policies.Act).WithName("ExtendDeadline")
            .WithSummary("Move acknowledge-by or reply-by later, with a reason; the rungs not yet reached move with it").ProducesValidationProblem();
        items.MapPost("/{number}/deadlines/pause", PauseAsync).RequireAuthorization(Policies.Act).WithName("PauseDeadlines")
            .WithSummary("Stop the clock (e.g. waiting on a national authority), with a reason").ProducesValidationProblem();
        items.MapPost("/{number}/deadlines/resume", ResumeAsync).RequireAuthorization(Policies.Act).WithName("ResumeDeadlines")
            .WithSummary("Run the clock again; deadlines move by the time it stood still");
        items.MapPost("/{number}/escalations/{step}/acknowledge", AcknowledgeAsync).RequireAuthorization(Policies.Act).WithName("AcknowledgeEscalation")
            .WithSummary("Say that an escalation is in hand");
        return items;
    }

    /// <summary>POST /api/deadlines/preview: the deadlines a draft would get if its clock started now (the compose screen shows them before sending).</summary>
    public static IEndpointRouteBuilder MapDeadlinePreview(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/deadlines/preview", PreviewAsync).RequireAuthorization(Policies.Register).WithTags("Items").WithName("PreviewDeadlines")
            .WithSummary("The acknowledge-by, reply-by and useful-until a draft would get if sent now; nothing is recorded").ProducesValidationProblem();
        return app;
    }

    private static async Task<Results<Ok<ItemDeadlines>, ValidationProblem, ProblemHttpResult>> PreviewAsync(
        ItemBody body, HttpContext http, IQuerySession query, DeadlinePlanner planner, Compartments compartments, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var (item, errors) = ItemBodyRules.Check(body, await RegisteringEndpoint.FindPartnerAsync(query, body.PartnerCode, ct), now);
        if (item is null)
        {
            return FieldError.ToProblem(errors);
        }

        if (!compartments.MaySee(http.User, item.Fields.Channel))
        {
            return RegisteringEndpoint.NotCleared(item.Fields.Channel);
        }

        return TypedResults.Ok(await planner.PlanAsync(query, item.Kind, item.Direction, item.Fields, now, ct));
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> ExtendAsync(
        string number, ExtendBody body, HttpContext http, IQuerySession query, ItemStore store, DeadlinePlanner planner, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (!ApiEnum<Anchor>.TryParse(body.Deadline, out var deadline) || deadline == Anchor.UsefulUntil)
        {
            errors.Add(new("deadline", "acknowledge-by or reply-by (useful-until follows the data and cannot be extended)."));
        }

        if (body.Until is null)
        {
            errors.Add(new("until", "The new deadline, e.g. 2026-12-01T12:00:00Z."));
        }

        errors.AddRange(Reason(body.Reason));
        if (errors.Count > 0 || !ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem(errors.Count > 0 ? errors : [FieldError.IfMatch()]);
        }

        var item = await store.FindOrThrowAsync(query, number, http.User, ct);
        var current = item.Deadlines ?? throw new DomainRuleViolation("no-deadlines", $"Item {number} has no deadlines yet.");
        var until = DeadlineCalculator.Whole(body.Until!.Value);
        var command = new ExtendDeadline(deadline, until, body.Reason!.Trim(), planner.Extend(current, deadline, until), http.User.Actor());
        return ItemResource.Answer(http, await store.RunAsync(number, expected, http.User, command, ct));
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> PauseAsync(
        string number, PauseBody body, HttpContext http, ItemStore store, CancellationToken ct)
    {
        if (Reason(body.Reason) is { Length: > 0 } errors || !ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem(Reason(body.Reason) is { Length: > 0 } e ? e : [FieldError.IfMatch()]);
        }

        return ItemResource.Answer(http, await store.RunAsync(number, expected, http.User, new PauseDeadlines(body.Reason!.Trim(), http.User.Actor()), ct));
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> ResumeAsync(
        string number, HttpContext http, IQuerySession query, ItemStore store, DeadlinePlanner planner, TimeProvider time, CancellationToken ct)
    {
        if (!ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem([FieldError.IfMatch()]);
        }

        var item = await store.FindOrThrowAsync(query, number, http.User, ct);
        if (item.Deadlines is not { } current || item.DeadlinesPausedAt is not { } pausedAt)
        {
            throw new DomainRuleViolation("deadlines-not-paused", $"The deadlines of {number} are not paused.");
        }

        var command = new ResumeDeadlines(planner.Resume(current, time.GetUtcNow() - pausedAt), http.User.Actor());
        return ItemResource.Answer(http, await store.RunAsync(number, expected, http.User, command, ct));
    }

    private static async Task<Ok<ItemResource>> AcknowledgeAsync(string number, string step, HttpContext http, ItemStore store, CancellationToken ct) =>
        ItemResource.Answer(http, await store.RunAsync(number, null, http.User, new AcknowledgeEscalation(step, http.User.Actor()), ct));

    private static FieldError[] Reason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? [new("reason", "Say why, for the colleagues and the auditors who will read it.")]
        : reason.Length > ReasonMaxLength ? [new("reason", $"At most {ReasonMaxLength} characters.")]
        : [];
}
