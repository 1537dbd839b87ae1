using System.Collections.Concurrent;
using MassTransit;

namespace Ncp.Tests.Fixtures;

/// <summary>Watches a real bus: every message a consumer finished with, so a test can wait for deliveries instead of sleeping.</summary>
public sealed class ConsumeCounter : IConsumeObserver
{
    private readonly ConcurrentQueue<(Guid? MessageId, object Message)> consumed = new();

    public int Count(Guid messageId) => consumed.Count(c => c.MessageId == messageId);

    public int Count<T>(Func<T, bool> match) => consumed.Count(c => c.Message is T m && match(m));

    /// <summary>The messages of a type that consumers finished with, in the order they finished.</summary>
    public T[] Consumed<T>() => [.. consumed.Select(c => c.Message).OfType<T>()];

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        consumed.Enqueue((context.MessageId, context.Message));
        return Task.CompletedTask;
    }

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
