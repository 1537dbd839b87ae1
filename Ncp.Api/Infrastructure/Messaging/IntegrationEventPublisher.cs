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
using Ncp.Contracts.Live;

namespace Ncp.Api.Infrastructure.Messaging;

/// <summary>
/// Publishes integration events from the event log to the bus. The daemon records its progress only after
/// a page is published, so every event goes out at least once, in order, even after a crash; the Marten event id
/// becomes the MessageId and the consumers' idempotency key. What each event becomes is its feature's business
/// (<see cref="IIntegrationEvents"/>); this is only the loop, the ids, the retry and the tracing.
/// </summary>
public sealed class IntegrationEventPublisher(IBus bus, IEnumerable<IIntegrationEvents> maps, ILogger<IntegrationEventPublisher> logger) : SubscriptionBase
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
        // A held mail's screens are refreshed only for officers cleared for its channel, like an item's.
        var held = quarantineEvents.Length == 0
            ? new Dictionary<Guid, Quarantine.QuarantinedMail>()
            : (await operations.LoadManyAsync<Quarantine.QuarantinedMail>(ct, quarantineEvents.Select(e => e.StreamId).Distinct())).ToDictionary(m => m.Id);
        return new ChangesRecorded([.. events.Select(e => WorkItemEventTypes.Contains(e.EventType)
                ? new RecordChange(
                    "item", e.StreamId, items.GetValueOrDefault(e.StreamId)?.RegisterNumber,
                    items.GetValueOrDefault(e.StreamId) is { } item ? ApiEnum<Domain.Channel>.NameOf(item.Channel) : null, Kebab(e.EventType.Name), e.Timestamp)
                : QuarantineEventTypes.Contains(e.EventType)
                    ? new RecordChange(
                        "quarantine", e.StreamId, null,
                        ApiEnum<Domain.Channel>.NameOf(held.GetValueOrDefault(e.StreamId)?.Channel ?? Domain.Channel.TwentyFourSeven), Kebab(e.EventType.Name),
                        e.Timestamp)
                    : null)
            .OfType<RecordChange>()]);
    }

    private static readonly HashSet<Type> WorkItemEventTypes = [.. Domain.WorkItemEvents.All];
    private static readonly HashSet<Type> QuarantineEventTypes = [.. Quarantine.QuarantineEvents.All];

    private static string Kebab(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Every feature's messages for the event, in the order the features are registered.</summary>
    private async Task<object[]> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct)
    {
        var messages = new List<object>();
        foreach (var map in maps)
        {
            messages.AddRange(await map.MessagesOfAsync(@event, operations, ct));
        }

        return [.. messages];
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
