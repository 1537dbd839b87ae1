using JasperFx.Events.Projections;

namespace Ncp.Api.Infrastructure.Marten;

public static class ProjectionFilters
{
    public static void IncludeTypes(this IEventFilterable projection, IEnumerable<Type> eventTypes)
    {
        foreach (var type in eventTypes)
        {
            projection.IncludeType(type);
        }
    }
}
