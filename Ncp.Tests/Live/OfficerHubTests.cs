using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Contracts.Deadlines;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Live;

/// <summary>Escalations reach officers' screens live, and only the screens cleared for the item's channel.</summary>
[Collection(NcpCollection.Name)]
public sealed class OfficerHubTests(NcpSystem ncp)
{
    [Fact]
    public async Task An_escalation_appears_live_on_every_cleared_screen_and_a_CSTO_one_only_on_cleared_screens()
    {
        await using var duty = await ConnectAsync("duty");
        await using var supervisor = await ConnectAsync("supervisor");
        var open = await EscalateAsync(ItemsApi.OutgoingRequest());
        var csto = await EscalateAsync(ItemsApi.OutgoingRequest("CSTO-CYBER"));

        await NcpSystem.EventuallyAsync(() => Task.FromResult(supervisor.Saw(csto) && supervisor.Saw(open) && duty.Saw(open)), seen => seen);
        Assert.False(duty.Saw(csto));
    }

    [Fact]
    public async Task The_live_channel_refuses_a_caller_without_a_token()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(ncp.Api.Server.BaseAddress, "hubs/officers"), o =>
            {
                o.HttpMessageHandlerFactory = _ => ncp.Api.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
            })
            .Build();

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private async Task<string> EscalateAsync(System.Text.Json.Nodes.JsonObject body)
    {
        var client = ncp.ClientFor("supervisor");
        var item = await client.RegisterAsync(body);
        item = await client.ActAsync(item.Number(), "send");
        var rung = item.GetProperty("deadlines").GetProperty("steps")[0];
        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(
            new WakeUpDue(item.GetProperty("id").GetGuid(), rung.Str("name"), rung.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow));
        return item.Number();
    }

    private async Task<Screen> ConnectAsync(string login)
    {
        var token = ncp.Api.Services.GetRequiredService<DevelopmentSignIn>().Issue(DevelopmentSignIn.Users.Single(u => u.Login == login));
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(ncp.Api.Server.BaseAddress, "hubs/officers"), o =>
            {
                o.HttpMessageHandlerFactory = _ => ncp.Api.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        var screen = new Screen(connection);
        connection.On<JsonElement>("escalation", notice => screen.Numbers.Add(notice.Str("registerNumber")));
        await connection.StartAsync();
        return screen;
    }

    private sealed class Screen(HubConnection connection) : IAsyncDisposable
    {
        public ConcurrentBag<string> Numbers { get; } = [];

        public bool Saw(string number) => Numbers.Contains(number);

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
