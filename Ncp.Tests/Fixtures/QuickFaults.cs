using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Mail;

namespace Ncp.Tests.Fixtures;

/// <summary>Dead letters made in a second: one quick retry per consumer, and a message the Api cannot take.</summary>
public static class QuickFaults
{
    /// <summary>One quick retry per consumer (<c>Messaging:Retry</c>), so that a message faults for good within a second.</summary>
    public static IDictionary<string, string?> WithQuickRetry(IDictionary<string, string?> settings)
    {
        settings["Messaging:Retry:Limit"] = "1";
        settings["Messaging:Retry:MinInterval"] = "00:00:00.010";
        settings["Messaging:Retry:MaxInterval"] = "00:00:00.050";
        return settings;
    }

    /// <summary>
    /// A partner's mail reported by the gateway for a partner the directory does not know (yet): the Api cannot file it,
    /// so it faults into <see cref="MailErrorQueue"/>. Entering the partner fixes the cause. Returns the inbound mail's id.
    /// </summary>
    public static async Task<Guid> ReportMailOfUnknownPartnerAsync(this NcpSystem ncp, MailPartner partner)
    {
        var inboundId = Guid.CreateVersion7();
        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(new PartnerMailReceived(
            inboundId, $"{inboundId:N}@late.example", partner.Code, partner.Address, "A partner entered late", "Hello.", null, null, [],
            partner.Scheme, "valid", null, [], null, DateTimeOffset.UtcNow));
        return inboundId;
    }

    /// <summary>What a host's readiness check says of dead letters: Healthy (none), or Degraded.</summary>
    public static async Task<string> DeadLetterHealthAsync(HttpClient client)
    {
        var body = await client.GetFromJsonAsync<JsonElement>("/health/ready");
        return body.GetProperty("checks").GetProperty("dead-letters").Str("status");
    }

    /// <summary>The Api's error queue for partners' mail in this run.</summary>
    public static string MailErrorQueue(this NcpSystem ncp) => $"{ncp.RunId}-partner-mail-received_error";
}

/// <summary><see cref="BrowserNcp"/> (the Api on a real port) with the quick retry of <see cref="QuickFaults"/>.</summary>
public sealed class QuickFaultBrowserNcp : BrowserNcp
{
    protected override IDictionary<string, string?> SharedOverrides(IDictionary<string, string?> settings) =>
        QuickFaults.WithQuickRetry(settings);
}

[CollectionDefinition(Name)]
public sealed class QuickFaultBrowserCollection : ICollectionFixture<QuickFaultBrowserNcp>, ICollectionFixture<Browser>
{
    public const string Name = "browser-quick-fault";
}
