using JasperFx.Events;
using Marten;

namespace Ncp.Api.Infrastructure.Messaging;

/// <summary>
/// What the rest of the system hears of a feature's events: each feature maps its own events beside them (the publisher
/// knows none of them). An event most maps pass over yields nothing; the messages of one event keep the order of the maps
/// and of each map's list, so a redelivered page makes the same message ids.
/// </summary>
public interface IIntegrationEvents
{
    /// <summary>The messages for <paramref name="event"/>; <paramref name="operations"/> reads what the message needs beyond the event.</summary>
    ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct);
}
