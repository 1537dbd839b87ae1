using MassTransit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Api.Infrastructure.Http;
using Ncp.Contracts.Deadlines;

namespace Ncp.Api.Live;

/// <summary>What an officer's screen is told the moment it happens.</summary>
public sealed record EscalationNotice(string RegisterNumber, string Subject, string Step, DateTimeOffset DueAt, string[] Notify, string SuggestedAction, string Channel);

/// <summary>
/// The officers' live channel (SignalR). A connection joins one group per channel the officer may see, so CSTO
/// escalations reach only cleared screens.
/// </summary>
[Authorize(Policy = Policies.Read)]
public sealed class OfficerHub(Compartments compartments) : Hub
{
    public const string Path = "/hubs/officers";

    public static string GroupOf(string channel) => "channel:" + channel;

    public override async Task OnConnectedAsync()
    {
        foreach (var channel in compartments.ChannelsOf(Context.User!))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(ApiEnum<Channel>.NameOf(channel)));
        }

        await base.OnConnectedAsync();
    }
}

/// <summary>
/// Every Api instance hears every escalation (a temporary queue of its own) and tells the screens connected to it.
/// </summary>
public sealed class EscalationRaisedBroadcaster(IHubContext<OfficerHub> hub) : IConsumer<EscalationRaised>
{
    public Task Consume(ConsumeContext<EscalationRaised> context)
    {
        var m = context.Message;
        return hub.Clients.Group(OfficerHub.GroupOf(m.Channel)).SendAsync(
            "escalation",
            new EscalationNotice(m.RegisterNumber, m.Subject, m.Step, m.DueAt, m.Notify, m.SuggestedAction, m.Channel),
            context.CancellationToken);
    }
}

/// <summary>
/// A push to the screens is worth a few quick tries and nothing more: a screen missed now refreshes on its next change or
/// reconnect, and a temporary queue's error queue would outlive the instance, so what still fails is dropped (logged).
/// </summary>
public sealed class BroadcasterDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        endpoint.DiscardFaultedMessages();
        endpoint.UseMessageRetry(r => r.Intervals(100, 500, 2000));
    }
}
