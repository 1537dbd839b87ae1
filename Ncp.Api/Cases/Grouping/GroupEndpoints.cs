using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ncp.Api.Auditing;
using Ncp.Api.Cases.Reading;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Deadlines;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Partners;

namespace Ncp.Api.Cases.Grouping;

/// <summary>One message or request to several partners: the item's fields once, the partners' codes, any consent needed.</summary>
public sealed record GroupBody(string[]? PartnerCodes, ItemBody? Item, string? ConsentReference);

/// <summary>One item of a group as its group shows it.</summary>
public sealed record GroupMember(string RegisterNumber, string PartnerCode, Channel Channel, string Language, WorkItemStatus Status,
    DateTimeOffset? SentAt);

/// <summary>A group with the items of it the reader may see, in register order.</summary>
public sealed record GroupResource(Guid GroupId, GroupMember[] Members, ItemResource[]? Items = null);

/// <summary>
/// One message to several partners: one outgoing item per partner with the same fields and content, each in the
/// partner's language unless the officer chose one, each checked against the partner's channels, registered together
/// as drafts linked <see cref="LinkType.SameGroup"/>, then sent together. Each item then lives its own life: its own
/// mail in its partner's language and keys, its own thread, its own deadlines.
/// </summary>
public static class GroupEndpoints
{
    public const int MaxPartners = 20;

    public static RouteGroupBuilder MapGrouping(this RouteGroupBuilder items)
    {
        items.MapPost("/group", RegisterAsync)
            .RequireAuthorization(Policies.Register)
            .WithName("RegisterGroup")
            .WithSummary("Register the same outgoing message or request to several partners: one draft per partner, linked as one group")
            .WithDescription("Send an Idempotency-Key header to make retries safe. A handling code that keeps the information from "
                + "third parties (or from other channels, when the partners' channels differ) needs consentReference: each partner "
                + "is a third party to the others.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        items.MapGet("/{number}/group", ReadAsync)
            .RequireAuthorization(Policies.Read)
            .WithName("GetGroup")
            .WithSummary("The group the item belongs to: the items of it the reader may see, partners and status; the read is audited")
            .ProducesProblem(StatusCodes.Status404NotFound);
        items.MapPost("/{number}/send-group", SendAsync)
            .RequireAuthorization(Policies.Act)
            .WithName("SendGroup")
            .WithSummary("Send every draft of the item's group the officer may see, in one transaction; each partner gets its own mail")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return items;
    }

    private static async Task<Results<Created<GroupResource>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        GroupBody body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        HttpContext http,
        IQuerySession query,
        Registrar registrar,
        Compartments compartments,
        Linking.SameIdentifiers sameIdentifiers,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        if (RegisteringEndpoint.IdempotencyKeyFault(idempotencyKey) is { } fault)
        {
            return FieldError.ToProblem([fault]);
        }

        var partners = new List<PartnerDirectoryEntry?>();
        foreach (var code in body.PartnerCodes ?? [])
        {
            partners.Add(await RegisteringEndpoint.FindPartnerAsync(query, code, ct));
        }

        var (members, errors) = GroupRules.Check(body, partners, time.GetUtcNow());
        if (members is null)
        {
            return FieldError.ToProblem(errors);
        }

        if (members.FirstOrDefault(m => !compartments.MaySee(http.User, m.Fields.Channel)) is { } hidden)
        {
            return RegisteringEndpoint.NotCleared(hidden.Fields.Channel);
        }

        var by = http.User.Actor();
        var hash = RegisteringEndpoint.HashOf(body);
        var (registered, replayed) = await registrar.RegisterGroupAsync(
            [.. members.Select((m, i) => new Registration(m.Kind, m.Direction, m.Fields, by, i == 0 ? idempotencyKey : null, hash))],
            GroupRules.Consent(body), ct);
        var items = new List<ItemDetails>();
        foreach (var item in registered)
        {
            items.Add(await sameIdentifiers.LinkAndReadAsync(item, http.User, ct));
        }

        loggers.CreateLogger("Ncp.Cases.Grouping").LogInformation(
            "Registered group {GroupId} of {Count}: {RegisterNumbers}{Replay}",
            items[0].GroupId, items.Count, string.Join(", ", items.Select(i => i.RegisterNumber)), replayed ? " (replayed)" : "");
        if (replayed)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }

