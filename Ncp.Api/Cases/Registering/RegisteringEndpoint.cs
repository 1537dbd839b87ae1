using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ncp.Api.Cases.Corresponding;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Partners;

namespace Ncp.Api.Cases.Registering;

public static class RegisteringEndpoint
{
    public const int IdempotencyKeyMaxLength = 100;

    public static IServiceCollection AddRegistering(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(RegisterSettings.Section).Get<RegisterSettings>() ?? new RegisterSettings());
        services.AddSingleton<RegisterNumbers>();
        services.AddSingleton<Registrar>();
        return services;
    }

    public static RouteGroupBuilder MapRegistering(this RouteGroupBuilder items)
    {
        items.MapPost("/", RegisterAsync)
            .RequireAuthorization(Policies.Register)
            .WithName("RegisterItem")
            .WithSummary("Register a work item: an outgoing request (draft), an incoming one as received, an initiative message or a legal-assistance task")
            .WithDescription("Send an Idempotency-Key header to make retries safe: the same key and body return the item created the first time.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        items.MapPut("/{number}", ChangeDetailsAsync)
            .RequireAuthorization(Policies.Act)
            .WithName("ChangeItemDetails")
            .WithSummary("Replace the officer-editable fields of an item (If-Match: its ETag); without 'content' it keeps its content")
            .ProducesValidationProblem();
        return items;
    }

    private static async Task<Results<Created<ItemResource>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        ItemBody body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        HttpContext http,
        IQuerySession query,
        Registrar registrar,
        Deadlines.DeadlinePlanner planner,
        Compartments compartments,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        if (idempotencyKey is { Length: 0 or > IdempotencyKeyMaxLength })
        {
            return FieldError.ToProblem([new("Idempotency-Key", $"1 to {IdempotencyKeyMaxLength} characters, e.g. a UUID made by the client.")]);
        }

        var partner = await FindPartnerAsync(query, body.PartnerCode, ct);
        var (item, errors) = ItemBodyRules.Check(body, partner, time.GetUtcNow());
        if (item is null)
        {
            return FieldError.ToProblem(errors);
        }

        if (!compartments.MaySee(http.User, item.Fields.Channel))
        {
            return NotCleared(item.Fields.Channel);
        }

        // An incoming item's clock starts on arrival: the partner's deadline, or our policy's, from now.
        var deadlines = item.Direction == Direction.Incoming
            ? await planner.PlanAsync(query, item.Kind, item.Direction, item.Fields, time.GetUtcNow(), ct)
            : null;
        var registration = new Registration(item.Kind, item.Direction, item.Fields, http.User.Actor(), idempotencyKey, HashOf(body), deadlines);
        var (details, replayed) = await registrar.RegisterAsync(registration, alongside: null, ct);

        var logger = loggers.CreateLogger("Ncp.Cases.Registering");
        logger.LogInformation("Registered {Direction} {Kind} {RegisterNumber} for {PartnerCode} via {Channel}{Replay}",
            details.Direction, details.Kind, details.RegisterNumber, details.PartnerCode, details.Channel, replayed ? " (replayed)" : "");

        http.Response.Headers.ETag = ETags.Of(details.Version);
        http.Response.Headers.Location = $"/api/items/{details.RegisterNumber}";
        if (replayed)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }

        return TypedResults.Created($"/api/items/{details.RegisterNumber}", ItemResource.From(details));
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem, ProblemHttpResult>> ChangeDetailsAsync(
        string number, ItemBody body, HttpContext http, IQuerySession query, ItemStore items, Compartments compartments,
        CorrespondenceSettings mail, TimeProvider time, CancellationToken ct)
    {
        if (!ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem([FieldError.IfMatch()]);
        }

        var current = await items.FindOrThrowAsync(query, number, http.User, ct);
        // Kind and direction are fixed at registration; the body may omit them.
        var partner = await FindPartnerAsync(query, body.PartnerCode, ct);
        var fixedAtRegistration = body with
        {
            Kind = ApiEnum<WorkItemKind>.NameOf(current.Kind),
            Direction = ApiEnum<Direction>.NameOf(current.Direction),
        };
        var (item, errors) = ItemBodyRules.Check(
            fixedAtRegistration, partner, time.GetUtcNow(), new ItemFiles(current.Attachments, mail.MaxAttachmentBytes));
        if (item is null)
        {
            return FieldError.ToProblem(errors);
        }

        // A client that predates the content (or edits only the header) must not wipe what was asked for.
        var fields = body.Content is null ? item.Fields with { Content = current.Content } : item.Fields;

        if (!compartments.MaySee(http.User, item.Fields.Channel))
        {
            return NotCleared(item.Fields.Channel);
        }

        var updated = await items.RunAsync(number, expected, http.User, new ChangeItemDetails(fields, http.User.Actor()), ct);
        return ItemResource.Answer(http, updated);
    }

    public static Task<PartnerDirectoryEntry?> FindPartnerAsync(IQuerySession query, string? code, CancellationToken ct) =>
        query.FindPartnerAsync(code, ct);

    public static ProblemHttpResult NotCleared(Channel channel) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Not cleared for this channel",
        detail: $"Items of the {Compartments.Name(channel)} channel are for officers cleared for it (role {Compartments.ClearanceRole(channel)}).");

    public static string HashOf(object body) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body, ApiJson.Options))));
}
