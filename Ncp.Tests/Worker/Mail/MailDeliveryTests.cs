using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Ncp.Contracts.Deadlines;
using Ncp.Contracts.Mail;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Partners;
using Ncp.Worker.Mail.Outgoing;
using Ncp.Worker.Partners;

namespace Ncp.Tests.Worker.Mail;

/// <summary>Reliability of outgoing mail: one mail per request however often it is asked, the same mail after a crash, reminders in the thread.</summary>
[Collection(NcpCollection.Name)]
public sealed class MailDeliveryTests(NcpSystem ncp)
{
    [Fact]
    public async Task A_request_delivered_twice_is_one_mail_and_a_resend_after_a_crash_is_the_same_mail()
    {
        var de = await ncp.PartnerAsync("de");
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(de.Code, "Asked for twice"));
        var request = Request(item, de, "Asked for twice");
        var bus = ncp.Worker.Services.GetRequiredService<IBus>();
        var consumed = new ConsumeCounter();
        using var observer = ncp.Worker.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);

        await Task.WhenAll(bus.Publish(request), bus.Publish(request));
        var messageId = $"{request.DispatchId:N}@ncp.example";
        var first = await ncp.FetchAsync("de@partner.example", messageId);
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<bool>($"select reported from {ncp.WorkerSchema}.dispatches where dispatch_id = @id", ("id", request.DispatchId)), r => r);
        // A third delivery, late: once the Worker has handled it, nothing may have followed.
        await bus.Publish(request);
        await NcpSystem.EventuallyAsync(() => Task.FromResult(consumed.Count<PartnerMailRequested>(r => r.DispatchId == request.DispatchId)), n => n == 3);
        Assert.Equal(1, await ncp.CountAsync("de@partner.example", messageId));
        Assert.Equal(1L, await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.dispatches where item_id = @id", ("id", request.ItemId)));

        // The Worker died after the SMTP server took the mail and before it wrote that down: the ledger says "pending".
        await ncp.QueryAsync<int?>(
            $"update {ncp.WorkerSchema}.dispatches set status = 'pending', next_attempt_at = now(), reported = false where dispatch_id = @id", ("id", request.DispatchId));
        await NcpSystem.EventuallyAsync(() => ncp.CountAsync("de@partner.example", messageId), n => n == 2);

        var copies = await ncp.FetchAllAsync("de@partner.example", messageId);
        Assert.Equal(2, copies.Count);
        Assert.All(copies, c => Assert.Equal(messageId, MimeMessage.Load(new MemoryStream(c)).MessageId));
        Assert.Equal(Body(copies[0]), Body(copies[1]));
        var sent = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{item.Number()}"), i => i.GetProperty("mail").GetArrayLength() > 0);
        Assert.Single(sent.GetProperty("mail").EnumerateArray());
        _ = first;
    }

    [Fact]
    public async Task Deliveries_of_one_request_at_the_same_moment_record_it_once_and_none_fails()
    {
        var de = await ncp.PartnerAsync("de");
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(de.Code, "Asked for at once"));
        var request = Request(item, de, "Asked for at once");
        var ledger = ncp.Worker.Services.GetRequiredService<DispatchLedger>();

        // Inserted side by side, the copies can meet first on message_id's unique index rather than on dispatch_id's.
        var recorded = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => ledger.RecordAsync(request, CancellationToken.None))));

        Assert.Single(recorded, r => r);
    }

    internal static PartnerMailRequested Request(JsonElement item, MailPartner partner, string subject) => new(
        Guid.NewGuid(), item.GetProperty("id").GetGuid(), item.Number(), "request", partner.Code, [partner.Address], "smime", false, "en",
        new MailContent("request", subject, null, "urgent", false, null, null, null, ["subscriber-data"], "203.0.113.7", null, null, null, null,
            new MailContact("Duty officer", "ncp@ncp.example", "+7 717 000 00 00", "Asia/Almaty")),
        [], DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_rung_that_says_so_reminds_the_partner_in_the_same_thread()
    {
        var (duty, sent, original) = await SentAsync("Remind them");

        await RungAsync(sent);

        var reminder = await RemindersAsync(duty, sent.Number(), 1);
        AssertReminderInThread(reminder[0], sent.Number(), original, original);
    }

    [Fact]
    public async Task An_officer_reminds_the_partner_now_and_a_later_rung_reminds_again_as_a_mail_of_its_own()
    {
        var (duty, sent, original) = await SentAsync("Remind them now");

        var reminded = await duty.ActAsync(sent.Number(), "remind", new { reason = "Their desk asked us to resend" });
        Assert.Equal(JsonValueKind.String, reminded.GetProperty("lastRemindedAt").ValueKind);
        AssertReminderInThread((await RemindersAsync(duty, sent.Number(), 1))[0], sent.Number(), original, original);

        // The ledger keys a mail by the event that asked for it, so a second reminder of the same item is a mail of its own.
        await RungAsync(sent);
        var both = await RemindersAsync(duty, sent.Number(), 2);
        Assert.NotEqual(both[0].MessageId, both[1].MessageId);
        AssertReminderInThread(both[1], sent.Number(), original, inReplyTo: both[0].MessageId!);
    }

    private async Task<(HttpClient Duty, JsonElement Sent, string Original)> SentAsync(string subject)
    {
        var de = await ncp.PartnerAsync("de");
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(de.Code, subject));
        await duty.ActAsync(item.Number(), "send");
        var sent = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{item.Number()}"), i => i.GetProperty("mail").EnumerateArray().Any(m => m.Str("status") == "sent"), TimeSpan.FromSeconds(60));
        return (duty, sent, sent.GetProperty("mail")[0].Str("messageId"));
    }

    private Task RungAsync(JsonElement sent)
    {
        var rung = sent.GetProperty("deadlines").GetProperty("steps").EnumerateArray().First(s => s.GetProperty("remindPartner").GetBoolean());
        return ncp.Worker.Services.GetRequiredService<IBus>().Publish(
            new WakeUpDue(sent.GetProperty("id").GetGuid(), rung.Str("name"), rung.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow));
    }

    /// <summary>The reminders the partner's mailbox received for the item, oldest first, once there are <paramref name="count"/>.</summary>
    private async Task<MimeMessage[]> RemindersAsync(HttpClient duty, string number, int count)
    {
        var item = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{number}"),
            i => i.GetProperty("mail").EnumerateArray().Count(m => m.Str("purpose") == "reminder" && m.Str("status") == "sent") == count, TimeSpan.FromSeconds(60));
        var ids = item.GetProperty("mail").EnumerateArray().Where(m => m.Str("purpose") == "reminder").Select(m => m.Str("messageId"));
        var mails = new List<MimeMessage>();
        foreach (var id in ids)
        {
            mails.Add(MimeMessage.Load(new MemoryStream(await ncp.FetchAsync("de@partner.example", id))));
        }

        return [.. mails];
    }

    private static void AssertReminderInThread(MimeMessage reminder, string number, string original, string inReplyTo)
    {
        Assert.Equal(inReplyTo, reminder.InReplyTo);
        Assert.Contains(original, reminder.References);
        Assert.StartsWith($"[{number}] Reminder:", reminder.Subject, StringComparison.Ordinal);
    }

    private static string Body(byte[] mail)
    {
        var message = MimeMessage.Load(new MemoryStream(mail));
        using var body = new MemoryStream();
        message.Body!.WriteTo(body);
        return Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(body.ToArray()));
    }
}

