using System.Diagnostics;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Ncp.Api.Infrastructure.Http;
using Ncp.Api.Infrastructure.Observability;
using Domain = Ncp.Api.Cases;
using Ncp.Api.Cases.Corresponding;
using Ncp.Contracts.Deadlines;
using Ncp.Contracts.Live;
using Ncp.Contracts.Mail;
using Ncp.Contracts.Partners;
using Integration = Ncp.Contracts.Cases;

namespace Ncp.Api.Infrastructure.Messaging;

/// <summary>
/// Publishes integration events from the event log to the bus. The daemon records its progress only after
/// a page is published, so every event goes out at least once, in order, even after a crash; the Marten event id
/// becomes the MessageId and the consumers' idempotency key.
/// </summary>
public sealed class IntegrationEventPublisher(IBus bus, CorrespondenceSettings contact, ILogger<IntegrationEventPublisher> logger) : SubscriptionBase
{
    public const string SubscriptionName = "integration-events";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        foreach (var @event in page.Events)
        {
            var messages = await MessagesOfAsync(@event, operations, ct);
            for (var i = 0; i < messages.Length; i++)
            {
                await PublishUntilAcceptedAsync(@event, messages[i], MessageIdOf(@event.Id, i), ct);
            }
        }

        if (await ChangesOfAsync(page.Events, operations, ct) is { Changes.Length: > 0 } changes)
        {
            var last = page.Events[^1];
            await PublishUntilAcceptedAsync(last, changes, MessageIdOf(last.Id, ChangesMessageIndex), ct);
        }

