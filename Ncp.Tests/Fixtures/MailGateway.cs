using System.Text.Json;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Tests.Partners;
using Ncp.Worker.Infrastructure.Mail;

namespace Ncp.Tests.Fixtures;

/// <summary>A partner made for the gateway tests, with its mailbox on the project's mail server.</summary>
public sealed record MailPartner(string Code, string Address, string Scheme);

/// <summary>What a stored inbound mail became in the Worker: delivered, quarantined (with the reason), ...</summary>
public sealed record InboundOutcome(Guid Id, string Status, string? Reason, string? Detail);

/// <summary>
/// Drives the secure mail gateway from outside, as partners and their mail servers do: partners registered and their keys
/// imported through the Api, mail sent by SMTP to the run's own folder of the NCP mailbox, partners' mailboxes read over IMAP.
/// </summary>
public static class MailGateway
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyDictionary<string, MailPartner>>>> Partners = new();

    public static TestPki Pki => TestPki.Shared;

    /// <summary>Where partners write to reach this run's gateway (its own IMAP folder of ncp@ncp.example).</summary>
    public static string GatewayAddress(this NcpSystem ncp) => $"ncp+{ncp.RunId}@ncp.example";

    /// <summary>
    /// de (S/MIME), fr (OpenPGP), multi (OpenPGP key with a revoked user ID), old (S/MIME certificate that has expired
    /// since it was imported: put straight into the Worker's ring, as the Api refuses expired certificates); nl, noeku and
    /// rogue with no key imported (their certificates: issued by the test CA; without emailProtection; self-signed).
    /// </summary>
    public static async Task<MailPartner> PartnerAsync(this NcpSystem ncp, string name) =>
        (await Partners.GetOrAdd(ncp.RunId, _ => new Lazy<Task<IReadOnlyDictionary<string, MailPartner>>>(() => CreatePartnersAsync(ncp))).Value)[name];

    private static async Task<IReadOnlyDictionary<string, MailPartner>> CreatePartnersAsync(NcpSystem ncp)
    {
        var admin = ncp.ClientFor("admin");
        var run = ncp.RunId.ToUpperInvariant();
        var partners = new Dictionary<string, MailPartner>
        {
            ["de"] = new($"{run}-DE", "de@partner.example", "smime"),
            ["fr"] = new($"{run}-FR", "fr@partner.example", "openpgp"),
            ["multi"] = new($"{run}-MULTI", "multi@partner.example", "openpgp"),
            ["old"] = new($"{run}-OLD", "old@partner.example", "smime"),
            // No certificate imported: these are known by their address alone, and their signer by its chain.
            ["nl"] = new($"{run}-NL", "nl@partner.example", "smime"),
            ["noeku"] = new($"{run}-NOEKU", "noeku@partner.example", "smime"),
            ["rogue"] = new($"{run}-ROGUE", "rogue@partner.example", "smime"),
        };
        foreach (var (name, partner) in partners)
        {
            await RegisterAsync(admin, partner, name == "fr" ? "ru" : "en");
            object? key = name switch
            {
                "de" => new { scheme = "smime", certificate = await File.ReadAllTextAsync(Pki.Partner("de").CertPem) },
                "fr" or "multi" => new { scheme = "openpgp", publicKey = await File.ReadAllTextAsync(Pki.Pgp.Partner(name).PublicArmored) },
                _ => null,
            };
            if (key is not null)
            {
                await ItemsApi.ExpectAsync(await admin.PostAsJsonAsync($"/api/partners/{partner.Code}/keys", key), System.Net.HttpStatusCode.Created);
            }
        }

        // The Worker hears of partners and keys through the bus; wait until its copy is complete.
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.partners where code like '{run}-%'"), n => n == partners.Count, TimeSpan.FromSeconds(60));
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.partner_keys where partner_code like '{run}-%'"), n => n == 3, TimeSpan.FromSeconds(60));
        var old = Pki.Partner("old");
        var der = Org.BouncyCastle.Security.DotNetUtilities.FromX509Certificate(
            System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(old.CertPem)));
        await ncp.QueryAsync<int?>(
            $"insert into {ncp.WorkerSchema}.partner_keys (partner_code, fingerprint, scheme, material, not_after, imported_at) values (@code, @fpr, 'smime', @der, @after, now() - interval '3 years')",
            ("code", partners["old"].Code), ("fpr", Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(der.GetEncoded()))), ("der", der.GetEncoded()),
            ("after", new DateTimeOffset(der.NotAfter, TimeSpan.Zero)));
        return partners;
    }

    /// <summary>
    /// A partner of this test's own with an S/MIME certificate imported through the Api, once the Worker holds the key.
    /// <paramref name="name"/> makes its code; the certificate's address is the partner's, and it chains to
    /// <paramref name="trustAnchorPem"/> (the test CA by default).
    /// </summary>
    public static async Task<MailPartner> PartnerWithCertificateAsync(
        this NcpSystem ncp, string name, SmimeIdentity identity, string? trustAnchorPem = null, params string[] moreAddresses)
    {
        var admin = ncp.ClientFor("admin");
        var partner = new MailPartner($"{ncp.RunId.ToUpperInvariant()}-{name.ToUpperInvariant()}", identity.Email, "smime");
        await RegisterAsync(admin, partner, "en", trustAnchorPem, moreAddresses);
        var certificate = new { scheme = "smime", certificate = await File.ReadAllTextAsync(identity.CertPem) };
        using var imported = await admin.PostAsJsonAsync($"/api/partners/{partner.Code}/keys", certificate);
        await ItemsApi.ExpectAsync(imported, System.Net.HttpStatusCode.Created);
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>(
                $"select count(*) from {ncp.WorkerSchema}.partner_keys where partner_code = @code", ("code", partner.Code)),
            n => n == 1, TimeSpan.FromSeconds(60));
        return partner;
    }

    /// <summary>
    /// Enters the partner in the Api's directory, without a key; its S/MIME certificates must chain to
    /// <paramref name="trustAnchorPem"/> (a PEM file; the test CA by default). Mail to it goes to its address and to
    /// <paramref name="moreAddresses"/>.
    /// </summary>
    public static async Task RegisterAsync(
        HttpClient admin, MailPartner partner, string language, string? trustAnchorPem = null, params string[] moreAddresses)
    {
        var profile = PartnerDirectoryTests.Profile(partner.Code);
        profile["addresses"] = new JsonArray([partner.Address, .. moreAddresses.Select(a => JsonValue.Create(a))]);
        profile["languages"] = new JsonArray(language);
        profile["encryption"] = partner.Scheme;
        profile["trustAnchors"] = new JsonArray(await File.ReadAllTextAsync(trustAnchorPem ?? Pki.Ca.CertPem));
        await ItemsApi.ExpectAsync(await admin.PostAsJsonAsync("/api/partners", profile), System.Net.HttpStatusCode.Created);
    }

    /// <summary>An outgoing request registered and sent by the duty officer, once the gateway has sent its mail.</summary>
    public static async Task<(JsonElement Item, string MessageId)> SendRequestAsync(this NcpSystem ncp, MailPartner partner, string subject, string? legalBasis = null)
    {
        var duty = ncp.ClientFor("duty");
        var body = ItemsApi.OutgoingRequest(partner.Code, subject);
        body["legalBasis"] = legalBasis;
        var item = await duty.RegisterAsync(body);
        await duty.ActAsync(item.Number(), "send");
        var sent = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{item.Number()}"),
            i => i.GetProperty("mail").EnumerateArray().Any(m => m.Str("status") is "sent" or "not-delivered"),
            TimeSpan.FromSeconds(60));
        var mail = sent.GetProperty("mail").EnumerateArray().First();
        Assert.True(mail.Str("status") == "sent", $"Not sent: {mail}");
        return (sent, mail.Str("messageId"));
    }

    /// <summary>The last mail the item received, once it has one.</summary>
    public static async Task<JsonElement> ReceivedAsync(this NcpSystem ncp, string number)
    {
        var item = await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync($"/api/items/{number}"),
            i => i.GetProperty("mail").EnumerateArray().Any(m => m.Str("status") == "received"),
            // SMTP → LMTP → IMAP → Worker → bus → Api, behind whatever other tests of the run put in the intake first.
            TimeSpan.FromSeconds(90));
        return item.GetProperty("mail").EnumerateArray().Last(m => m.Str("status") == "received");
    }

    /// <summary>
    /// The gateway's report of a partner's plain mail quoting the item's number, published as the Worker does (no mail
    /// server, no crypto); returns the mail once the Api has filed it with the item.
    /// </summary>
    public static async Task<JsonElement> ReportMailReceivedAsync(this NcpSystem ncp, string partnerCode, string number)
    {
        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(new PartnerMailReceived(
            Guid.NewGuid(), $"<{Guid.NewGuid():N}@partner.example>", partnerCode, "cyber247@partner.example", $"Re: {number}",
            "Answer.", null, null, [number], "plaintext", "valid", null, [], null, DateTimeOffset.UtcNow));
        return await ncp.ReceivedAsync(number);
    }

    /// <summary>
    /// The gateway's report of a mail it held (from an unknown sender, or for <paramref name="reason"/> with the gateway's
    /// <paramref name="detail"/>), once the Api lists it for review.
    /// </summary>
    public static async Task ReportMailQuarantinedAsync(
        this NcpSystem ncp, string subject, string reason = "unknown-sender", string detail = "stranger@example.org is not a partner.")
    {
        var id = Guid.CreateVersion7();
        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(new MailQuarantined(
            id, reason, detail, "stranger@example.org", subject, $"<{id}@example.org>", 2048, DateTimeOffset.UtcNow));
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>($"select count(*) from {ncp.ApiSchema}.mt_doc_quarantinedmail where id = @id", ("id", id)),
            held => held == 1,
            TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Hands a raw mail to the project's SMTP server for the given envelope recipients (the gateway's address by default).
    /// </summary>
    public static async Task SendRawAsync(this NcpSystem ncp, byte[] raw, params string[] envelopeTo)
    {
        var message = await MimeMessage.LoadAsync(new MemoryStream(raw));
        using var smtp = await MailServers.ConnectSmtpAsync(ncp.Servers.Smtp, CancellationToken.None);
        var from = message.From.Mailboxes.FirstOrDefault() ?? new MailboxAddress("", "someone@partner.example");
        var to = envelopeTo.Length == 0 ? [ncp.GatewayAddress()] : envelopeTo;
        await smtp.SendAsync(message, from, to.Select(a => MailboxAddress.Parse(a)));
        await smtp.DisconnectAsync(true);
    }

    /// <summary>
    /// Puts raw mails into the gateway's folder in one IMAP APPEND (MULTIAPPEND, literals sent as they are), byte for byte
    /// as given: no SMTP server in between to mend or refuse them, no MIME library to re-read them. They reach the gateway
    /// together, in one fetch, as a burst from the world would.
    /// </summary>
    public static async Task AppendRawAsync(this NcpSystem ncp, params byte[][] raws)
    {
        using (var imap = await OpenAsync(ncp, "ncp@ncp.example"))
        {
            if (await FolderAsync(imap, ncp.RunId) is null)
            {
                await imap.GetFolder(imap.PersonalNamespaces[0]).CreateAsync(ncp.RunId, true);
            }

            await imap.DisconnectAsync(true);
        }

        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(ncp.Servers.ImapHost, ncp.Servers.ImapPort);
        Stream stream = tcp.GetStream();
        var reader = new StreamReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        await reader.ReadLineAsync();
        async Task CommandAsync(string tag, byte[] command)
        {
            await stream.WriteAsync(command);
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null && !line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
            }

            Assert.True(line?.StartsWith(tag + " OK", StringComparison.Ordinal) == true, $"IMAP {tag}: {line}");
        }

        // STARTTLS by hand, with the Worker's own certificate check: the mails go in over TLS, byte for byte.
        await CommandAsync("a0", "a0 STARTTLS\r\n"u8.ToArray());
        var refused = "";
        var tls = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false,
            MailServers.CertificateCheck(ncp.Servers.ImapAs("ncp@ncp.example"), (reason, detail) => refused = reason + detail));
        try
        {
            await tls.AuthenticateAsClientAsync(ncp.Servers.ImapHost);
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            Assert.Fail($"IMAP STARTTLS: {refused} ({e.Message})");
        }

        stream = tls;
        reader.Dispose();
        reader = new StreamReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        await CommandAsync("a1", System.Text.Encoding.ASCII.GetBytes($"a1 LOGIN ncp@ncp.example \"{ncp.Servers.MailPassword}\"\r\n"));
        using var append = new MemoryStream();
        append.Write(System.Text.Encoding.ASCII.GetBytes($"a2 APPEND {ncp.RunId}"));
        foreach (var raw in raws)
        {
            append.Write(System.Text.Encoding.ASCII.GetBytes($" {{{raw.Length}+}}\r\n"));
            append.Write(raw);
        }

        append.Write("\r\n"u8);
        await CommandAsync("a2", append.ToArray());
        await CommandAsync("a3", "a3 LOGOUT\r\n"u8.ToArray());
        reader.Dispose();
        await tls.DisposeAsync();
    }

    /// <summary>Waits until the Api has recorded the inbound mail on an item (the end of the mail's way in), or fails.</summary>
    public static Task RecordedByApiAsync(this NcpSystem ncp, Guid inboundId) =>
        NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>(
                $"select count(*) from {ncp.ApiSchema}.mt_events where type = 'mail_received' and data ->> 'InboundId' = @id", ("id", inboundId.ToString())),
            n => n == 1,
            TimeSpan.FromSeconds(60));

    /// <summary>Waits until the gateway has judged the mail with this Message-ID.</summary>
    public static Task<InboundOutcome> OutcomeAsync(this NcpSystem ncp, string messageId) =>
        NcpSystem.EventuallyAsync(
            async () =>
            {
                var rows = await ncp.QueryRowsAsync(
                    $"select id, status, reason, detail from {ncp.WorkerSchema}.inbound_mail where message_id = @id and status <> 'new'", ("id", messageId));
                return rows.Count == 0 ? null : new InboundOutcome((Guid)rows[0][0]!, (string)rows[0][1]!, rows[0][2] as string, rows[0][3] as string);
            },
            o => o is not null,
            TimeSpan.FromSeconds(60)).ContinueWith(t => t.Result!, TaskScheduler.Default);

    /// <summary>The raw mail with this Message-ID in a mailbox's folder, once it has arrived.</summary>
    public static Task<byte[]> FetchAsync(this NcpSystem ncp, string login, string messageId, string folder = "INBOX") =>
        NcpSystem.EventuallyAsync(() => TryFetchAsync(ncp, login, messageId, folder), raw => raw is not null, TimeSpan.FromSeconds(60))
            .ContinueWith(t => t.Result!, TaskScheduler.Default);

    public static async Task<IReadOnlyList<byte[]>> FetchAllAsync(this NcpSystem ncp, string login, string messageId, string folder = "INBOX")
    {
        using var imap = await OpenAsync(ncp, login);
        var box = (await FolderAsync(imap, folder))!;
        await box.OpenAsync(FolderAccess.ReadOnly);
        var copies = new List<byte[]>();
        foreach (var uid in await box.SearchAsync(SearchQuery.HeaderContains("Message-ID", messageId)))
        {
            using var raw = new MemoryStream();
            await (await box.GetStreamAsync(uid)).CopyToAsync(raw);
            copies.Add(raw.ToArray());
        }

        return copies;
    }

    public static async Task<int> CountAsync(this NcpSystem ncp, string login, string messageId, string folder = "INBOX")
    {
        using var imap = await OpenAsync(ncp, login);
        var box = await FolderAsync(imap, folder);
        if (box is null)
        {
            return 0;
        }

        await box.OpenAsync(FolderAccess.ReadOnly);
        return (await box.SearchAsync(SearchQuery.HeaderContains("Message-ID", messageId))).Count;
    }

    /// <summary>The run's folders of the NCP mailbox (its inbox and Sent copies) go with the run.</summary>
    public static async Task DeleteRunFoldersAsync(NcpSystem ncp)
    {
        try
        {
            using var imap = await OpenAsync(ncp, "ncp@ncp.example");
            foreach (var name in new[] { ncp.RunId, $"{ncp.RunId}-sent" })
            {
                if (await FolderAsync(imap, name) is { } folder)
                {
                    await folder.DeleteAsync();
                }
            }

            await imap.DisconnectAsync(true);
        }
        catch (Exception e) when (e is MailKit.Net.Imap.ImapCommandException or MailKit.ServiceNotConnectedException or System.Net.Sockets.SocketException)
        {
            // Left behind, harmless: every run reads only its own folder.
        }
    }

    private static async Task<byte[]?> TryFetchAsync(NcpSystem ncp, string login, string messageId, string folder)
    {
        using var imap = await OpenAsync(ncp, login);
        var box = await FolderAsync(imap, folder);
        if (box is null)
        {
            return null;
        }

        await box.OpenAsync(FolderAccess.ReadOnly);
        var found = await box.SearchAsync(SearchQuery.HeaderContains("Message-ID", messageId));
        if (found.Count == 0)
        {
            return null;
        }

        using var raw = new MemoryStream();
        await (await box.GetStreamAsync(found[0])).CopyToAsync(raw);
        return raw.ToArray();
    }

    private static Task<ImapClient> OpenAsync(NcpSystem ncp, string login) =>
        MailServers.ConnectImapAsync(ncp.Servers.ImapAs(login), null, CancellationToken.None);

    private static async Task<IMailFolder?> FolderAsync(ImapClient imap, string name)
    {
        if (name == "INBOX")
        {
            return imap.Inbox;
        }

        try
        {
            return await imap.GetFolder(imap.PersonalNamespaces[0]).GetSubfolderAsync(name);
        }
        catch (FolderNotFoundException)
        {
            return null;
        }
    }
}
