using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Ncp.Api.Cases;
using Npgsql;

namespace Ncp.Api.Infrastructure.Http;

public static class ProblemDetailsSetup
{
    public static IServiceCollection AddNcpProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString()
                ?? context.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<ExceptionToProblem>();
        return services;
    }
}

/// <summary>
/// Turns the exceptions that reach the edge into RFC 9457 answers: malformed JSON names the field,
/// a refused domain rule names the rule, a database that cannot be reached is a quick 503.
/// </summary>
internal sealed class ExceptionToProblem(IProblemDetailsService problems, ILogger<ExceptionToProblem> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => Malformed(json),
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = "The request could not be read",
                Detail = bad.Message,
            },
            DomainRuleViolation rule => Conflict(rule.Rule, rule.Message),
            RecordedRefusal refusal => Conflict(refusal.Rule, refusal.Message),
            Ncp.Api.Cases.Registering.IdempotencyKeyReused reused => new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                ["Idempotency-Key"] = [reused.Message],
            })
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Title = "Idempotency-Key reused for another request",
                Detail = reused.Message,
            },
            Ncp.Api.Partners.Directory.PartnerNotFound missing => new ProblemDetails
            {
                Status = StatusCodes.Status404NotFound,
                Title = "No such partner",
                Detail = missing.Message,
            },
            ItemNotFound missing => new ProblemDetails
            {
                Status = StatusCodes.Status404NotFound,
                Title = "No such item",
                Detail = missing.Message,
            },
            JasperFx.ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException =>
                Conflict("stale-version", "Someone changed this item since you loaded it. Reload it, check their change and try again."),
            _ when IsDatabaseUnreachable(exception) => Unavailable("postgresql", exception),
            _ => null,
        };

        if (problem is null)
        {
            return false;
        }

        http.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = "5";
        }

        return await problems.TryWriteAsync(new() { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Conflict(string rule, string detail) => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = rule == "stale-version" ? "The item has changed" : "The rules of the case forbid this",
        Detail = detail,
        Type = $"https://ncp.example/problems/{rule}",
        Extensions = { ["rule"] = rule },
    };

    private static HttpValidationProblemDetails Malformed(JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "$" : json.Path.TrimStart('$', '.');
        return new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            [field] = [field == "$" ? "The body is not valid JSON." : "This field has the wrong type or is not valid JSON."],
        })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has invalid fields",
            Detail = "Nothing was recorded. Correct the fields named in 'errors' and send it again.",
        };
    }

    private ProblemDetails Unavailable(string dependency, Exception exception)
    {
        logger.LogError(exception, "Dependency {Dependency} is unreachable", dependency);
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "A server Ncp depends on is unavailable",
            Detail = $"{dependency} cannot be reached; nothing was recorded. Try again shortly; /health/ready shows what is down.",
            Extensions = { ["dependency"] = dependency },
        };
    }

    private static bool IsDatabaseUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or SocketException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
