using System.Globalization;
using MassTransit;
using Microsoft.AspNetCore.SignalR;
using Ncp.Contracts.Live;

namespace Ncp.Api.Live;

/// <summary>
/// What changed, told to whoever in this Api instance is watching: the officers' screens (Blazor components subscribe
/// here) and the live channel for other clients (<see cref="OfficerHub"/>, event <c>changed</c>, per channel group).
/// A subscriber filters by the officer's compartments itself; a slow or failing subscriber never holds up the others.
/// </summary>
public sealed class LiveUpdates(ILogger<LiveUpdates> logger)
{
    private readonly Lock gate = new();
    private ImmutableSubscribers subscribers = new([]);

    private sealed record ImmutableSubscribers(Func<IReadOnlyList<RecordChange>, Task>[] All);

    /// <summary>
    /// Calls <paramref name="onChanges"/> for every batch of changes until the returned handle is disposed, in the culture
    /// the subscriber had: the changes arrive on the bus's thread, and a screen re-rendered there would otherwise turn
    /// English with US dates in the middle of a Russian page.
    /// </summary>
    public IDisposable Subscribe(Func<IReadOnlyList<RecordChange>, Task> onChanges)
    {
        onChanges = InCultureOfSubscriber(onChanges);
        lock (gate)
        {
            subscribers = new([.. subscribers.All, onChanges]);
        }

        return new Subscription(this, onChanges);
    }

    public async Task PublishAsync(IReadOnlyList<RecordChange> changes)
    {
        foreach (var subscriber in subscribers.All)
        {
            try
            {
                await subscriber(changes);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A screen could not take {Count} changes", changes.Count);
            }
        }
    }

    private static Func<IReadOnlyList<RecordChange>, Task> InCultureOfSubscriber(Func<IReadOnlyList<RecordChange>, Task> onChanges)
    {
        var culture = CultureInfo.CurrentCulture;
        var uiCulture = CultureInfo.CurrentUICulture;
        return async changes =>
        {
            // An async lambda: the culture is set for this call and what it starts (the screen's InvokeAsync), not for the bus.
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
            await onChanges(changes);
        };
    }

    private void Unsubscribe(Func<IReadOnlyList<RecordChange>, Task> onChanges)
    {
        lock (gate)
        {
            subscribers = new([.. subscribers.All.Where(s => s != onChanges)]);
        }
    }

    private sealed class Subscription(LiveUpdates owner, Func<IReadOnlyList<RecordChange>, Task> onChanges) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(onChanges);
    }
}

/// <summary>Every Api instance hears every page of changes (a temporary queue of its own) and tells its screens.</summary>
public sealed class ChangesRecordedBroadcaster(LiveUpdates live, IHubContext<OfficerHub> hub) : IConsumer<ChangesRecorded>
{
    public async Task Consume(ConsumeContext<ChangesRecorded> context)
    {
        var changes = context.Message.Changes;
        await live.PublishAsync(changes);
        foreach (var byChannel in changes.Where(c => c.Channel is not null).GroupBy(c => c.Channel!))
        {
            await hub.Clients.Group(OfficerHub.GroupOf(byChannel.Key)).SendAsync("changed", byChannel.ToArray(), context.CancellationToken);
        }
    }
}
