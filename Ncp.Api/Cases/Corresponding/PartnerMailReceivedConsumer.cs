using System.Text.RegularExpressions;
using Marten;
using MassTransit;
using Ncp.Api.Cases.Attaching;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Deadlines;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Partners;
using Ncp.Contracts.Mail;
using Ncp.Conventions;
using Npgsql;

namespace Ncp.Api.Cases.Corresponding;

/// <summary>Filing: <c>Filing:*</c> in configuration.</summary>
public sealed class FilingSettings
{
    public const string Section = "Filing";

    /// <summary>
    /// New items a partner's mail may open in an hour (a sliding hour) before the next is held in quarantine: a partner
    /// that opens more is unusual enough for an officer to look, and a forged sender cannot flood the register.
    /// </summary>
    public int NewItemsPerPartnerPerHour { get; set; } = 20;
}

/// <summary>Where a partner's mail goes: one of its items, or none; and the numbers of other partners' items it quoted.</summary>
internal sealed record Filing(Guid? ItemId, string[] ForeignQuoted);

/// <summary>
/// Files a partner's mail with its item: the item our mail it answers belongs to (In-Reply-To/References, found by the
/// gateway), else the register number it quotes, else the partner's own reference; a mail that matches none opens a new
/// incoming item. Only an item of the partner the gateway authenticated, in a channel that partner uses, can receive its
/// mail: register numbers are sequential and Message-IDs travel with forwarded mail, so a quoted one proves nothing; what
/// a mail quoted of another partner's items is recorded on the item it reaches (or on the held mail), never on theirs.
/// A mail no signature proves never opens an item by itself, and a partner's mail opens at most
/// <see cref="FilingSettings.NewItemsPerPartnerPerHour"/> items an hour: such mail is held in quarantine with the reason.
/// Idempotent: the mail's id is recorded on the item, a new item is registered under it as the idempotency key, and a held
/// mail's quarantine stream is its id.
/// </summary>
public sealed partial class PartnerMailReceivedConsumer(
    IDocumentStore store, ItemStore items, Registrar registrar, DeadlinePlanner planner, NpgsqlDataSource db, MartenSettings marten,
    FilingSettings settings, CorrespondenceSettings correspondence, TimeProvider time, ILogger<PartnerMailReceivedConsumer> logger)
    : IConsumer<PartnerMailReceived>
{
    public static readonly Actor Gateway = new("mail-gateway", "Mail gateway");

    private const int MaxText = 200_000;

    private const int MaxQuoted = 20;

    public async Task Consume(ConsumeContext<PartnerMailReceived> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        await using var session = store.QuerySession();
        var partner = await session.FindPartnerAsync(m.PartnerCode, ct)
            ?? throw new InvalidOperationException($"Mail {m.InboundId} names partner {m.PartnerCode}, which the directory does not know.");
        var filing = await FilingOfAsync(session, m, partner, ct);
        if (filing.ForeignQuoted.Length > 0)
        {
            logger.LogWarning("Mail {MessageId} from {PartnerCode} quoted {Quoted}, not its items: not filed there",
                m.MessageId, m.PartnerCode, string.Join(", ", filing.ForeignQuoted));
        }

        if (filing.ItemId is { } id)
        {
            await items.RunByIdAsync(id, new RecordMailReceived(await MailOfAsync(m, ct), filing.ForeignQuoted), ct);
            logger.LogInformation("Mail {MessageId} from {PartnerCode} filed with item {ItemId}", m.MessageId, m.PartnerCode, id);
            return;
        }

        if (await HoldReasonAsync(session, m, filing, ct) is { } hold)
        {
            await HoldAsync(m, hold.Reason, hold.Detail, partner.MainChannel, ct);
            return;
        }

        await OpenAsync(session, m, partner, filing, ct);
    }

    private async Task<MailReceived> MailOfAsync(PartnerMailReceived m, CancellationToken ct)
    {
        var attachments = new List<MailAttachmentRef>();
        foreach (var a in m.Attachments)
        {
            var sha256 = await Attachments.StoreContentAsync(db, marten, a.Content, time, ct);
            attachments.Add(new MailAttachmentRef(sha256, a.FileName, a.ContentType, a.Content.LongLength));
        }

        return new MailReceived(
            Guid.Empty, m.InboundId, m.MessageId, m.PartnerCode, m.From, m.Subject, Cut(m.TextBody),
            m.HtmlBody is null ? null : Cut(m.HtmlBody), m.Protection, m.Signature, m.SignedBy, [.. attachments], m.ReleasedBy, m.ReceivedAt,
            default, m.Warnings is { Length: > 0 } warnings ? warnings : null, MarkingOf(m),
            m.CodedWarnings is { Length: > 0 } coded ? [.. coded.Select(w => new GatewayWarning(w.Code, w.Facts))] : null);
    }

    // A gateway's code name this Api does not know (a newer gateway) is read as the strictest: a marking must never open up.
    private static PartnerMarking? MarkingOf(PartnerMailReceived m) =>
        m.Marking is { } marking
            ? new PartnerMarking(
                marking.Label,
                ApiEnum<HandlingCode>.TryParse(marking.HandlingCode, out var code) ? code : HandlingCode.NoThirdParties,
                marking.Found)
            : null;

    /// <summary>
    /// The partner's own item the mail answers, in the order of preference (the thread, a quoted number, their reference);
    /// every item it names that is not the partner's in one of its channels is only noted.
    /// </summary>
    private static async Task<Filing> FilingOfAsync(
        IQuerySession session, PartnerMailReceived m, PartnerDirectoryEntry partner, CancellationToken ct)
    {
        bool Ours(ItemDetails item) => item.PartnerCode == partner.Code && partner.Profile.Channels.Contains(item.Channel);

        var foreign = new List<string>();
        Guid? found = null;
        void Consider(ItemDetails item)
        {
            if (!Ours(item))
            {
                foreign.Add(item.RegisterNumber);
            }
            else
            {
                found ??= item.Id;
            }
        }

        if (m.ThreadedItemId is { } threaded && await session.LoadAsync<ItemDetails>(threaded, ct) is { } answered)
        {
            Consider(answered);
        }

        // Named by a Message-ID of our mail to another partner: noted, never filed there, whoever the item is with now.
        foreach (var id in (m.ForeignItemIds ?? []).Take(MaxQuoted))
        {
            if (await session.LoadAsync<ItemDetails>(id, ct) is { } named)
            {
                foreign.Add(named.RegisterNumber);
            }
        }

        foreach (var number in m.RegisterNumbers.Take(MaxQuoted))
        {
            if (await session.QueryAsync(new ItemByNumber { Number = number }, ct) is { } quoted)
            {
                Consider(quoted);
            }
        }

        found ??= await ByPartnerReferenceAsync(session, m, partner, ct);
        return new Filing(found, [.. foreign.Distinct()]);
    }

    // Partners often quote only their own reference; it is matched among this partner's open items that carry one.
    private static async Task<Guid?> ByPartnerReferenceAsync(
        IQuerySession session, PartnerMailReceived m, PartnerDirectoryEntry partner, CancellationToken ct)
    {
        // Whole documents: a projection to an anonymous type cannot read the channel as the store writes it.
        var candidates = await session.Query<ItemDetails>()
            .Where(i => i.PartnerCode == m.PartnerCode && i.PartnerReference != null && i.IsOpen)
            .ToListAsync(ct);
        var text = m.Subject + "\n" + m.TextBody;
        return candidates
            .Where(c => partner.Profile.Channels.Contains(c.Channel) && c.PartnerReference!.Length >= 4
                && text.Contains(c.PartnerReference, StringComparison.OrdinalIgnoreCase))
            .Select(c => (Guid?)c.Id).FirstOrDefault();
    }

    /// <summary>
    /// Why the mail may not open a new item by itself, if it may not. An officer's release overrides both; a mail that
    /// already opened its item (a redelivery) is not held after the fact.
    /// </summary>
    private async Task<(string Reason, string Detail)?> HoldReasonAsync(
        IQuerySession session, PartnerMailReceived m, Filing filing, CancellationToken ct)
    {
        if (m.ReleasedBy is not null || await session.LoadAsync<IdempotentRequest>($"{Gateway.Id}:{IdempotencyKeyOf(m)}", ct) is not null)
        {
            return null;
        }

        var quoted = filing.ForeignQuoted.Length == 0 ? ""
            : $" It quoted {string.Join(", ", filing.ForeignQuoted)}, not an item of {m.PartnerCode} in a channel it uses: "
                + "not filed there.";
        if (m.Signature != "valid")
        {
            return ("sender-not-proven",
                $"The mail is not signed ({m.Signature}), so only its address says it comes from {m.PartnerCode}; it names no item of "
                + $"{m.PartnerCode}, and mail that nothing proves does not open a new item by itself. Release it to open one." + quoted);
        }

        var since = time.GetUtcNow() - TimeSpan.FromHours(1);
        var opened = await session.Query<ItemDetails>()
            .CountAsync(i => i.PartnerCode == m.PartnerCode && i.RegisteredBy.Id == Gateway.Id && i.RegisteredAt > since, ct);
        return opened < settings.NewItemsPerPartnerPerHour ? null
            : ("new-item-limit",
                $"{m.PartnerCode}'s mail opened {opened} new items in the last hour; the limit is {settings.NewItemsPerPartnerPerHour} "
                + $"({FilingSettings.Section}:{nameof(FilingSettings.NewItemsPerPartnerPerHour)}). Release it to open one." + quoted);
    }

    // Held where officers review every held mail; the gateway hears of it from the event log and holds the raw mail too,
    // so that a release reaches it like any other.
    // It is kept in the compartment of the channel the partner's new items open in, as the item would have been.
    private async Task HoldAsync(PartnerMailReceived m, string reason, string detail, Channel channel, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.Events.FetchStreamStateAsync(m.InboundId, ct) is not null)
        {
            return;
        }

        // The size of what was read; the raw mail, with its protection, is larger and stays with the gateway.
        var size = System.Text.Encoding.UTF8.GetByteCount(m.TextBody + m.HtmlBody) + m.Attachments.Sum(a => (long)a.Content.Length);
        session.Events.StartStream<Quarantine.QuarantinedMail>(m.InboundId, new Quarantine.MailHeld(
            m.InboundId, reason, detail, m.From, m.Subject, m.MessageId, size, m.ReceivedAt, time.GetUtcNow(), channel, HeldByFiling: true));
        session.Store(await Quarantine.HeldMailReading.OfAsync(m, db, marten, time, ct));
        try
        {
            await session.SaveChangesAsync(ct);
            logger.LogWarning("Mail {MessageId} from {PartnerCode} held: {Reason}: {Detail}", m.MessageId, m.PartnerCode, reason, detail);
        }
        catch (Marten.Exceptions.ExistingStreamIdCollisionException)
        {
            // The same mail, delivered twice at once: the other delivery held it.
        }
    }

    private async Task OpenAsync(
        IQuerySession session, PartnerMailReceived m, PartnerDirectoryEntry partner, Filing filing, CancellationToken ct)
    {
        var mail = await MailOfAsync(m, ct);
        var fields = FieldsOf(m, partner) with { HandlingCode = mail.Marking?.Code ?? HandlingCode.Open, Content = ContentOf(m, partner) };
        var kind = LooksLikeRequest().IsMatch(m.Subject + "\n" + m.TextBody) ? WorkItemKind.Request : WorkItemKind.InitiativeMessage;
        var deadlines = await planner.PlanAsync(session, kind, Direction.Incoming, fields, time.GetUtcNow(), ct);
        var (item, replayed) = await registrar.RegisterAsync(
            new Registration(kind, Direction.Incoming, fields, Gateway, IdempotencyKeyOf(m), m.InboundId.ToString("N"), deadlines),
            (s, newId, _, now) =>
            {
                s.Events.Append(newId, WorkItemDecider.MailReceivedEvents(newId, mail, filing.ForeignQuoted, now));
                return Task.CompletedTask;
            },
            ct);
        if (!replayed)
        {
            logger.LogInformation(
                "Mail {MessageId} from {PartnerCode} opened item {RegisterNumber}", m.MessageId, m.PartnerCode, item.RegisterNumber);
        }
    }

    private static string IdempotencyKeyOf(PartnerMailReceived m) => $"mail:{m.InboundId}";

    // What the mail names, so that the item meets our open items sharing it (linked from the event log: Linking/
    // SameIdentifiersIntegration); the form is not known from free text, and the mail itself stays the facts.
    private RequestContent? ContentOf(PartnerMailReceived m, PartnerDirectoryEntry partner)
    {
        var not = new NotIdentifiers([m.From, correspondence.ContactEmail, .. partner.Profile.Addresses], [correspondence.ContactPhone]);
        var identifiers = MailIdentifiers.Extract(m.Subject, m.TextBody, not, time.GetUtcNow());
        return identifiers.Length == 0 ? null : RequestContent.Empty with { Identifiers = identifiers };
    }

    private static ItemFields FieldsOf(PartnerMailReceived m, PartnerDirectoryEntry partner)
    {
        var subject = ReplyPrefix().Replace(m.Subject, "").Trim();
        subject = subject.Length == 0 ? $"Mail from {m.From}" : subject.Length > ItemBodyRules.SubjectMaxLength ? subject[..ItemBodyRules.SubjectMaxLength] : subject;
        var urgent = Urgent().IsMatch(m.Subject);
        var language = Cyrillic().IsMatch(m.Subject + m.TextBody) ? "ru" : partner.Profile.Languages.FirstOrDefault() ?? "en";
        return new ItemFields(
            partner.Code, partner.Country, partner.MainChannel, subject, CrimeCategory.Other, urgent ? Priority.Urgent : Priority.Normal, null, null, [], null,
            language, HandlingCode.Open, null, null);
    }

    private static string Cut(string text) => text.Length <= MaxText ? text : text[..MaxText] + "\n[… cut: the whole mail is kept by the gateway]";

    [GeneratedRegex(@"^\s*((re|fwd?|aw|wg|отв|ответ|пересл)\s*:\s*)+", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyPrefix();

    [GeneratedRegex(@"\b(urgent|срочно|срочный|immediate)", RegexOptions.IgnoreCase)]
    private static partial Regex Urgent();

    [GeneratedRegex(@"\b(request|preserv|subscriber|запрос|сохранени|просим предоставить)", RegexOptions.IgnoreCase)]
    private static partial Regex LooksLikeRequest();

    [GeneratedRegex(@"\p{IsCyrillic}{3,}")]
    private static partial Regex Cyrillic();
}

public sealed class PartnerMailReceivedConsumerDefinition() : RetryingConsumerDefinition<PartnerMailReceivedConsumer>
{
    // One partner's mail is filed one after another: replies to one item are not appended against each other's stream
    // versions, and the count of new items its mail opened in the hour is exact. The retry still covers what else is
    // appended to an item meanwhile.
    protected override void Configure(IReceiveEndpointConfigurator endpoint) =>
        endpoint.UsePartitioner<PartnerMailReceived>(endpoint.CreatePartitioner(8), c => KeyOf(c.Message.PartnerCode));

    private static Guid KeyOf(string text) => new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
}
