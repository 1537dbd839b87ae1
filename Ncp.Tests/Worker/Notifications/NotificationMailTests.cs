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

        var subject = await NcpSystem.EventuallyAsync(() => FindAsync("supervisor@ncp.example", item.Number()), s => s is not null, TimeSpan.FromSeconds(30));
        Assert.Contains("reply-by:100% reached", subject, StringComparison.Ordinal);
    }

    private async Task<string?> FindAsync(string mailbox, string registerNumber)
    {
        using var imap = await MailServers.ConnectImapAsync(ncp.Servers.ImapAs(mailbox), null, CancellationToken.None);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var found = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(registerNumber));
        var subject = found.Count == 0 ? null : (await imap.Inbox.GetMessageAsync(found[^1])).Subject;
        await imap.DisconnectAsync(true);
        return subject;
    }
}