        var location = $"/api/items/{items[0].RegisterNumber}/group";
        return TypedResults.Created(location, ResourceOf(items[0].GroupId!.Value, items, withItems: true));
    }

    private static async Task<Ok<GroupResource>> ReadAsync(
        string number, HttpContext http, IQuerySession query, ItemStore store, AuditTrail audit, CancellationToken ct)
    {
        var item = await store.FindOrThrowAsync(query, number, http.User, ct);
        var members = await MembersAsync(query, item, ct);
        await audit.RecordAsync(http, "read-group", item, string.Join(", ", members.Select(m => m.RegisterNumber)), ct);
        return TypedResults.Ok(ResourceOf(item.GroupId!.Value, members, withItems: false));
    }

    private static async Task<Results<Ok<GroupResource>, ValidationProblem>> SendAsync(
        string number, HttpContext http, IDocumentSession session, ItemStore store, DeadlinePlanner planner, TimeProvider time,
            CancellationToken ct)
    {
        if (!ETags.TryReadIfMatch(http.Request, out var expected))
        {
            return FieldError.ToProblem([FieldError.IfMatch()]);
        }

        var item = await store.FindOrThrowAsync(session, number, http.User, ct);
        var drafts = (await MembersAsync(session, item, ct)).Where(m => m.Status == WorkItemStatus.Draft).ToArray();
        if (drafts.Length == 0)
        {
            throw new DomainRuleViolation("group-has-no-drafts",
                $"Every item of the group of {item.RegisterNumber} you may see has been sent already.");
        }

        // All or none: a partner that got its mail while its sibling stayed a draft would be a group half sent.
        var now = time.GetUtcNow();
        var by = http.User.Actor();
        foreach (var draft in drafts)
        {
            var stream = draft.Id == item.Id && expected is { } version
                ? await session.Events.FetchForWriting<WorkItem>(draft.Id, version, ct)
                : await session.Events.FetchForWriting<WorkItem>(draft.Id, ct);
            var deadlines = await planner.PlanAsync(session, draft.Kind, draft.Direction, draft.Fields(), now, ct);
            stream.AppendMany(WorkItemDecider.Decide(stream.Aggregate!, new SendItem(by, deadlines), now));
        }

        await session.SaveChangesAsync(ct);
        var sent = await MembersAsync(session, (await store.FindOrThrowAsync(session, number, http.User, ct)), ct);
        http.Response.Headers.ETag = ETags.Of(sent.First(m => m.Id == item.Id).Version);
        return TypedResults.Ok(ResourceOf(item.GroupId!.Value, sent, withItems: true));
    }

    /// <summary>The item and its siblings the reader may see (the item's links are already filtered by its compartments).</summary>
    private static async Task<ItemDetails[]> MembersAsync(IQuerySession session, ItemDetails item, CancellationToken ct)
    {
        if (item.GroupId is null)
        {
            throw new DomainRuleViolation("item-not-in-a-group", $"Item {item.RegisterNumber} was not registered as one of a group.");
        }

        var siblings = item.Links.Where(l => l.Type == LinkType.SameGroup).Select(l => l.TargetId).Distinct().ToArray();
        var others = siblings.Length == 0 ? [] : await session.LoadManyAsync<ItemDetails>(ct, siblings);
        return [.. others.Append(item).Where(i => i.GroupId == item.GroupId).OrderBy(i => i.RegisterNumber, StringComparer.Ordinal)];
    }

    private static GroupResource ResourceOf(Guid groupId, IEnumerable<ItemDetails> items, bool withItems)
    {
        var list = items.ToArray();
        return new GroupResource(
            groupId,
            [.. list.Select(i => new GroupMember(i.RegisterNumber, i.PartnerCode, i.Channel, i.Language, i.Status, i.SentAt))],
            withItems ? [.. list.Select(i => ItemResource.From(i))] : null);
    }
}

