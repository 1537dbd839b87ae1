using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Infrastructure.Messaging;

/// <summary>
/// A message that still faults after its retries is not lost where no one looks: it waits in its error queue, counted on
/// the dashboard and in health, listed with its reason for administrators, told to the duty desk once, and moved back
/// (redriven) once its cause is fixed, after which it does what it should have done.
/// </summary>
[Collection(QuickFaultCollection.Name)]
public sealed class DeadLetterTests(QuickFaultNcp ncp)
{
    [Fact]
    public async Task A_faulted_message_is_shown_told_and_redriven_once_its_cause_is_fixed()
    {
        // A partner's mail reported for a partner the directory does not know yet: the Api cannot file it.
        var partner = new MailPartner($"{ncp.RunId.ToUpperInvariant()}-LATE", "desk@late.example", "smime");
        var inboundId = await ncp.ReportMailOfUnknownPartnerAsync(partner);
        var admin = ncp.ClientFor("admin");
        var queue = ncp.MailErrorQueue();

        var list = await NcpSystem.EventuallyAsync(() => admin.GetJsonAsync("/api/dead-letters"), l => l.GetProperty("total").GetInt64() >= 1, TimeSpan.FromSeconds(60));
        var letters = list.GetProperty("queues").EnumerateArray().Single(q => q.Str("queue") == queue).GetProperty("letters");
        var letter = letters.EnumerateArray().Single();
        Assert.Contains("does not know", letter.Str("reason"), StringComparison.Ordinal);
        Assert.Equal("Ncp.Contracts.Mail.PartnerMailReceived", letter.Str("messageType"));
        using (var duty = await ncp.ClientFor("duty").GetAsync("/api/dead-letters"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, duty.StatusCode);
        }

        Assert.True((await admin.GetJsonAsync("/api/dashboard")).GetProperty("deadLetters").GetInt64() >= 1);
        await NcpSystem.EventuallyAsync(
            () => QuickFaults.DeadLetterHealthAsync(ncp.Worker.CreateClient()), status => status == "Degraded", TimeSpan.FromSeconds(60));
                var metrics = await ncp.Worker.CreateClient().GetStringAsync("/metrics");
        Assert.Matches($@"(?m)^ncp_dead_letters\{{[^}}]*prefix=""{ncp.RunId}""[^}}]*\}} [1-9]", metrics);
        Assert.Matches($@"(?m)^ncp_queue_depth\{{[^}}]*queue=""{queue}""[^}}]*\}} [1-9]", metrics);
        var told = await NcpSystem.EventuallyAsync(
            () => ncp.QueryRowsAsync($"select recipient, body from {ncp.WorkerSchema}.notifications where subject like '%failed after every retry%'"),
            rows => rows.Count > 0, TimeSpan.FromSeconds(60));
        Assert.Equal("duty@ncp.example", told[0][0]);
        Assert.Contains("does not know", (string)told[0][1]!, StringComparison.Ordinal);

        // Fixed: the partner is entered; moved back, the mail opens its item and the queue is empty.
        await MailGateway.RegisterAsync(admin, partner, "en");
        var moved = await ItemsApi.ExpectAsync(await admin.PostAsync($"/api/dead-letters/{queue}/redrive", null), HttpStatusCode.OK);
        Assert.Equal(1, moved.GetProperty("moved").GetInt32());
        await ncp.RecordedByApiAsync(inboundId);
        await NcpSystem.EventuallyAsync(
            () => QuickFaults.DeadLetterHealthAsync(ncp.Api.CreateClient()), status => status == "Healthy", TimeSpan.FromSeconds(60));
        Assert.Equal(1L, await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.dead_letter_alarms"));

        using var foreign = await admin.PostAsync("/api/dead-letters/some-other-queue/redrive", null);
        Assert.Equal("queue", (await ItemsApi.ExpectAsync(foreign, HttpStatusCode.NotFound)).Str("field"));
    }
}

/// <summary>The system with one quick retry per consumer, so that a message faults for good within a second.</summary>
public sealed class QuickFaultNcp : NcpSystem
{
    protected override IDictionary<string, string?> SharedOverrides(IDictionary<string, string?> settings) =>
        QuickFaults.WithQuickRetry(settings);
}

[CollectionDefinition(Name)]
public sealed class QuickFaultCollection : ICollectionFixture<QuickFaultNcp>
{
    public const string Name = "quick-fault";
}
