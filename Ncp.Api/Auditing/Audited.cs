using System.Collections.Concurrent;
using System.Reflection;
using Ncp.Api.Cases;

namespace Ncp.Api.Auditing;

/// <summary>
/// Marks a read as audited: once the handler has answered, one entry says who asked what (the route's values and the
/// query string: a list's filters, a search's words) and how it ended. Written before the answer leaves, so a read whose
/// entry cannot be written is not served.
/// </summary>
public static class Audited
{
    public static RouteHandlerBuilder AuditedAs(this RouteHandlerBuilder endpoint, string action) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var trail = http.RequestServices.GetRequiredService<AuditTrail>();
            object? result;
            try
            {
                result = await next(context);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await RecordAsync(trail, http, action, $"{AuditTrail.Failure}: {e.GetType().Name}", null);
                throw;
            }

            if (result is INestedHttpResult nested)
            {
                result = nested.Result;
            }

            var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
            await RecordAsync(trail, http, action, status < 400 ? AuditTrail.Success : $"{AuditTrail.Failure}: {status}", ChannelOf(result));
            return result;
        });

    /// <summary>A resource that names its channel (a quarantined mail, say) makes the entry one of that channel.</summary>
    private static Channel? ChannelOf(object? result) =>
        result is IValueHttpResult { Value: { } value } ? ChannelProperty.GetOrAdd(value.GetType(), Find)?.GetValue(value) as Channel? : null;

    private static readonly ConcurrentDictionary<Type, PropertyInfo?> ChannelProperty = new();

    private static PropertyInfo? Find(Type type) =>
        type.GetProperty("Channel") is { } p && (p.PropertyType == typeof(Channel) || p.PropertyType == typeof(Channel?)) ? p : null;

    private static Task RecordAsync(AuditTrail trail, HttpContext http, string action, string outcome, Channel? resourceChannel)
    {
        var route = http.Request.RouteValues;
        var number = route.TryGetValue("number", out var n) ? n?.ToString() : null;
        var others = route.Where(r => r.Key != "number").Select(r => $"{r.Key}={r.Value}");
        var query = http.Request.Query.Select(q => $"{q.Key}={q.Value}");
        var detail = string.Join("&", others.Concat(query));
        return trail.RecordAsync(
            http, action, number, resourceChannel ?? AuditTrail.ChannelAskedFor(http), detail.Length == 0 ? null : detail, outcome, CancellationToken.None);
    }
}
