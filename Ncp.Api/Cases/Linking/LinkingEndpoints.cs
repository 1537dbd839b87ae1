using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Cases.Linking;

public sealed record LinkBody(string? TargetNumber, string? Type);

public sealed record ForwardBody(string? PartnerCode, string? Channel, string? ConsentReference);

/// <summary>
/// Links between items and forwarding an item through another channel. Both move information across channels,
/// so both obey the item's handling code; a refused attempt is recorded on the item before the 409.
/// </summary>
public static class LinkingEndpoints
{
    public static RouteGroupBuilder MapLinking(this RouteGroupBuilder items)
    {
        items.MapPost("/{number}/links", LinkAsync)
            .RequireAuthorization(Policies.Act)
            .WithName("LinkItems")
            .WithSummary("Link the item to another: reply-to, follow-up, same-criminal-case, same-request-other-channel")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        items.MapPost("/{number}/forward", ForwardAsync)
            .RequireAuthorization(Policies.Act)
            .WithName("ForwardItem")
            .WithSummary("Send the same request to another partner or channel as a new outgoing draft, linked to this one")
            .WithDescription("Refused (and recorded) when the item's handling code forbids the target channel or partner, unless consentReference names the originator's consent.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        return items;
    }

    private static async Task<Results<Ok<ItemResource>, ValidationProblem>> LinkAsync(
        string number, LinkBody body, HttpContext http, IQuerySession query, ItemStore items, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (!ApiEnum<LinkType>.TryParse(body.Type, out var type))
        {
            errors.Add(new("type", $"One of: {ApiEnum<LinkType>.Names}."));
        }

        var target = string.IsNullOrWhiteSpace(body.TargetNumber) ? null : await items.FindAsync(query, body.TargetNumber, http.User, ct);
        if (target is null)
        {
            errors.Add(new("targetNumber", "The register number of an item you can see is required."));
        }

        if (errors.Count > 0 || !ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem(errors.Count > 0 ? errors : [FieldError.IfMatch()]);
        }

        var command = new LinkItem(target!.Id, target.RegisterNumber, target.Channel, target.PartnerCode, type, http.User.Actor());
        return ItemResource.Answer(http, await items.RunAsync(number, expected, http.User, command, ct));
    }

    private static async Task<Results<Created<ItemResource>, ValidationProblem, ProblemHttpResult>> ForwardAsync(
        string number, ForwardBody body, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, HttpContext http, IDocumentSession session, ItemStore items, Registrar registrar,
        Compartments compartments, TimeProvider time, CancellationToken ct)
    {
        var source = await items.FindOrThrowAsync(session, number, http.User, ct);
        var partner = await RegisteringEndpoint.FindPartnerAsync(session, body.PartnerCode, ct);
        // The copy goes under the new channel's legal basis (its agreement, or what the officer names), not the source's.
        var copy = new ItemBody(
            ApiEnum<WorkItemKind>.NameOf(source.Kind), ApiEnum<Direction>.NameOf(Direction.Outgoing), body.PartnerCode, body.Channel, source.Subject,
            ApiEnum<CrimeCategory>.NameOf(source.CrimeCategory), ApiEnum<Priority>.NameOf(source.Priority), source.CriminalCaseNumber,
            LegalBasis: null,
            [.. source.RequestedData.Select(ApiEnum<RequestedData>.NameOf)], source.DataPeriod is { } p ? new DataPeriodBody(p.From, p.To) : null,
            Language: null, ApiEnum<HandlingCode>.NameOf(source.HandlingCode), PartnerReference: null, DueBy: null);
        var (checkedItem, errors) = ItemBodyRules.Check(copy, partner, time.GetUtcNow());
        if (checkedItem is null)
        {
            return FieldError.ToProblem(errors);
        }

        if (!compartments.MaySee(http.User, checkedItem.Fields.Channel))
        {
            return RegisteringEndpoint.NotCleared(checkedItem.Fields.Channel);
        }

        var by = http.User.Actor();
        var consent = string.IsNullOrWhiteSpace(body.ConsentReference) ? null : body.ConsentReference.Trim();
        // The same request: its substance goes with it (checked as it was when the source took it); the files chosen to send
        // are the source's own, which the copy has not, so the officer attaches them to the copy again.
        var target = checkedItem.Fields with { Content = source.Content is { } content ? content with { AttachmentsToSend = [] } : null };
        await items.RunAsync(number, null, http.User, new CheckForwarding(target.Channel, target.PartnerCode, consent is not null, by), ct);

        var (forwarded, _) = await registrar.RegisterAsync(
            new Registration(checkedItem.Kind, Direction.Outgoing, target, by, idempotencyKey, RegisteringEndpoint.HashOf(new { number, body })),
            async (tx, newId, newNumber, _) =>
            {
                var stream = await tx.Events.FetchForWriting<WorkItem>(source.Id, ct);
                var now = time.GetUtcNow();
                var events = WorkItemDecider.Decide(stream.Aggregate!, new RecordForwarding(newId, newNumber, target.Channel,
                    target.PartnerCode, consent, by), now);
                stream.AppendMany(events);
                // The new item's stream starts in this transaction: its end of the link is appended to it directly.
                tx.Events.Append(newId, events.OfType<ItemLinked>().Select(l => (object)new ItemLinkedFrom(newId, source.Id,
                    source.RegisterNumber, l.Type, by, now)).ToArray());
            },
            ct);

        http.Response.Headers.ETag = ETags.Of(forwarded.Version);
        return TypedResults.Created($"/api/items/{forwarded.RegisterNumber}", ItemResource.From(forwarded));
    }
}
