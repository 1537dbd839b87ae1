using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Observability;
using Npgsql;

namespace Ncp.Api.Cases.Registering;

/// <summary>Body of <c>POST /api/items</c>. Every field is nullable so that a missing one gets a named error, not a 500.</summary>
public sealed record RegisterOutgoingRequestBody(string? PartnerCode, string? Subject, string? Priority)
{
    public const int SubjectMaxLength = 500;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(PartnerCode))
        {
            yield return new("partnerCode", "The partner unit's code is required.");
        }
        else if (!Fields.IsCode(PartnerCode))
        {
            yield return new("partnerCode", "A partner code is 2-32 capital letters, digits or hyphens, e.g. DE-BKA.");
        }

        if (string.IsNullOrWhiteSpace(Subject))
        {
            yield return new("subject", "The subject is required.");
        }
        else if (Subject.Length > SubjectMaxLength)
        {
            yield return new("subject", $"The subject is at most {SubjectMaxLength} characters.");
        }

        if (Priority is not null && !Fields.TryParseKebab<Priority>(Priority, out _))
        {
            yield return new("priority", "Priority is one of: urgent, high, normal.");
        }
    }
}

public static class RegisteringEndpoint
{
    public static IServiceCollection AddRegistering(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(RegisterSettings.Section).Get<RegisterSettings>() ?? new RegisterSettings());
        return services;
    }

    public static RouteGroupBuilder MapRegistering(this RouteGroupBuilder items)
    {
        items.MapPost("/", RegisterAsync)
            .RequireAuthorization(Policies.Register)
            .WithName("RegisterOutgoingRequest")
            .WithSummary("Register an outgoing request to a partner unit")
            .WithDescription("Appends OutgoingRequestRegistered with the next register number of the year and answers with the item.")
            .ProducesValidationProblem();
        return items;
    }

    private static async Task<Results<Created<ItemResource>, ValidationProblem>> RegisterAsync(
        RegisterOutgoingRequestBody body,
        HttpContext http,
        IDocumentStore store,
        NpgsqlDataSource dataSource,
        RegisterNumbers numbers,
        TimeProvider time,
        ILogger<RegisterOutgoingRequestBody> logger,
        CancellationToken ct)
    {
        var errors = body.Validate().ToList();
        if (errors.Count > 0)
        {
            return FieldError.ToProblem(errors);
        }

        var now = time.GetUtcNow();
        var itemId = Guid.CreateVersion7(now);
        Fields.TryParseKebab<Priority>(body.Priority ?? "normal", out var priority);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var number = await numbers.NextAsync(transaction, now, ct);

        var command = new RegisterOutgoingRequest(itemId, number, body.PartnerCode!, body.Subject!.Trim(), priority, http.User.OfficerId());
        var events = WorkItemDecider.Decide(WorkItem.Initial, command, now);

        await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction)))
        {
            EventLogTracing.Stamp(session);
            session.Events.StartStream<WorkItem>(itemId, events);
            await session.SaveChangesAsync(ct);
        }

        await transaction.CommitAsync(ct);

        using (logger.BeginScope(new Dictionary<string, object> { ["RegisterNumber"] = number, ["ItemId"] = itemId }))
        {
            logger.LogInformation("Registered outgoing request {RegisterNumber} to {PartnerCode}", number, command.PartnerCode);
        }

        var details = ItemDetailsProjection.Create((OutgoingRequestRegistered)events[0]) with { Version = events.Length };
        http.Response.Headers.ETag = ItemResource.ETagOf(details.Version);
        return TypedResults.Created($"/api/items/{number}", ItemResource.From(details));
    }
}