/// <summary>The NCP's mail server is down: the gateway retries with growing pauses, then says "not delivered" on the item.</summary>
public sealed class SmtpDownNcp : NcpSystem
{
    protected override void WorkerOverrides(IDictionary<string, string?> settings)
    {
        settings["Smtp:Port"] = "9"; // discard port: nothing listens on it here
        settings["Mail:MaxSendAttempts"] = "3";
        settings["Mail:FirstBackoff"] = "00:00:00.200";
    }
}

[CollectionDefinition(Name)]
public sealed class SmtpDownCollection : ICollectionFixture<SmtpDownNcp>
{
    public const string Name = "smtp-down";
}

[Collection(SmtpDownCollection.Name)]
public sealed class SmtpDownTests(SmtpDownNcp ncp)
{
    [Fact]
    public async Task When_the_mail_server_is_down_the_item_shows_not_delivered_after_the_retries()
    {
        var de = await ncp.PartnerAsync("de");
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(de.Code, "Nobody is listening"));
        await duty.ActAsync(item.Number(), "send");

        var failed = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{item.Number()}"), i => i.GetProperty("delivery").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(60));

        Assert.Equal("not-delivered", failed.Str("delivery"));
        Assert.StartsWith("smtp-failed", failed.GetProperty("mail")[0].Str("detail"), StringComparison.Ordinal);
        Assert.Contains(failed.GetProperty("timeline").EnumerateArray(), e => e.Str("what") == "mail-not-delivered" && e.Str("text").Contains("after 3 attempt", StringComparison.Ordinal));
    }
}

