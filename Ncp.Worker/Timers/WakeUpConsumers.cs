using MassTransit;
using Ncp.Contracts.Deadlines;
using Ncp.Conventions;

namespace Ncp.Worker.Timers;

/// <summary>Schedules or moves a wake-up. Idempotent: the same request twice leaves one row with the same due time.</summary>
public sealed class WakeUpRequestedConsumer(TimerStore store, TimerLoop loop) : IConsumer<WakeUpRequested>
{
    public async Task Consume(ConsumeContext<WakeUpRequested> context)
    {
        var m = context.Message;
        if (await store.ScheduleAsync(m.ItemId, m.Step, m.DueAt, m.RequestedAt, context.CancellationToken))
        {
            loop.Nudge();
        }
    }
}

/// <summary>Cancels a pending wake-up. Idempotent: cancelling twice, or after it fired, does nothing.</summary>
public sealed class WakeUpCancelledConsumer(TimerStore store) : IConsumer<WakeUpCancelled>
{
    public Task Consume(ConsumeContext<WakeUpCancelled> context) =>
        store.CancelAsync(context.Message.ItemId, context.Message.Step, context.Message.RequestedAt, context.CancellationToken);
}

public sealed class WakeUpRequestedConsumerDefinition() : RetryingConsumerDefinition<WakeUpRequestedConsumer>(concurrentMessages: 16);

public sealed class WakeUpCancelledConsumerDefinition() : RetryingConsumerDefinition<WakeUpCancelledConsumer>(concurrentMessages: 16);