        return NullChangeListener.Instance;
    }

    // Far above the few messages one event makes, so the page's change list never shares an id with them.
    private const int ChangesMessageIndex = 0x7FFF;

    /// <summary>One message per page for the screens: which items and quarantined mails changed, and how.</summary>
    private static async Task<ChangesRecorded?> ChangesOfAsync(IReadOnlyList<IEvent> events, IDocumentOperations operations, CancellationToken ct)
    {
        var itemEvents = events.Where(e => WorkItemEventTypes.Contains(e.EventType)).ToArray();
        var quarantineEvents = events.Where(e => QuarantineEventTypes.Contains(e.EventType)).ToArray();
        if (itemEvents.Length == 0 && quarantineEvents.Length == 0)
        {
            return null;
        }

        var items = itemEvents.Length == 0
            ? new Dictionary<Guid, Domain.ItemDetails>()
            : (await operations.LoadManyAsync<Domain.ItemDetails>(ct, itemEvents.Select(e => e.StreamId).Distinct())).ToDictionary(i => i.Id);
        return new ChangesRecorded([.. events.Select(e => WorkItemEventTypes.Contains(e.EventType)
                ? new RecordChange(
                    "item", e.StreamId, items.GetValueOrDefault(e.StreamId)?.RegisterNumber,
                    items.GetValueOrDefault(e.StreamId) is { } item ? ApiEnum<Domain.Channel>.NameOf(item.Channel) : null, Kebab(e.EventType.Name), e.Timestamp)
                : QuarantineEventTypes.Contains(e.EventType)
                    ? new RecordChange("quarantine", e.StreamId, null, null, Kebab(e.EventType.Name), e.Timestamp)
                    : null)
            .OfType<RecordChange>()]);
    }

    private static readonly HashSet<Type> WorkItemEventTypes = [.. Domain.WorkItemEvents.All];
    private static readonly HashSet<Type> QuarantineEventTypes = [.. Quarantine.QuarantineEvents.All];

    private static string Kebab(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Events whose messages need more than the event (the item as it stands, the partner's entry).</summary>
    private async Task<object[]> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct)
    {
        var messages = new List<object>();
        if (@event.Data is Domain.DeadlineEscalated escalated)
        {
            messages.Add(await EscalationOfAsync(@event, escalated, operations, ct));
        }
        else
        {
            messages.AddRange(ToIntegrationEvents(@event));
        }

        if (await PartnerMailRequests.ForAsync(@event, operations, contact, ct) is { } mail)
        {
            messages.Add(mail);
        }

        if (@event.Data is Partners.PartnerRegistered or Partners.PartnerProfileChanged or Partners.PartnerDeactivated or Partners.PartnerReactivated
            or Partners.PlaintextMailAllowed or Partners.PlaintextMailDisallowed
            && await operations.LoadAsync<Partners.PartnerDirectoryEntry>(@event.StreamId, ct) is { } partner)
        {
            messages.Add(new PartnerDirectoryChanged(
                partner.Code, partner.Profile.Addresses, partner.Profile.Languages, ApiEnum<Partners.Encryption>.NameOf(partner.Profile.Encryption),
                partner.PlaintextOverride is not null, partner.Active, @event.Timestamp));
        }

        if (@event.Data is Partners.PartnerKeyImported or Partners.PartnerKeyRemoved
            && await operations.LoadAsync<Partners.PartnerDirectoryEntry>(@event.StreamId, ct) is { } owner)
        {
            messages.Add(@event.Data switch
            {
                Partners.PartnerKeyImported k => new Contracts.Partners.PartnerKeyImported(@event.Id, owner.Code, k.Scheme, k.Fingerprint, k.Material, k.NotAfter, k.At),
                Partners.PartnerKeyRemoved k => new PartnerKeyRemoved(owner.Code, k.Fingerprint, k.At),
                _ => throw new InvalidOperationException(),
            });
        }

        return [.. messages];
    }

    /// <summary>What the rest of the system hears of an event in the log: nothing, one message, or several.</summary>
    public static object[] ToIntegrationEvents(IEvent @event) => @event.Data switch
    {
        Domain.ItemRegistered e =>
        [
            new Integration.ItemRegistered(
                @event.Id, e.ItemId, e.RegisterNumber, ApiEnum<Domain.WorkItemKind>.NameOf(e.Kind), ApiEnum<Domain.Direction>.NameOf(e.Direction),
                e.Fields.PartnerCode, ApiEnum<Domain.Channel>.NameOf(e.Fields.Channel), e.Fields.Subject, ApiEnum<Domain.Priority>.NameOf(e.Fields.Priority),
                e.By.Id, e.At),
        ],
        Domain.OfficerAssigned e => [new Integration.ItemAssigned(@event.Id, e.ItemId, e.Officer.Id, e.Officer.Name, e.At)],
        Domain.DeadlinesSet e => [.. e.Deadlines.Steps.Select(s => new WakeUpRequested(e.ItemId, s.Name, s.DueAt, e.At))],
        Domain.DeadlineExtended e => [.. e.Rescheduled.Select(s => new WakeUpRequested(e.ItemId, s.Name, s.DueAt, e.At))],
        Domain.DeadlinesResumed e => [.. e.Rescheduled.Select(s => new WakeUpRequested(e.ItemId, s.Name, s.DueAt, e.At))],
        Domain.DeadlinesPaused e => [new WakeUpCancelled(e.ItemId, "*", e.At)],
        Domain.ItemClosed e => [new WakeUpCancelled(e.ItemId, "*", e.At)],
        Domain.ItemWithdrawn e => [new WakeUpCancelled(e.ItemId, "*", e.At)],
        Domain.ItemRefused e => [new WakeUpCancelled(e.ItemId, "*", e.At)],
        Quarantine.QuarantineReleased e => [new QuarantineDecided(e.InboundId, true, e.PartnerCode, e.Reason, e.By.Name, e.At)],
        Quarantine.QuarantineRejected e => [new QuarantineDecided(e.InboundId, false, null, e.Reason, e.By.Name, e.At)],
        _ => [],
    };

    /// <summary>People need to know which item: the escalation is told with the item's number and subject.</summary>
    private static async Task<object> EscalationOfAsync(IEvent @event, Domain.DeadlineEscalated e, IDocumentOperations operations, CancellationToken ct)
    {
        var item = await operations.LoadAsync<Domain.ItemDetails>(e.ItemId, ct);
        return new EscalationRaised(
            @event.Id, e.ItemId, item?.RegisterNumber ?? "", item?.Subject ?? "", item?.PartnerCode ?? "",
            item is null ? "" : ApiEnum<Domain.Channel>.NameOf(item.Channel), item is null ? "" : ApiEnum<Domain.Priority>.NameOf(item.Priority),
            e.Step, e.DueAt, [.. e.Notify.Select(ApiEnum<Deadlines.Recipient>.NameOf)], item?.AssignedToId, e.RemindPartner,
            ApiEnum<Deadlines.SuggestedAction>.NameOf(e.Suggest), e.At);
    }

    /// <summary>The same event always yields the same message ids, so a redelivered page is recognisable downstream.</summary>
    private static Guid MessageIdOf(Guid eventId, int index)
    {
        if (index == 0)
        {
            return eventId;
        }

        Span<byte> bytes = stackalloc byte[16];
        eventId.TryWriteBytes(bytes);
        bytes[15] ^= (byte)index;
        bytes[14] ^= (byte)(index >> 8);
        return new Guid(bytes);
    }

    // Events must leave in order, so a broker outage holds the subscription here rather than skipping ahead.
    private async Task PublishUntilAcceptedAsync(IEvent @event, object message, Guid messageId, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            using var activity = EventLogTracing.Source.StartActivity(
                $"publish {message.GetType().Name}", ActivityKind.Producer, EventLogTracing.ParentOf(@event.Headers));
            activity?.SetTag("ncp.event.sequence", @event.Sequence);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                await bus.Publish(message, message.GetType(), context => context.MessageId = messageId, timeout.Token);
                logger.LogInformation("Published {MessageType} for event {EventSequence} of stream {StreamId}",
                    message.GetType().Name, @event.Sequence, @event.StreamId);
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                logger.LogWarning(ex, "Publishing event {EventSequence} failed (attempt {Attempt}); retrying in {Delay}",
                    @event.Sequence, attempt, delay);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
