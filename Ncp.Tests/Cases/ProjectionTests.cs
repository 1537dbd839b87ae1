using JasperFx.Events;
using Ncp.Api.Cases;

namespace Ncp.Tests.Cases;

public sealed class ProjectionTests
{
    private static readonly Actor Officer = new("officer-1", "Officer One");
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.CreateVersion7();

    private static readonly ItemFields Fields = new(
        "DE-CYBER247", "DE", Channel.TwentyFourSeven, "Логи IP для Хасанова", CrimeCategory.InternetFraud, Priority.High, "261500031000123", "Convention on Cybercrime, art. 29",
        [RequestedData.TrafficData], new DataPeriod(new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31)), "en", HandlingCode.Open, null, Now.AddDays(3));

    [Fact]
    public void The_item_read_model_follows_the_stream_with_its_version_and_search_text()
    {
        var events = new object[]
        {
            new ItemRegistered(Id, "KZ-NCP-2026-000007", WorkItemKind.Request, Direction.Outgoing, Fields, Officer, Now),
            new ItemSent(Id, Officer, Now.AddMinutes(5)),
            new ItemAcknowledged(Id, "BKA-77", Officer, Now.AddHours(1)),
            new AnswerRecorded(Id, AnswerExtent.Partial, "Part", Officer, Now.AddHours(5)),
            new AnswerRecorded(Id, AnswerExtent.Full, "Rest", Officer, Now.AddHours(9)),
            new ItemClosed(Id, "Done", Officer, Now.AddHours(10)),
        };

        var projection = new ItemDetailsProjection();
        ItemDetails? details = null;
        for (var i = 0; i < events.Length; i++)
        {
            details = projection.Evolve(details, Id, Wrap(events[i], i + 1));
        }


        Assert.Equal(WorkItemStatus.Closed, details!.Status);
        Assert.False(details.IsOpen);
        Assert.Equal(6, details.Version);
        Assert.Equal(Now.AddHours(5), details.FirstAnswerAt);
        Assert.Equal(Now.AddMinutes(5), details.SentAt);
        Assert.Equal("BKA-77", details.PartnerReference);
        Assert.Equal("Convention on Cybercrime, art. 29", details.LegalBasis);
        Assert.Contains(Transliteration.ForSearch("Khasanova"), details.SearchText, StringComparison.Ordinal);
        Assert.Contains("bka-77", details.SearchText, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_item_event_has_a_line_on_the_timeline()
    {
        foreach (var type in WorkItemEvents.All)
        {
            var constructor = type.GetConstructors().Single();
            var data = constructor.Invoke([.. constructor.GetParameters().Select(p => Sample(p.ParameterType))]);
            var timeline = new ItemTimelineProjection().Evolve(null, Id, Wrap(data, 1));
            Assert.True(timeline.Entries.Length == 1, $"{type.Name} leaves no line on the timeline");
        }
    }

    private static object? Sample(Type type) =>
        type == typeof(string) ? "sample"
        : type == typeof(Actor) ? Officer
        : type == typeof(ItemFields) ? Fields
        : type == typeof(Ncp.Api.Deadlines.ItemDeadlines) ? new Ncp.Api.Deadlines.ItemDeadlines("p", Now, Now, Now, null, [])
        : type.IsArray ? Array.CreateInstance(type.GetElementType()!, 0)
        : type.IsValueType ? Activator.CreateInstance(type)
        : null;

    private static IEvent Wrap(object data, long version)
    {
        var wrapped = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
        wrapped.Version = version;
        wrapped.Timestamp = Now;
        return wrapped;
    }
}
