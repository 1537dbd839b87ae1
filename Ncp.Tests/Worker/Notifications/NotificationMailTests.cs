using MailKit;
using MailKit.Search;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Contracts.Deadlines;
using Ncp.Tests.Fixtures;
using Ncp.Worker.Infrastructure.Mail;

namespace Ncp.Tests.Worker.Notifications;

/// <summary>An escalation reaches a person's mailbox through the real Postfix and Dovecot started by the project.</summary>
[Collection(NcpCollection.Name)]
public sealed class NotificationMailTests(NcpSystem ncp)
{
    [Fact]
    public async Task The_supervisor_named_by_a_rung_finds_the_escalation_in_their_mailbox()
    {
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(subject: "Mail me " + Guid.NewGuid().ToString("N")[..6]));
        item = await duty.ActAsync(item.Number(), "send");
        var rung = item.GetProperty("deadlines").GetProperty("steps").EnumerateArray().Single(s => s.Str("name") == "reply-by:100%");

        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(
            new WakeUpDue(item.GetProperty("id").GetGuid(), rung.Str("name"), rung.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow));

        var subject = await NcpSystem.EventuallyAsync(() => FindAsync("supervisor@ncp.example", item.Number()), s => s is not null, TimeSpan.FromSeconds(60));
        Assert.Contains("reply-by:100% reached", subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_csto_items_escalation_reaches_the_cleared_supervisor_and_not_the_uncleared_duty_desk()
    {
        var supervisor = ncp.ClientFor("supervisor");
        // Register numbers repeat across test runs sharing the mail server; the subject is this test's own.
        var unique = "Compartment " + Guid.NewGuid().ToString("N")[..10];
        var item = await supervisor.RegisterAsync(ItemsApi.OutgoingRequest("CSTO-CYBER", unique));
        item = await supervisor.ActAsync(item.Number(), "send");
        var id = item.GetProperty("id").GetGuid();
        var rungs = item.GetProperty("deadlines").GetProperty("steps").EnumerateArray()
            .Where(s => s.Str("name") is "reply-by:80%" or "reply-by:100%").ToArray();
        var consumed = new ConsumeCounter();
        using var _ = ncp.Worker.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);

        // reply-by:80% names the assigned officer (none) and the duty desk; reply-by:100% the supervisor.
        foreach (var rung in rungs)
        {
            await ncp.Worker.Services.GetRequiredService<IBus>().Publish(
                new WakeUpDue(id, rung.Str("name"), rung.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow));
        }

        var subject = await NcpSystem.EventuallyAsync(() => FindAsync("supervisor@ncp.example", unique), s => s is not null, TimeSpan.FromSeconds(60));
        Assert.Contains("reply-by:100% reached", subject, StringComparison.Ordinal);
        await NcpSystem.EventuallyAsync(() => Task.FromResult(consumed.Count<EscalationRaised>(m => m.ItemId == id)), n => n == 2, TimeSpan.FromSeconds(60));
        Assert.Equal(0L, await ncp.QueryAsync<long>(
            $"select count(*) from {ncp.WorkerSchema}.notifications where recipient = 'duty@ncp.example' and subject like '%' || @unique || '%'",
            ("unique", unique)));
        Assert.Null(await FindAsync("duty@ncp.example", unique));
    }

    private async Task<string?> FindAsync(string mailbox, string inSubject)
    {
        using var imap = await MailServers.ConnectImapAsync(ncp.Servers.ImapAs(mailbox), null, CancellationToken.None);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var found = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(inSubject));
        var subject = found.Count == 0 ? null : (await imap.Inbox.GetMessageAsync(found[^1])).Subject;
        await imap.DisconnectAsync(true);
        return subject;
    }
}
