using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Conventions;

namespace Ncp.Api.DeadLetters;

public sealed record DeadLetterQueueView(string Queue, string Endpoint, long Messages, IReadOnlyList<DeadLetter> Letters);

public sealed record DeadLetterList(long Total, string? Error, IReadOnlyList<DeadLetterQueueView> Queues);

public sealed record Redriven(string Queue, int Moved);

/// <summary>
/// Messages that faulted in a consumer of either process after every retry, for administrators: what, where and why, and
/// a way to move them back once the cause is fixed (the same as <c>./ncp redrive</c>).
/// </summary>
public static class DeadLetterEndpoints
{
    private const int LettersShown = 20;

    public static RouteGroupBuilder MapDeadLetters(this RouteGroupBuilder deadLetters)
    {
        deadLetters.MapGet("/", ListAsync).RequireAuthorization(Policies.Administer).WithName("ListDeadLetters")
            .WithSummary($"Error queues holding messages, each with up to {LettersShown} letters and the reason each faulted");
        deadLetters.MapPost("/{queue}/redrive", RedriveAsync).RequireAuthorization(Policies.Administer).WithName("RedriveDeadLetters")
            .WithSummary("Move the letters of one error queue back to the endpoint they faulted in");
        return deadLetters;
    }

    private static async Task<Results<Ok<DeadLetterList>, ProblemHttpResult>> ListAsync(DeadLetterBox box, DeadLetterWatch watch, CancellationToken ct)
    {
        await watch.RefreshAsync(ct);
        if (watch.Queues is not { } queues)
        {
            return Unavailable(watch.Error);
        }

        var views = new List<DeadLetterQueueView>();
        foreach (var queue in queues)
        {
            // The management API counts from statistics a few seconds old (a queue just moved back still counts its
            // letters); a look that finds fewer letters than it asked for has seen them all.
            var letters = await box.PeekAsync(queue.Queue, LettersShown, ct);
            var messages = letters.Count < LettersShown ? letters.Count : Math.Max(queue.Messages, letters.Count);
            if (messages > 0)
            {
                views.Add(new(queue.Queue, queue.Endpoint, messages, letters));
            }
        }

        return TypedResults.Ok(new DeadLetterList(views.Sum(v => v.Messages), null, views));
    }

    private static async Task<Results<Ok<Redriven>, ProblemHttpResult>> RedriveAsync(
        string queue, DeadLetterBox box, DeadLetterWatch watch, HttpContext http, ILogger<DeadLetterBox> logger, CancellationToken ct)
    {
        if (!box.IsOurs(queue))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such error queue",
                detail: $"{queue} is not an error queue of this deployment (they end in _error).", extensions: new Dictionary<string, object?> { ["field"] = "queue" });
        }

        var moved = await box.RedriveAsync(queue, ct);
        logger.LogWarning("{Officer} moved {Moved} dead letters from {Queue} back to their endpoint", http.User.Actor().Name, moved, queue);
        await watch.RefreshAsync(ct);
        return TypedResults.Ok(new Redriven(queue, moved));
    }

    private static ProblemHttpResult Unavailable(string? error) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The broker's management API does not answer",
            detail: $"Dead letters cannot be read now ({error}). Check RabbitMq:ManagementUrl and the broker.");
}
