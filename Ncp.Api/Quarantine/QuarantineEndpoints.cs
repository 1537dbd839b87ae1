using Ncp.Api.Auditing;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Partners;
using Ncp.Contracts.Mail;
using Ncp.Conventions;

namespace Ncp.Api.Quarantine;

public sealed record QuarantineDecisionBody(string? Reason, string? PartnerCode);

/// <summary>Records a mail the gateway set aside; the same report twice is one held mail.</summary>
public sealed class MailQuarantinedConsumer(IDocumentStore store, TimeProvider time, ILogger<MailQuarantinedConsumer> logger) : IConsumer<MailQuarantined>
{
    public async Task Consume(ConsumeContext<MailQuarantined> context)
    {
        var m = context.Message;
        await using var session = store.LightweightSession();
        if (await session.Events.FetchStreamStateAsync(m.InboundId, context.CancellationToken) is not null)
        {
            return;
        }

        session.Events.StartStream<QuarantinedMail>(m.InboundId, new MailHeld(m.InboundId, m.Reason, m.Detail, m.From, m.Subject, m.MessageId, m.Size, m.ReceivedAt, time.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
            logger.LogWarning("Mail {InboundId} from {From} held in quarantine: {Reason}", m.InboundId, m.From, m.Reason);
        }
        catch (Marten.Exceptions.ExistingStreamIdCollisionException)
        {
            // The same report, delivered twice at once: the other delivery recorded it.
        }
    }
}

/// <summary>Officers review mail the gateway could not process: list, look, release (with the partner, if unknown) or reject.</summary>
public static class QuarantineEndpoints
{
    public const int ReasonMaxLength = 2000;

    public static RouteGroupBuilder MapQuarantine(this RouteGroupBuilder quarantine)
    {
        quarantine.MapGet("/", ListAsync).RequireAuthorization(Policies.Read).AuditedAs("list-quarantine").WithName("ListQuarantine")
            .WithSummary("Mail held by the gateway, newest first; status=held (default), released, rejected or all");
        quarantine.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Policies.Read).AuditedAs("read-quarantined-mail").WithName("GetQuarantinedMail")
            .WithSummary("One held mail with its reason");
        quarantine.MapPost("/{id:guid}/release", ReleaseAsync).RequireAuthorization(Policies.Act).WithName("ReleaseQuarantinedMail")
            .WithSummary("Let a held mail through despite its reason; recorded with your name").ProducesValidationProblem();
        quarantine.MapPost("/{id:guid}/reject", RejectAsync).RequireAuthorization(Policies.Act).WithName("RejectQuarantinedMail")
            .WithSummary("Decide a held mail is not to be processed; recorded with your name").ProducesValidationProblem();
        return quarantine;
    }

    private static async Task<Results<Ok<QuarantineList>, ValidationProblem>> ListAsync(string? status, IQuerySession session, CancellationToken ct)
    {
        QuarantineStatus? only = QuarantineStatus.Held;
        if (status == "all")
        {
            only = null;
        }
        else if (status is not null)
        {
            if (!ApiEnum<QuarantineStatus>.TryParse(status, out var parsed))
            {
                return FieldError.ToProblem([new("status", "held, released, rejected or all.")]);
            }

            only = parsed;
        }

        var query = session.Query<QuarantinedMail>().AsQueryable();
        if (only is { } s)
        {
            query = query.Where(m => m.Status == s);
        }

        var mail = await query.OrderByDescending(m => m.ReceivedAt).Take(500).ToListAsync(ct);
        var held = await session.Query<QuarantinedMail>().CountAsync(m => m.Status == QuarantineStatus.Held, ct);
        return TypedResults.Ok(new QuarantineList(held, [.. mail]));
    }

    private static async Task<Results<Ok<QuarantinedMail>, ProblemHttpResult>> GetAsync(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<QuarantinedMail>(id, ct) is { } mail ? TypedResults.Ok(mail) : NotFound(id);

    private static async Task<Results<Ok<QuarantinedMail>, ValidationProblem, ProblemHttpResult>> ReleaseAsync(
        Guid id, QuarantineDecisionBody body, HttpContext http, IDocumentStore store, TimeProvider time, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var mail = await session.LoadAsync<QuarantinedMail>(id, ct);
        if (mail is null)
        {
            return NotFound(id);
        }

        var errors = Reason(body.Reason).ToList();
        string? partnerCode = null;
        if (!string.IsNullOrWhiteSpace(body.PartnerCode))
        {
            partnerCode = (await session.FindPartnerAsync(body.PartnerCode.Trim(), ct))?.Code;
            if (partnerCode is null)
            {
                errors.Add(new("partnerCode", $"No partner has the code '{body.PartnerCode}'."));
            }
        }
        else if (mail.Reason == "unknown-sender")
        {
            errors.Add(new("partnerCode", "The sender's address is not in the directory: name the partner this mail comes from."));
        }

        if (errors.Count > 0)
        {
            return FieldError.ToProblem(errors);
        }

        return TypedResults.Ok(await DecideAsync(session, mail, new QuarantineReleased(id, partnerCode, body.Reason!.Trim(), http.User.Actor(), time.GetUtcNow()), ct));
    }

    private static async Task<Results<Ok<QuarantinedMail>, ValidationProblem, ProblemHttpResult>> RejectAsync(
        Guid id, QuarantineDecisionBody body, HttpContext http, IDocumentStore store, TimeProvider time, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var mail = await session.LoadAsync<QuarantinedMail>(id, ct);
        if (mail is null)
        {
            return NotFound(id);
        }

        if (Reason(body.Reason) is { Length: > 0 } errors)
        {
            return FieldError.ToProblem(errors);
        }

        return TypedResults.Ok(await DecideAsync(session, mail, new QuarantineRejected(id, body.Reason!.Trim(), http.User.Actor(), time.GetUtcNow()), ct));
    }

    private static async Task<QuarantinedMail> DecideAsync(IDocumentSession session, QuarantinedMail mail, object decision, CancellationToken ct)
    {
        if (mail.Status != QuarantineStatus.Held)
        {
            throw new DomainRuleViolation("quarantine-already-decided", $"This mail was already {ApiEnum<QuarantineStatus>.NameOf(mail.Status)} by {mail.DecidedBy?.Name}.");
        }

        // The version read is the version appended to: two officers deciding at once cannot both win.
        var stream = await session.Events.FetchForWriting<QuarantinedMail>(mail.Id, mail.Version, ct);
        stream.AppendOne(decision);
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<QuarantinedMail>(mail.Id, ct))!;
    }

    private static FieldError[] Reason(string? reason) => string.IsNullOrWhiteSpace(reason)
        ? [new("reason", "Say why, for the record.")]
        : reason.Length > ReasonMaxLength ? [new("reason", $"At most {ReasonMaxLength} characters.")] : [];

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such mail in quarantine", detail: $"No held mail has the id {id}.");
}

public sealed record QuarantineList(int Held, QuarantinedMail[] Mail);

public sealed class MailQuarantinedConsumerDefinition() : RetryingConsumerDefinition<MailQuarantinedConsumer>;
