using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Live;
using Ncp.Contracts.Live;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Live;

/// <summary>Screens hear what changed, from the event log through the bus, without reloading.</summary>
[Collection(NcpCollection.Name)]
public sealed class LiveUpdatesTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_registration_and_a_note_reach_a_watching_screen_with_the_register_number_and_channel()
    {
        var seen = new ConcurrentQueue<RecordChange>();
        using var watching = ncp.Api.Services.GetRequiredService<LiveUpdates>().Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                seen.Enqueue(change);
            }

            return Task.CompletedTask;
        });
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest());
        await duty.ActAsync(item.Number(), "notes", new { text = "Called the partner duty desk." });

        await NcpSystem.EventuallyAsync(
            () => Task.FromResult(seen.Where(c => c.RegisterNumber == item.Number()).Select(c => c.What).ToArray()),
            whats => whats.Contains("item-registered") && whats.Contains("note-added"));
        var registered = seen.First(c => c.RegisterNumber == item.Number() && c.What == "item-registered");
        Assert.Equal("item", registered.Kind);
        Assert.Equal(item.GetProperty("id").GetGuid(), registered.Id);
        Assert.Equal("24-7", registered.Channel);
    }
}