/// <summary>What a group must be: each partner named once, each reached in a channel it uses, the handling code respected.</summary>
public static class GroupRules
{
    public static string? Consent(GroupBody body) =>
        string.IsNullOrWhiteSpace(body.ConsentReference) ? null : body.ConsentReference.Trim();

    /// <summary>
    /// One checked item per partner in <paramref name="partners"/> (the directory entries of <c>partnerCodes</c>, in order);
    /// a partner's own fault is named <c>partnerCodes[i]</c>, a fault of the shared fields <c>item.field</c>.
    /// </summary>
    public static (CheckedItem[]? Members, List<FieldError> Errors) Check(GroupBody body, IReadOnlyList<PartnerDirectoryEntry?> partners,
        DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        var codes = body.PartnerCodes ?? [];
        if (codes.Length is < 2 or > GroupEndpoints.MaxPartners)
        {
            errors.Add(new("partnerCodes",
                $"A group goes to 2 to {GroupEndpoints.MaxPartners} partners; for one partner register a single item."));
        }

        if (body.Item is not { } item)
        {
            errors.Add(new("item", "The fields of the message or request, as for one item, without partnerCode."));
            return (null, errors);
        }

        if (!string.IsNullOrWhiteSpace(item.PartnerCode))
        {
            errors.Add(new("item.partnerCode", "Name the partners in partnerCodes, not here."));
        }

        if (item.Direction is { } direction && direction != ApiEnum<Direction>.NameOf(Direction.Outgoing))
        {
            errors.Add(new("item.direction", "A group is what we send; a partner's mail is registered as one incoming item."));
        }

        var members = new List<(CheckedItem Item, int Index)>();
        for (var i = 0; i < codes.Length && i < partners.Count; i++)
        {
            var field = $"partnerCodes[{i}]";
            if (Array.IndexOf(codes, codes[i]) < i)
            {
                errors.Add(new(field, $"{codes[i]} is named twice; each partner gets one item."));
                continue;
            }

            var (member, faults) = ItemBodyRules.Check(item with { PartnerCode = codes[i] }, partners[i], now);
            // The partner and its channel are this partner's faults; anything else is the shared fields', named once.
            var named = faults.Select(f => f with { Field = f.Field is "partnerCode" or "channel" ? field : "item." + f.Field });
            errors.AddRange(named.Where(f => f.Field == field || !errors.Contains(f)).ToList());
            if (member is null)
            {
                continue;
            }

            if (!ChannelRules.Carries(member.Fields.Channel, member.Kind))
            {
                errors.Add(new(field, $"{member.Fields.PartnerCode} is reached via {ApiEnum<Channel>.NameOf(member.Fields.Channel)}, "
                    + $"which does not carry {ApiEnum<WorkItemKind>.NameOf(member.Kind)} items."));
            }

            members.Add((member with { Direction = Direction.Outgoing }, i));
        }

        errors.AddRange(HandlingFaults(members, Consent(body) is not null));
        return errors.Count > 0 ? (null, errors) : ([.. members.Select(m => m.Item)], errors);
    }

    // Each partner is a third party to the others, and each channel another channel to the others': the first item is the
    // information's way out, and every other one must be a way the handling code allows (or the originator consented to).
    private static IEnumerable<FieldError> HandlingFaults(List<(CheckedItem Item, int Index)> members, bool consent)
    {
        if (members.Count < 2)
        {
            yield break;
        }

        var first = members[0].Item.Fields;
        foreach (var (member, index) in members.Skip(1))
        {
            var f = member.Fields;
            if (!HandlingRules.MayPass(first.HandlingCode, first.Channel, first.PartnerCode, f.Channel, f.PartnerCode, consent))
            {
                yield return new($"partnerCodes[{index}]",
                    $"Handling code {ApiEnum<HandlingCode>.NameOf(first.HandlingCode)}: the information may not also go to "
                    + $"{f.PartnerCode} via {ApiEnum<Channel>.NameOf(f.Channel)} without the originator's consent; "
                    + "name it in consentReference.");
            }
        }
    }
}
