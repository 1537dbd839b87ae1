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
using Ncp.Contracts.Deadlines;
using Integration = Ncp.Contracts.Cases;

namespace Ncp.Api.Infrastructure.Messaging;

/// <summary>
/// Publishes integration events from the event log to the bus. The daemon records its progress only after
/// a page is published, so every event goes out at least once, in order, even after a crash; the Marten event id
/// becomes the MessageId and the consumers' idempotency key.
/// </summary>
public sealed class IntegrationEventPublisher(IBus bus, ILogger<IntegrationEventPublisher> logger) : SubscriptionBase
{
    public const string SubscriptionName = "integration-events";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        foreach (var @event in page.Events)
        {
            var messages = @event.Data is Domain.DeadlineEscalated escalated
                ? [await EscalationOfAsync(@event, escalated, operations, ct)]
                : ToIntegrationEvents(@event);
            for (var i = 0; i < messages.Length; i++)
            {
                await PublishUntilAcceptedAsync(@event, messages[i], MessageIdOf(@event.Id, i), ct);
            }
        }

        return NullChangeListener.Instance;
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