/// <summary>Few attempts and short pauses, so that a mail that keeps failing is given up on within seconds.</summary>
public sealed class FewAttemptsNcp : NcpSystem
{
    protected override void WorkerOverrides(IDictionary<string, string?> settings)
    {
        settings["Mail:MaxSendAttempts"] = "2";
        settings["Mail:KeyWaitAttempts"] = "2";
        settings["Mail:FirstBackoff"] = "00:00:00.200";
        // One lane: the mails recorded together are claimed, built and sent in one round.
        settings["Mail:SmtpSessions"] = "1";
        // Small enough for a few hundred kB of files to be too large (TooLargeMailTests); the other mails here are a few kB.
        settings["Mail:Limits:MaxOutgoingBytes"] = "262144";
    }
}

[CollectionDefinition(Name)]
public sealed class FewAttemptsCollection : ICollectionFixture<FewAttemptsNcp>
{
    public const string Name = "few-attempts";
}

/// <summary>A mail that cannot be built fails alone: counted, given up on after its attempts, reported in words; the others go.</summary>
[Collection(FewAttemptsCollection.Name)]
public sealed class BuildFailureTests(FewAttemptsNcp ncp, PartnerKeyTests.Kit kit) : IClassFixture<PartnerKeyTests.Kit>
{
    // "garbage": bytes that are no certificate, which the crypto libraries throw on (a bug's stand-in); "dsa": a key that
    // passed no check of today's, which mail cannot be encrypted to. Both went into the Worker's ring without the Api.
    [Theory]
    [InlineData("garbage", "cannot-build", "The mail could not be signed and encrypted because of an unexpected error")]
    [InlineData("dsa", "unusable-partner-key", "cannot be encrypted to its certificate (CN=nl@partner.example): its key is DSA")]
    public async Task A_mail_that_cannot_be_built_is_not_delivered_after_its_attempts_and_the_rest_of_its_round_is_sent(
        string key, string reason, string words)
    {
        var de = await ncp.PartnerAsync("de");
        var bad = new MailPartner($"{ncp.RunId.ToUpperInvariant()}-BAD-{key.ToUpperInvariant()}", "nl@partner.example", "smime");
        await MailGateway.RegisterAsync(ncp.ClientFor("admin"), bad, "en");
        var now = DateTimeOffset.UtcNow;
        var material = key == "garbage"
            ? "not a certificate"u8.ToArray()
            : X509Certificate2.CreateFromPem(
                await kit.CertificateAsync(bad.Address, now.AddDays(-1), now.AddYears(1), key: key, keyUsage: "digitalSignature")).RawData;
        await ncp.Worker.Services.GetRequiredService<PartnerBook>().SaveKeyAsync(
            bad.Code, Convert.ToHexString(SHA1.HashData(material)), "smime", material, now.AddYears(1), now, CancellationToken.None);
        var stuck = await RequestAsync(bad, "Cannot be built");
        var fine = await RequestAsync(de, "Built beside it");
        var ledger = ncp.Worker.Services.GetRequiredService<DispatchLedger>();

        // Recorded together, so that one claim of the ledger takes both.
        await ledger.RecordAsync(stuck, CancellationToken.None);
        await ledger.RecordAsync(fine, CancellationToken.None);

        Assert.NotEmpty(await ncp.FetchAsync(de.Address, ledger.MessageIdFor(fine.DispatchId)));
        var failed = await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync($"/api/items/{stuck.RegisterNumber}"),
            i => i.GetProperty("delivery").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(60));
        Assert.Equal("not-delivered", failed.Str("delivery"));
        var detail = failed.GetProperty("mail")[0].Str("detail");
        Assert.StartsWith($"{reason}: ", detail, StringComparison.Ordinal);
        Assert.Contains(words, detail, StringComparison.Ordinal);
        Assert.Contains(failed.GetProperty("timeline").EnumerateArray(),
            e => e.Str("what") == "mail-not-delivered" && e.Str("text").Contains("after 2 attempt(s)", StringComparison.Ordinal));
        var ledgerRow = await ncp.QueryRowsAsync(
            $"select status, attempts from {ncp.WorkerSchema}.dispatches where dispatch_id = @id", ("id", stuck.DispatchId));
        Assert.Equal(["failed", 2], ledgerRow[0]);
    }

    private async Task<PartnerMailRequested> RequestAsync(MailPartner partner, string subject)
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(partner.Code, subject));
        return MailDeliveryTests.Request(item, partner, subject);
    }
}
