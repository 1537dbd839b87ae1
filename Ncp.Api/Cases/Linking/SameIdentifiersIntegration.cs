using JasperFx.Events;
using Marten;
using MassTransit;
using Ncp.Api.Infrastructure.Messaging;
using Ncp.Conventions;

namespace Ncp.Api.Cases.Linking;

/// <summary>The item's identifiers were recorded or changed: it is to be linked to the open items sharing them. Api-internal.</summary>
public sealed record IdentifiersRecorded(Guid ItemId, DateTimeOffset At);

/// <summary>
/// Linking by identifiers follows the event log, so that a link is never lost: a registration, a change of details and a
/// reopening that carry identifiers ask for it from the event that committed them, at least once, whatever happens to the
/// request (or the mail consumer) that made them. Endpoints still link at once to answer with the links; the second look
/// finds nothing new (<see cref="WorkItemDecider"/> records a link once).
/// </summary>
public sealed class SameIdentifiersIntegration : IIntegrationEvents
{
    public async ValueTask<IReadOnlyList<object>> MessagesOfAsync(IEvent @event, IDocumentOperations operations, CancellationToken ct) =>
        @event.Data switch
        {
            ItemRegistered e when HasIdentifiers(e.Fields) => [new IdentifiersRecorded(e.ItemId, e.At)],
            ItemDetailsChanged e when HasIdentifiers(e.Fields) => [new IdentifiersRecorded(e.ItemId, e.At)],
            // An ended item counted for nothing; open again, it meets what came meanwhile.
            ItemReopened e when await operations.LoadAsync<ItemDetails>(e.ItemId, ct) is { IdentifierKeys.Length: > 0 } =>
                [new IdentifiersRecorded(e.ItemId, e.At)],
            _ => [],
        };

    private static bool HasIdentifiers(ItemFields fields) => fields.Content is { Identifiers.Length: > 0 };
}

/// <summary>Idempotent: <see cref="SameIdentifiers.LinkAsync"/> records only the links the item does not have yet.</summary>
public sealed class IdentifiersRecordedConsumer(SameIdentifiers sameIdentifiers) : IConsumer<IdentifiersRecorded>
{
    public Task Consume(ConsumeContext<IdentifiersRecorded> context) =>
        sameIdentifiers.LinkAsync(context.Message.ItemId, context.CancellationToken);
}

public sealed class IdentifiersRecordedConsumerDefinition() : RetryingConsumerDefinition<IdentifiersRecordedConsumer>;
