using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using System.Text;
using MimeKit;
using Ncp.Worker.Infrastructure.Mail;
using Ncp.Worker.Keys;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// Watches the gateway's mailbox with IMAP IDLE (polling where the server has no IDLE) and stores every new mail raw
/// before anything else happens to it; only then is it flagged as taken, so a crash in between stores it once, not never.
/// </summary>
public sealed class ImapIntake(ImapSettings imap, GatewaySettings settings, InboundStore store, InboundProcessor processor, TimeProvider time, ILogger<ImapIntake> logger)
    : BackgroundService
{
    /// <summary>The IMAP keyword marking a mail as stored by the gateway (the \Seen flag belongs to people reading the box).</summary>
    public const string StoredKeyword = "NcpStored";

    private const int FetchChunk = 100;

    /// <summary>What of a header block is read for listing; the processor judges the whole.</summary>
    public const int ListedHeaderBytes = 64 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(imap.Host))
        {
            logger.LogWarning("Imap:Host is empty: no mail from partners is read");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WatchAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Reading the {Folder} folder on {Host}:{Port} failed; trying again in 5 s", imap.Folder, imap.Host, imap.Port);
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
            }
        }
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        using ImapClient client = await MailServers.ConnectImapAsync(imap, settings.Password, ct);
        var folder = await MailServers.OpenOrCreateAsync(client, imap.Folder, FolderAccess.ReadWrite, ct);
        var idle = imap.Idle && client.Capabilities.HasFlag(ImapCapabilities.Idle);
        logger.LogInformation("Watching {Folder} of {User} on {Host}:{Port} ({Mode})", imap.Folder, imap.Username, imap.Host, imap.Port,
            idle ? "IDLE" : $"polling every {imap.PollEvery}");
        while (!ct.IsCancellationRequested)
        {
            await TakeNewAsync(folder, ct);
            if (idle)
            {
                using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
                done.CancelAfter(imap.PollEvery);
                void Arrived(object? sender, EventArgs e) => done.Cancel();
                folder.CountChanged += Arrived;
                try
                {
                    await client.IdleAsync(done.Token, ct);
                }
                finally
                {
                    folder.CountChanged -= Arrived;
                }
            }
            else
            {
                await Task.Delay(imap.PollEvery, time, ct);
                await client.NoOpAsync(ct);
            }
        }
    }

    private async Task TakeNewAsync(IMailFolder folder, CancellationToken ct)
    {
        var uids = await folder.SearchAsync(SearchQuery.NotKeyword(StoredKeyword), ct);
        foreach (var chunk in uids.Chunk(FetchChunk))
        {
            // One FETCH for the chunk, one INSERT, then one STORE of the keyword: stored before marked, as for one mail.
            var fetched = new List<InboundStore.Fetched>(chunk.Length);
            await ((ImapFolder)folder).GetStreamsAsync(chunk, async (_, _, uid, stream, token) =>
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, token);
                var raw = buffer.ToArray();
                var headers = ReadHeaders(raw);
                fetched.Add(new InboundStore.Fetched(uid.Id, raw, headers?.MessageId, headers?.From, headers?.Subject));
            }, ct);
            await store.StoreAsync(folder.FullName, folder.UidValidity, fetched, ct);
            await folder.AddFlagsAsync(chunk, MessageFlags.None, new HashSet<string> { StoredKeyword }, silent: true, ct);
            processor.Nudge();
        }

        if (uids.Count > 0)
        {
            logger.LogInformation("Stored {Count} new mail from {Folder}", uids.Count, folder.FullName);
        }
    }

    // Only for the listing (the store cleans them): a mail whose headers cannot be read is stored all the same and judged
    // by the processor.
    private static (string? MessageId, string? From, string? Subject)? ReadHeaders(byte[] raw)
    {
        try
        {
            var headers = RawHeaders.Load(raw, ListedHeaderBytes);
            return (headers[HeaderId.MessageId]?.Trim().Trim('<', '>'), headers[HeaderId.From], headers[HeaderId.Subject]);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or DecoderFallbackException)
        {
            return null;
        }
    }
}
