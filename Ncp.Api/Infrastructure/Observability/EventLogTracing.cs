using System.Diagnostics;
using JasperFx.Events;
using Marten;

namespace Ncp.Api.Infrastructure.Observability;

/// <summary>
/// Carries the W3C trace context through the event log: stamped on the events an HTTP request appends,
/// restored when the subscription publishes them, so one trace runs from the request into the Worker.
/// </summary>
public static class EventLogTracing
{
    public const string SourceName = "Ncp.Api";
    public const string TraceParentHeader = "traceparent";

    public static readonly ActivitySource Source = new(SourceName);

    public static void Stamp(IDocumentSession session)
    {
        if (Activity.Current is { } activity)
        {
            session.CorrelationId = activity.TraceId.ToString();
            session.SetHeader(TraceParentHeader, activity.Id!);
        }
    }

    /// <summary>Stamps events appended away from their request (a batch), with the trace of the request that asked.</summary>
    public static void Stamp(IEnumerable<IEvent> events, string? traceParent)
    {
        if (traceParent is null || !ActivityContext.TryParse(traceParent, null, out var context))
        {
            return;
        }

        foreach (var e in events)
        {
            e.CorrelationId = context.TraceId.ToString();
            e.SetHeader(TraceParentHeader, traceParent);
        }
    }

    public static ActivityContext ParentOf(IReadOnlyDictionary<string, object>? headers) =>
        headers is not null
        && headers.TryGetValue(TraceParentHeader, out var value)
        && ActivityContext.TryParse(value?.ToString(), null, out var context)
            ? context
            : default;
}
