using Ncp.Api.Auditing;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Attaching;
using Ncp.Api.Cases.Corresponding;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Partners;
using Ncp.Contracts.Mail;
using Ncp.Conventions;
using Npgsql;

namespace Ncp.Api.Quarantine;

public sealed record QuarantineDecisionBody(string? Reason, string? PartnerCode);

/// <summary>
/// Records a mail the gateway set aside, in the compartment of what it concerns; the same report twice is one held mail.
/// </summary>
public sealed class MailQuarantinedConsumer(
    IDocumentStore store, Compartments compartments, TimeProvider time, NpgsqlDataSource db, MartenSettings marten, ILogger<MailQuarantinedConsumer> logger)
    : IConsumer<MailQuarantined>
{
    private const int MaxQuotedNumbers = 20;

    public async Task Consume(ConsumeContext<MailQuarantined> context)
    {
        var m = context.Message;
        await using var session = store.LightweightSession();
        if (await session.Events.FetchStreamStateAsync(m.InboundId, context.CancellationToken) is not null)
        {
            return;
        }

        var channel = await ChannelOfAsync(session, m, context.CancellationToken);
        session.Events.StartStream<QuarantinedMail>(
            m.InboundId, new MailHeld(m.InboundId, m.Reason, m.Detail, m.From, m.Subject, m.MessageId, m.Size, m.ReceivedAt, time.GetUtcNow(), channel));
        if (m.Content is { } content)
        {
            session.Store(await HeldMailReading.OfAsync(m.InboundId, content, db, marten, time, context.CancellationToken));
        }

        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
            logger.LogWarning("Mail {InboundId} from {From} held in quarantine ({Channel}): {Reason}", m.InboundId, m.From, channel, m.Reason);
        }
        catch (Marten.Exceptions.ExistingStreamIdCollisionException)
        {
            // The same report, delivered twice at once: the other delivery recorded it.
        }
    }

    /// <summary>
    /// The held mail is shown to those who may see what it concerns: the item it answers, the items whose numbers its
    /// subject quotes, the channel the partner's mail opens items in. The most restricted of these wins, so that a held
    /// mail about a compartment's item never shows its sender and subject to an officer not cleared for it; with none
    /// known (an unknown sender quoting nothing), the 24/7 channel, where such mail would be looked at first.
    /// </summary>
    private async Task<Channel> ChannelOfAsync(IQuerySession session, MailQuarantined m, CancellationToken ct)
    {
        var channels = new List<Channel>();
        if (m.ThreadedItemId is { } threaded && await session.LoadAsync<ItemDetails>(threaded, ct) is { } item)
        {
            channels.Add(item.Channel);
        }

        foreach (var number in (m.RegisterNumbers ?? []).Take(MaxQuotedNumbers))
        {
            if (await session.QueryAsync(new ItemByNumber { Number = number }, ct) is { } quoted)
            {
                channels.Add(quoted.Channel);
            }
        }

        if (await session.FindPartnerAsync(m.PartnerCode, ct) is { } partner)
        {
            channels.Add(partner.MainChannel);
        }

        return channels.FirstOrDefault(compartments.IsRestricted, channels.FirstOrDefault(Channel.TwentyFourSeven));
    }
}

/// <summary>
/// Officers review mail the gateway could not process: list, look, release (with the partner, if unknown) or reject. A
/// held mail is in a channel's compartment like an item: an officer not cleared for it finds no such mail (404).
/// </summary>
public static class QuarantineEndpoints
{
    public const int ReasonMaxLength = 2000;

    /// <summary>The largest original the Api takes through the bus (base64 in a message; RabbitMQ's own limit is far above).</summary>
    public const long MaxOriginalBytes = 25 * 1024 * 1024;

    /// <summary>How long an officer waits for the Worker to hand an original over.</summary>
    public static readonly TimeSpan OriginalTimeout = TimeSpan.FromSeconds(15);
    private const string UnknownSender = "unknown-sender";

