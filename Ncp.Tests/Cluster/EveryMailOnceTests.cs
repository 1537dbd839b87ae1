using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailKit;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Partners;
using Ncp.Worker.Infrastructure.Mail;
using Xunit.Abstractions;

namespace Ncp.Tests.Cluster;

/// <summary>
/// Issue 19's other two promises under kill -9 on the cluster of <c>./ncp up --cluster</c>: no mail to a partner is sent
/// twice, and every rung that falls due fires once. Requests go out to a partner whose mailbox is on the cluster's own
/// Dovecot while a Worker, an Api and a RabbitMQ node are killed; the partner's inbox and the duty desk's are then read
/// over IMAP. A kill between the SMTP server taking a mail and the ledger writing it down makes the other Worker hand the
/// same bytes over again: that cannot be closed at the SMTP boundary, so the promise checked is the one a partner sees,
/// one Message-ID per mail (a repeat of it is counted and printed, never a second, different mail). Run by
/// <c>./ncp test --cluster</c> only.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class EveryMailOnceTests(ITestOutputHelper output)
{
    // Mailboxes of the cluster's Postfix/Dovecot (infra/mail/mail.sh); the Worker's notifications go to the duty desk,
    // the only person the cluster's Worker knows (Notifications:DutyMailbox).
    private const string PartnerMailbox = "nl@partner.example";
    private const string DutyMailbox = "duty@ncp.example";

    // Items whose partner set a reply-by minutes away: the ladder's rungs at 50%, 80% and 100% of it fall due while the
    // kills go on, one item's every 20 s after the previous one's.
    private const int Clocked = 8;
    private static readonly TimeSpan FirstReplyBy = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan ReplyBySpacing = TimeSpan.FromSeconds(20);

    // A mail a killed Worker had claimed waits for its lease to run out (DispatchLoop.Lease, 2 min) before the other
    // Worker sends it.
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(200);
    private readonly RunningCluster cluster = new();

    [Fact]
    public async Task Killing_Workers_an_Api_and_a_RabbitMQ_node_as_mail_goes_and_rungs_fall_due_sends_each_mail_and_fires_each_rung_once()
    {
        var run = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        using var admin = new ClusterClient(cluster.Url, user: "admin");
        using var duty = new ClusterClient(cluster.Url);
        var partner = await PartnerAsync(admin, $"NT{run}");
        var clocked = await ClockedItemsAsync(duty, partner, run);

        var sent = new ConcurrentQueue<(Guid Id, string Number)>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            // A request every 0.7 s: the load's pace, not a wait for anything.
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(700));
            for (var i = 0; !stop.IsCancellationRequested && await pace.WaitForNextTickAsync(); i++)
            {
                await SendRequestAsync(duty, partner, $"Not twice {run} {i}", sent);
            }
        });

        var figures = new List<string>();
        try
        {
            var targets = Environment.GetEnvironmentVariable("NCP_CLUSTER_KILLS") is { Length: > 0 } named
                ? named.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                : ["worker1", "api1", "rabbit1", "pg-primary", "worker2"];
            foreach (var target in targets)
            {
                figures.Add(await KillAndRecoverAsync(target, duty, partner, run, sent));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }

        var mails = await MailsAsync(duty, [.. sent]);
        var rungs = await RungsAsync(duty, clocked);
        figures.Add(mails.Figures);
        figures.Add(rungs.Figures);
        output.WriteLine(string.Join('\n', figures));
        await File.AppendAllTextAsync(
            Path.Combine(cluster.Directory, "every-mail-once.tsv"), $"{DateTimeOffset.UtcNow:u}\t{string.Join(" | ", figures)}\n");

        Assert.True(mails.Problems.Count == 0, string.Join('\n', mails.Problems));
        Assert.True(rungs.Problems.Count == 0, string.Join('\n', rungs.Problems));
    }

    /// <summary>A partner of this run with its mailbox on the cluster's Dovecot, allowed plain mail, once a Worker holds it.</summary>
    private async Task<string> PartnerAsync(ClusterClient admin, string code)
    {
        var profile = PartnerDirectoryTests.Profile(code);
        profile["addresses"] = new JsonArray(PartnerMailbox);
        profile["languages"] = new JsonArray("en");
        Expect(await admin.TrySendAsync("/api/partners", profile), HttpStatusCode.Created, "the partner entered");
        // Plain mail: what is checked is how often a mail goes out, not its crypto, which the single-node tests check.
        Expect(await admin.TrySendAsync($"/api/partners/{code}/plaintext-override", new { reason = "Cluster drill: no keys exchanged" }),
            HttpStatusCode.OK, "plain mail allowed");
        await RunningCluster.EventuallyAsync(
            async () => await cluster.QueryAsync<long>("select count(*) from worker.partners where code = @code", ("code", code)) == 1,
            $"the Workers know {code}");
        return code;
    }

    private async Task<List<(string Number, string[] Steps, DateTimeOffset LastDue)>> ClockedItemsAsync(
        ClusterClient duty, string partner, string run)
    {
        var start = DateTimeOffset.UtcNow;
        var clocked = new List<(string, string[], DateTimeOffset)>();
        for (var i = 0; i < Clocked; i++)
        {
            var replyBy = start + FirstReplyBy + (ReplyBySpacing * i);
            var item = Expect(await duty.TrySendAsync("/api/items", ItemsApi.IncomingRequest(partner, $"Clocked {run} {i}", replyBy)),
                HttpStatusCode.Created, "an incoming request registered");
            // The Api's reply-by, not ours: deadlines are whole seconds (rounded up), and the 100% rung falls on it.
            var deadlines = item.GetProperty("deadlines");
            var due = deadlines.GetProperty("steps").EnumerateArray()
                .Select(s => (Name: s.Str("name"), At: s.GetProperty("dueAt").GetDateTimeOffset()))
                .Where(s => s.At <= deadlines.GetProperty("replyBy").GetDateTimeOffset())
                .ToArray();
            clocked.Add((item.Number(), due.Select(s => s.Name).ToArray(), due.Max(s => s.At)));
        }

        return clocked;
    }

    /// <summary>Registers and sends one request; kept in <paramref name="sent"/> once the Api acknowledged the send.</summary>
    private static async Task SendRequestAsync(ClusterClient duty, string partner, string subject, ConcurrentQueue<(Guid, string)> sent)
    {
        if (await duty.TrySendAsync("/api/items", ItemsApi.OutgoingRequest(partner, subject)) is not (HttpStatusCode.Created, var item))
        {
            return;
        }

        // An answer lost in a kill leaves it unknown whether the send was recorded: asked again, 409 says it was. Asked
        // through the suite's polling loop for as long as a kill takes to recover from; never acknowledged, it is not counted.
        var askedBefore = false;
        async Task<bool> RecordedAsync()
        {
            // No answer at all (the instance died mid-request) is null: not recorded as far as anyone knows.
            var status = (await duty.TrySendAsync($"/api/items/{item.Number()}/send", new { }))?.Status;
            var recorded = status == HttpStatusCode.OK || (status == HttpStatusCode.Conflict && askedBefore);
            askedBefore = true;
            return recorded;
        }

        if (await RunningCluster.HoldsWithinAsync(RecordedAsync, TimeSpan.FromSeconds(10)))
        {
            sent.Enqueue((item.GetProperty("id").GetGuid(), item.Number()));
        }
    }

    /// <summary>
    /// Kills one while mail is in flight (a Worker: right after a burst of sends, so that it dies holding claimed mail),
    /// waits until a request sent after the kill has gone out, then starts it again as a supervisor would.
    /// </summary>
    private async Task<string> KillAndRecoverAsync(
        string target, ClusterClient duty, string partner, string run, ConcurrentQueue<(Guid Id, string Number)> sent)
    {
        var burst = target.StartsWith("worker", StringComparison.Ordinal)
            ? Task.WhenAll(Enumerable.Range(0, 12).Select(i => SendRequestAsync(duty, partner, $"Burst {run} {target} {i}", sent)))
            : Task.CompletedTask;
        if (target.StartsWith("worker", StringComparison.Ordinal))
        {
            // Killed while the Workers hold mail not yet sent (in their ledger, pending), if the burst gets there in time.
            await RunningCluster.HoldsWithinAsync(
                async () => await cluster.QueryAsync<long>("select count(*) from worker.dispatches where status = 'pending'") > 0,
                TimeSpan.FromSeconds(10));
        }

        var before = sent.Count;
        var clock = Stopwatch.StartNew();
        await cluster.ScriptAsync("kill", target);
        if (target == "pg-primary")
        {
            await cluster.ScriptAsync("promote");
        }

        await burst;
        // The first request sent after the kill, not the latest: under load the latest is always one too new to have gone yet.
        var flowing = await RunningCluster.HoldsWithinAsync(async () => sent.Skip(before).FirstOrDefault() is { Number: not null } first
            && await MailStatusAsync(duty, first.Number) == "sent", Within);
        var outcome = flowing
            ? FormattableString.Invariant($"mail going out again after {clock.Elapsed.TotalSeconds:F1} s")
            : "NO mail going out";
        var line = $"kill -9 {target}\t{outcome}";
        output.WriteLine(line);
        await cluster.ScriptAsync("start");
        Assert.True(flowing, $"No mail went out within {Within.TotalSeconds:F0} s after killing {target}");
        return line;
    }

    private static async Task<string?> MailStatusAsync(ClusterClient duty, string number) =>
        await duty.TrySendAsync($"/api/items/{number}") is (HttpStatusCode.OK, var item)
            ? item.GetProperty("mail").EnumerateArray().Select(m => m.Str("status")).FirstOrDefault()
            : null;

    /// <summary>Each request the Api says was sent: one dispatch in the ledger, one Message-ID in the partner's inbox.</summary>
    private async Task<(string Figures, List<string> Problems)> MailsAsync(
        ClusterClient duty, IReadOnlyList<(Guid Id, string Number)> sent)
    {
        var problems = new List<string>();
        var messageIds = new Dictionary<string, string>();
        foreach (var (id, number) in sent)
        {
            JsonElement[] mail = [];
            await RunningCluster.HoldsWithinAsync(async () =>
            {
                mail = await duty.TrySendAsync($"/api/items/{number}") is (HttpStatusCode.OK, var item)
                    ? [.. item.GetProperty("mail").EnumerateArray()]
                    : [];
                return mail.Length > 0 && mail.All(m => m.Str("status") != "queued");
            }, Within);
            var dispatches = await cluster.QueryAsync<long>("select count(*) from worker.dispatches where item_id = @id", ("id", id));
            if (mail.Length != 1 || dispatches != 1 || mail[0].Str("status") != "sent")
            {
                problems.Add(
                    $"{number}: {dispatches} dispatches, mail as the Api has it: {string.Join("; ", mail.Select(m => m.ToString()))}");
                continue;
            }

            messageIds[Bare(mail[0].Str("messageId"))] = number;
        }

        // The partner's inbox: every copy of a mail of this run, found by its Message-ID or by the register number it names.
        ILookup<string, IMessageSummary> inbox = Enumerable.Empty<IMessageSummary>().ToLookup(m => "");
        await RunningCluster.HoldsWithinAsync(async () =>
        {
            inbox = await InboxAsync(PartnerMailbox);
            return messageIds.Keys.All(inbox.Contains);
        }, TimeSpan.FromSeconds(60));
        var missing = messageIds.Keys.Where(m => !inbox.Contains(m)).Select(m => messageIds[m]).ToList();
        var repeated = messageIds.Keys.Where(m => inbox[m].Count() > 1).Select(m => $"{messageIds[m]} ×{inbox[m].Count()}").ToList();
        var numbers = messageIds.Values.ToHashSet();
        var others = inbox.Where(g => !messageIds.ContainsKey(g.Key))
            .SelectMany(g => g.Select(m => (MessageId: g.Key, Number: numbers.FirstOrDefault(n => NamesNumber(m.Envelope?.Subject, n)))))
            .Where(x => x.Number is not null)
            .Select(x => $"{x.Number} also as {x.MessageId}")
            .ToList();
        if (missing.Count > 0)
        {
            problems.Add($"Sent but not in {PartnerMailbox}'s inbox: {string.Join(", ", missing)}");
        }

        if (others.Count > 0)
        {
            problems.Add($"A second, different mail reached the partner: {string.Join(", ", others)}");
        }

        var copies = messageIds.Keys.Sum(m => inbox[m].Count());
        var figures = FormattableString.Invariant(
            $"mail to the partner: {sent.Count} requests sent, {messageIds.Count} dispatched once, ")
            + FormattableString.Invariant($"{copies} copies in the partner's inbox, ")
            + FormattableString.Invariant($"{missing.Count} missing, {others.Count} twice as different mail, ")
            + FormattableString.Invariant($"{repeated.Count} repeated under the same Message-ID")
            + (repeated.Count > 0 ? $" ({string.Join(", ", repeated)})" : "");
        return (figures, problems);
    }

    /// <summary>
    /// Each rung due: one escalation in the Api (its details and its timeline), one notification, one mail to the duty desk.
    /// </summary>
    private async Task<(string Figures, List<string> Problems)> RungsAsync(
        ClusterClient duty, List<(string Number, string[] Steps, DateTimeOffset LastDue)> clocked)
    {
        // Each item is polled until its rungs are in, for as long as its last rung is still to come and then two minutes.
        var lastDue = clocked.Max(c => c.LastDue);

        var problems = new List<string>();
        var notificationIds = new List<(string Number, string MessageId)>();
        var (expected, recorded, twice) = (0, 0, 0);
        foreach (var (number, steps, _) in clocked)
        {
            expected += steps.Length;
            var (escalations, lines) = (Array.Empty<string>(), Array.Empty<string>());
            await RunningCluster.HoldsWithinAsync(async () =>
            {
                if (await duty.TrySendAsync($"/api/items/{number}") is (HttpStatusCode.OK, var item))
                {
                    escalations = [.. item.GetProperty("escalations").EnumerateArray().Select(e => e.GetString()!)];
                    lines = [.. item.GetProperty("timeline").EnumerateArray()
                        .Where(t => t.Str("what") == "escalated").Select(t => t.Str("text"))];
                }

                return steps.All(escalations.Contains);
            }, TimeSpan.FromSeconds(120) + (lastDue > DateTimeOffset.UtcNow ? lastDue - DateTimeOffset.UtcNow : TimeSpan.Zero));
            recorded += escalations.Distinct().Count(steps.Contains);
            twice += escalations.Length - escalations.Distinct().Count();
            foreach (var step in steps)
            {
                var timelined = lines.Count(l => l.StartsWith(step + " ", StringComparison.Ordinal));
                if (escalations.Count(e => e == step) != 1 || timelined != 1)
                {
                    problems.Add($"{number} {step}: {escalations.Count(e => e == step)} escalations recorded, {timelined} timeline lines");
                }
            }

            // One recipient (the duty desk), so one notification per rung, sent.
            await RunningCluster.HoldsWithinAsync(async () => await cluster.QueryAsync<long>(
                "select count(*) from worker.notifications where subject like '%' || @number || '%' and sent_at is not null",
                ("number", number)) >= steps.Length, TimeSpan.FromSeconds(60));
            var ids = await NotificationIdsAsync(number);
            if (ids.Count != steps.Length)
            {
                problems.Add($"{number}: {ids.Count} notifications sent for {steps.Length} rungs");
            }

            notificationIds.AddRange(ids.Select(id => (number, $"{id:N}@ncp.notifications")));
        }

        ILookup<string, IMessageSummary> inbox = Enumerable.Empty<IMessageSummary>().ToLookup(m => "");
        await RunningCluster.HoldsWithinAsync(async () =>
        {
            inbox = await InboxAsync(DutyMailbox);
            return notificationIds.All(n => inbox.Contains(n.MessageId));
        }, TimeSpan.FromSeconds(60));
        var missing = notificationIds.Where(n => !inbox.Contains(n.MessageId)).ToList();
        var repeated = notificationIds.Where(n => inbox[n.MessageId].Count() > 1).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"Notifications not in {DutyMailbox}'s inbox: {string.Join(", ", missing.Select(m => m.Number))}");
        }

        var figures = FormattableString.Invariant(
            $"rungs: {clocked.Count} items, {expected} rungs due, {recorded} recorded, {twice} recorded twice, ")
            + FormattableString.Invariant($"{expected - recorded} missing; ")
            + FormattableString.Invariant(
                $"notifications: {notificationIds.Count} sent, {notificationIds.Sum(n => inbox[n.MessageId].Count())} copies ")
            + "in the duty desk's inbox, "
            + FormattableString.Invariant($"{missing.Count} missing, {repeated.Count} repeated under the same Message-ID");
        return (figures, problems);
    }

    private async Task<List<Guid>> NotificationIdsAsync(string number)
    {
        var ids = new List<Guid>();
        await using var connection = new Npgsql.NpgsqlConnection(cluster.Postgres);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select id from worker.notifications where subject like '%' || @number || '%' and sent_at is not null", connection);
        command.Parameters.AddWithValue("number", number);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>Every mail in a mailbox's inbox, by Message-ID.</summary>
    private async Task<ILookup<string, IMessageSummary>> InboxAsync(string login)
    {
        using var imap = await MailServers.ConnectImapAsync(cluster.ImapAs(login), null, CancellationToken.None);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var all = imap.Inbox.Count == 0 ? [] : await imap.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope);
        await imap.DisconnectAsync(true);
        return all.ToLookup(m => Bare(m.Envelope?.MessageId ?? ""));
    }

    private static string Bare(string messageId) => messageId.Trim().TrimStart('<').TrimEnd('>');

    private static bool NamesNumber(string? subject, string number) =>
        subject is not null && Regex.IsMatch(subject, $@"(?<![\w/]){Regex.Escape(number)}(?![\w/])");

    private static JsonElement Expect((HttpStatusCode Status, JsonElement Body)? answer, HttpStatusCode expected, string what)
    {
        var seen = answer is { } x ? $"{(int)x.Status} {x.Body}" : "no answer";
        Assert.True(answer is { } a && a.Status == expected, $"{what}: {seen}");
        return answer!.Value.Body;
    }
}
