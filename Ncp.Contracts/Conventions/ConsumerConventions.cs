// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): every consumer of both processes retries the same way
// unless its definition says why it should not.
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Ncp.Conventions;

/// <summary>
/// A consumer's endpoint settings with the house retry: ten tries in memory, from 100 ms growing to 30 s with jitter
/// (about three minutes in all), which outlasts a database failover, a lock held by a slow transaction and the
/// concurrency conflicts of many messages about one item arriving together. What still faults after that is a fault of
/// the message, not of the moment: it goes to the endpoint's error queue, where the dead-letter watch shows it.
/// </summary>
public class RetryingConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected RetryingConsumerDefinition(int concurrentMessages = 8) => ConcurrentMessageLimit = concurrentMessages;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        // Order matters: what Configure adds (a partitioner) comes before the retry, so a retried message keeps its place.
        Configure(endpoint);
        var retry = context.GetService<ConsumerRetrySettings>() ?? new ConsumerRetrySettings();
        endpoint.UseMessageRetry(r => r.Exponential(retry.Limit, retry.MinInterval, retry.MaxInterval, retry.IntervalDelta));
    }

    /// <summary>Anything the consumer needs beyond the retry (a partitioner).</summary>
    protected virtual void Configure(IReceiveEndpointConfigurator endpoint)
    {
    }
}

/// <summary><c>Messaging:Retry</c>: the house retry of <see cref="RetryingConsumerDefinition{TConsumer}"/>; the defaults are the production values.</summary>
public sealed class ConsumerRetrySettings
{
    public const string Section = "Messaging:Retry";

    public int Limit { get; set; } = 10;

    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan IntervalDelta { get; set; } = TimeSpan.FromMilliseconds(250);
}