    public static RouteGroupBuilder MapQuarantine(this RouteGroupBuilder quarantine)
    {
        quarantine.MapGet("/", ListAsync).RequireAuthorization(Policies.Read).AuditedAs("list-quarantine").WithName("ListQuarantine")
            .WithSummary("Mail held by the gateway in the channels you may see, newest first; status=held (default), released, rejected or all");
        quarantine.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Policies.Read).AuditedAs("read-quarantined-mail").WithName("GetQuarantinedMail")
            .WithSummary("One held mail with its reason");
        quarantine.MapGet("/{id:guid}/content", ReadAsync).RequireAuthorization(Policies.Read).AuditedAs("read-quarantined-mail-content")
            .WithName("ReadQuarantinedMail")
            .WithSummary("What the gateway could read of a held mail: its text, its HTML sanitised, its attachments (names, sizes, SHA-256), its " +
                "signers' certificates or keys, and for a sender the directory does not know, the closest partner");
        quarantine.MapGet("/{id:guid}/attachments/{sha256}", DownloadAsync).RequireAuthorization(Policies.Read)
            .AuditedAs("download-quarantined-attachment").WithName("DownloadQuarantinedAttachment")
            .WithSummary("An attachment of a held mail, as a download (never shown inline)");
        quarantine.MapGet("/{id:guid}/original", OriginalAsync).RequireAuthorization(Policies.Read).AuditedAs("download-quarantined-original")
            .WithName("DownloadQuarantinedOriginal")
            .WithSummary("The held mail exactly as the gateway received it (message/rfc822, a download never shown inline), to open outside " +
                "Ncp what could not be decrypted or read; asked of the Worker: 503 when it does not answer, 422 when too large for the bus");
        quarantine.MapPost("/{id:guid}/release", ReleaseAsync).RequireAuthorization(Policies.Act).WithName("ReleaseQuarantinedMail")
            .WithSummary("Let a held mail through despite its reason; recorded with your name. Held for a signature or certificate reason: the " +
                "first release is a request (202), a different officer's release confirms it (409 release-needs-a-second-officer for the same one)")
            .ProducesValidationProblem();
        quarantine.MapPost("/{id:guid}/reject", RejectAsync).RequireAuthorization(Policies.Act).WithName("RejectQuarantinedMail")
            .WithSummary("Decide a held mail is not to be processed; recorded with your name").ProducesValidationProblem();
        return quarantine;
    }

    private static async Task<Results<Ok<QuarantineList>, ValidationProblem>> ListAsync(
        string? status, HttpContext http, Compartments compartments, IQuerySession session, MartenSettings marten, CancellationToken ct)
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

        // On the duplicated columns, which hold the enums' names (as the items' do, see the dashboard).
        // One parameter, the array: a string[] alone would be taken for the params array itself.
        object visible = compartments.ChannelsOf(http.User).Select(c => c.ToString()).ToArray();
        var mail = only is { } s
            ? await session.QueryAsync<QuarantinedMail>("where d.channel = ANY(?) and d.status = ? order by d.received_at desc limit 500", ct, visible, s.ToString())
            : await session.QueryAsync<QuarantinedMail>("where d.channel = ANY(?) order by d.received_at desc limit 500", ct, visible);
        var held = (await session.QueryAsync<int>($"select count(*)::int from {marten.Schema}.mt_doc_quarantinedmail where channel = ANY(?) and status = 'Held'", ct, visible)).Single();
        return TypedResults.Ok(new QuarantineList(held, [.. mail]));
    }

    private static async Task<Results<Ok<QuarantinedMail>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, Compartments compartments, IQuerySession session, CancellationToken ct) =>
        await VisibleAsync(session, id, http, compartments, ct) is { } mail ? TypedResults.Ok(mail) : NotFound(id);

    private static async Task<Results<Ok<HeldMailView>, ProblemHttpResult>> ReadAsync(
        Guid id, HttpContext http, Compartments compartments, IQuerySession session, CancellationToken ct)
    {
        if (await VisibleAsync(session, id, http, compartments, ct) is not { } mail)
        {
            return NotFound(id);
        }

        var reading = await session.LoadAsync<HeldMailReading>(id, ct) ?? new HeldMailReading { Id = id };
        var closest = mail.Reason == UnknownSender
            ? ClosestPartners.Find(mail.From, await session.Query<PartnerDirectoryEntry>().ToListAsync(ct))
            : null;
        return TypedResults.Ok(new HeldMailView(
            id, mail.Channel, reading.Protection, reading.Text, MailSanitiser.Sanitise(reading.Html), reading.Cut, reading.Attachments, reading.Signers,
            reading.Unreadable, reading.Signature, closest));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid id, string sha256, HttpContext http, Compartments compartments, IQuerySession session, NpgsqlDataSource db, MartenSettings marten,
        CancellationToken ct)
    {
        if (await VisibleAsync(session, id, http, compartments, ct) is null
            || await session.LoadAsync<HeldMailReading>(id, ct) is not { } reading
            || reading.Attachments.FirstOrDefault(a => a.Sha256 == sha256 && a.Downloadable) is not { } attachment
            || (await Attachments.ReadContentsAsync(db, marten, [sha256], ct)).GetValueOrDefault(sha256) is not { } content)
        {
            return NotFound(id);
        }

        // Served as a download, never rendered inline: whatever a held mail carries is untrusted.
        return TypedResults.File(content, "application/octet-stream", attachment.FileName);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> OriginalAsync(
        Guid id, HttpContext http, Compartments compartments, IQuerySession session, IRequestClient<HeldMailOriginalRequested> worker,
        ILogger<QuarantinedMail> logger, CancellationToken ct)
    {
        if (await VisibleAsync(session, id, http, compartments, ct) is null)
        {
            return NotFound(id);
        }

        HeldMailOriginal original;
        try
        {
            original = (await worker.GetResponse<HeldMailOriginal>(new HeldMailOriginalRequested(id, MaxOriginalBytes), ct)).Message;
        }
        catch (RequestTimeoutException e)
        {
            logger.LogWarning(e, "The Worker did not hand over the original of held mail {InboundId}", id);
            http.Response.Headers.RetryAfter = "60";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "The mail gateway did not answer",
                detail: $"The Worker keeps the original and did not answer within {OriginalTimeout.TotalSeconds:0} s: it may be stopped or busy. " +
                    "Try again in a minute; if it keeps failing, ask an administrator to check the Worker (./ncp status, its health page).");
        }

        return original switch
        {
            { Found: false } => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "The gateway no longer has this mail",
                detail: $"The Worker's store holds no original of the held mail {id}."),
            // Only ever a download (attachment, no sniffing): the mail is the sender's, whatever it says it is.
            { Raw: { } raw } => Download(http, id, raw),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Too large to hand over through the bus",
                detail: $"The original is {original.Size:N0} bytes, more than the {MaxOriginalBytes:N0} the Api takes from the Worker. Ask an " +
                    $"administrator to export it from the Worker's database (table inbound_mail, id {id})."),
        };
    }

    private static FileContentHttpResult Download(HttpContext http, Guid id, byte[] raw)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(raw, "message/rfc822", $"held-mail-{id}.eml");
    }

    private static async Task<Results<Ok<QuarantinedMail>, Accepted<QuarantinedMail>, ValidationProblem, ProblemHttpResult>> ReleaseAsync(
        Guid id, QuarantineDecisionBody body, HttpContext http, Compartments compartments, IDocumentStore store, TimeProvider time, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var mail = await VisibleAsync(session, id, http, compartments, ct);
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
        else if (mail.Reason == UnknownSender && mail.ReleaseRequest is null)
        {
            errors.Add(new("partnerCode", "The sender's address is not in the directory: name the partner this mail comes from."));
        }

        if (errors.Count > 0)
        {
            return FieldError.ToProblem(errors);
        }

        var decided = await DecideAsync(session, mail, new ReleaseMail(partnerCode, body.Reason!.Trim(), http.User.Actor()), time, ct);
        return decided.Status == QuarantineStatus.Held ? TypedResults.Accepted($"/api/quarantine/{id}", decided) : TypedResults.Ok(decided);
    }

    private static async Task<Results<Ok<QuarantinedMail>, ValidationProblem, ProblemHttpResult>> RejectAsync(
        Guid id, QuarantineDecisionBody body, HttpContext http, Compartments compartments, IDocumentStore store, TimeProvider time, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var mail = await VisibleAsync(session, id, http, compartments, ct);
        if (mail is null)
        {
            return NotFound(id);
        }

        if (Reason(body.Reason) is { Length: > 0 } errors)
        {
            return FieldError.ToProblem(errors);
        }

        return TypedResults.Ok(await DecideAsync(session, mail, new RejectMail(body.Reason!.Trim(), http.User.Actor()), time, ct));
    }

    // A held mail in a compartment the officer is not cleared for is no mail at all to them, as an item is.
    private static async Task<QuarantinedMail?> VisibleAsync(IQuerySession session, Guid id, HttpContext http, Compartments compartments, CancellationToken ct) =>
        await session.LoadAsync<QuarantinedMail>(id, ct) is { } mail && compartments.MaySee(http.User, mail.Channel) ? mail : null;

    private static async Task<QuarantinedMail> DecideAsync(IDocumentSession session, QuarantinedMail mail, object command, TimeProvider time, CancellationToken ct)
    {
        var events = QuarantineDecider.Decide(mail, command, time.GetUtcNow());

        // The version read is the version appended to: two officers deciding at once cannot both win.
        var stream = await session.Events.FetchForWriting<QuarantinedMail>(mail.Id, mail.Version, ct);
        stream.AppendMany(events);
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
