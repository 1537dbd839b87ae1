using System.Text.RegularExpressions;
using Marten;
using MassTransit;
using Ncp.Api.Cases.Attaching;
using Ncp.Api.Cases.Registering;
using Ncp.Api.Deadlines;
using Ncp.Api.Infrastructure.Marten;
using Ncp.Api.Partners;
using Ncp.Contracts.Mail;
using Ncp.Conventions;
using Npgsql;

namespace Ncp.Api.Cases.Corresponding;

/// <summary>
/// Files a partner's mail with its item: the item our mail it answers belongs to (In-Reply-To/References, found by the
/// gateway), else the register number it quotes, else the partner's own reference; a mail that matches none opens a new
/// incoming item. Idempotent: the mail's id is recorded on the item, and a new item is registered under it as the
/// idempotency key.
/// </summary>
public sealed partial class PartnerMailReceivedConsumer(
    IDocumentStore store, ItemStore items, Registrar registrar, DeadlinePlanner planner, NpgsqlDataSource db, MartenSettings marten, TimeProvider time,
    ILogger<PartnerMailReceivedConsumer> logger)
    : IConsumer<PartnerMailReceived>
{
    public static readonly Actor Gateway = new("mail-gateway", "Mail gateway");

    private const int MaxText = 200_000;

    public async Task Consume(ConsumeContext<PartnerMailReceived> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var attachments = new List<MailAttachmentRef>();
        foreach (var a in m.Attachments)
        {
            attachments.Add(new MailAttachmentRef(await Attachments.StoreContentAsync(db, marten, a.Content, time, ct), a.FileName, a.ContentType, a.Content.LongLength));
        }

        var mail = new MailReceived(
            Guid.Empty, m.InboundId, m.MessageId, m.PartnerCode, m.From, m.Subject, Cut(m.TextBody), m.HtmlBody is null ? null : Cut(m.HtmlBody), m.Protection, m.Signature,
            m.SignedBy, [.. attachments], m.ReleasedBy, m.ReceivedAt, default, m.Warnings is { Length: > 0 } warnings ? warnings : null);

        await using var session = store.QuerySession();
        var itemId = m.ThreadedItemId ?? await ByRegisterNumberAsync(session, m, ct) ?? await ByPartnerReferenceAsync(session, m, ct);
        if (itemId is { } id && await session.LoadAsync<ItemDetails>(id, ct) is not null)
        {
            await items.RunByIdAsync(id, new RecordMailReceived(mail), ct);
            logger.LogInformation("Mail {MessageId} from {PartnerCode} filed with item {ItemId}", m.MessageId, m.PartnerCode, id);
            return;
        }

        var partner = await session.FindPartnerAsync(m.PartnerCode, ct);
        if (partner is null)
        {
            throw new InvalidOperationException($"Mail {m.InboundId} names partner {m.PartnerCode}, which the directory does not know.");
        }

        var fields = FieldsOf(m, partner);
        var kind = LooksLikeRequest().IsMatch(m.Subject + "\n" + m.TextBody) ? WorkItemKind.Request : WorkItemKind.InitiativeMessage;
        var deadlines = await planner.PlanAsync(session, kind, Direction.Incoming, fields, time.GetUtcNow(), ct);
        var (item, replayed) = await registrar.RegisterAsync(
            new Registration(kind, Direction.Incoming, fields, Gateway, $"mail:{m.InboundId}", m.InboundId.ToString("N"), deadlines),
            (s, newId, _, now) =>
            {
                s.Events.Append(newId, mail with { ItemId = newId, At = now });
                return Task.CompletedTask;
            },
            ct);
        if (!replayed)
        {
            logger.LogInformation("Mail {MessageId} from {PartnerCode} opened item {RegisterNumber}", m.MessageId, m.PartnerCode, item.RegisterNumber);
        }
    }

    private static async Task<Guid?> ByRegisterNumberAsync(IQuerySession session, PartnerMailReceived m, CancellationToken ct)
    {
        foreach (var number in m.RegisterNumbers)
        {
            if (await session.QueryAsync(new ItemByNumber { Number = number }, ct) is { } item)
            {
                return item.Id;
            }
        }

        return null;
    }

    // Partners often quote only their own reference; it is matched among this partner's open items that carry one.
    private static async Task<Guid?> ByPartnerReferenceAsync(IQuerySession session, PartnerMailReceived m, CancellationToken ct)
    {
        var candidates = await session.Query<ItemDetails>()
            .Where(i => i.PartnerCode == m.PartnerCode && i.PartnerReference != null && i.IsOpen)
            .Select(i => new { i.Id, i.PartnerReference })
            .ToListAsync(ct);
        var text = m.Subject + "\n" + m.TextBody;
        return candidates.Where(c => c.PartnerReference!.Length >= 4 && text.Contains(c.PartnerReference, StringComparison.OrdinalIgnoreCase))
            .Select(c => (Guid?)c.Id).FirstOrDefault();
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
    // Replies to one item (or quoting one register number) that arrive together are filed one after another, not
    // against each other's stream versions; the retry still covers what else is appended to the item meanwhile.
    protected override void Configure(IReceiveEndpointConfigurator endpoint) =>
        endpoint.UsePartitioner<PartnerMailReceived>(
            endpoint.CreatePartitioner(8), c => c.Message.ThreadedItemId ?? KeyOf(c.Message.RegisterNumbers.FirstOrDefault() ?? c.Message.PartnerCode));

    private static Guid KeyOf(string text) => new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
}
