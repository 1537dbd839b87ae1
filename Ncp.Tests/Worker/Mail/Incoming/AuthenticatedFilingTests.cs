using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Cases.Corresponding;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// A partner's mail reaches only that partner's items, in a channel it uses, whatever numbers or Message-IDs it quotes;
/// mail nothing proves does not open items, and no partner's mail opens items without limit. Mail made by openssl and gpg,
/// through Postfix and Dovecot, judged by the Worker and filed by the Api.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class AuthenticatedFilingTests(NcpSystem ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task Mail_quoting_another_partners_number_and_message_id_opens_a_new_item_of_its_own()
    {
        var de = await ncp.PartnerAsync("de");
        var fr = await ncp.PartnerAsync("fr");
        var (deItem, deMessageId) = await ncp.SendRequestAsync(de, "Subscriber data that only DE may answer");
        var duty = ncp.ClientFor("duty");
        var before = await duty.GetJsonAsync($"/api/items/{deItem.Number()}");
        var token = Guid.NewGuid().ToString("N")[..12];
        var raw = Pki.Gpg.EncryptedMail(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nHere is the subscriber of your request.", fr.Address, "ncp@ncp.example",
            $"Re: [{deItem.Number()}] answer {token}", headers: new Dictionary<string, string> { ["In-Reply-To"] = $"<{deMessageId}>" });

        await ncp.SendRawAsync(raw);

        var opened = await OpenedAsync(fr, token);
        Assert.Equal("incoming", opened.Str("direction"));
        Assert.Equal(fr.Code, opened.Str("partnerCode"));
        Assert.Equal("received", Assert.Single(opened.GetProperty("mail").EnumerateArray()).Str("status"));
        Assert.Contains(deItem.Number(), Entry(opened, "foreign-item-quoted"), StringComparison.Ordinal);
        var after = await duty.GetJsonAsync($"/api/items/{deItem.Number()}");
        Assert.Equal(before.Version(), after.Version());
        Assert.DoesNotContain(after.GetProperty("mail").EnumerateArray(), m => m.Str("direction") == "in");
    }

    [Fact]
    public async Task A_csto_items_number_quoted_by_a_partner_outside_csto_opens_the_partners_own_item()
    {
        var de = await ncp.PartnerAsync("de");
        var supervisor = ncp.ClientFor("supervisor");
        var csto = await supervisor.RegisterAsync(ItemsApi.OutgoingRequest("CSTO-CYBER", "Kept within the CSTO channel"));
        Assert.Equal("csto", csto.Str("channel"));
        var token = Guid.NewGuid().ToString("N")[..12];
        var partner = Pki.Partner("de");

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nAbout your file.", de.Address, "ncp@ncp.example", $"{csto.Number()} {token}",
            partner.CertPem, partner.KeyPem, Pki.NcpNext.CertPem));

        var opened = await OpenedAsync(de, token);
        Assert.Equal("24-7", opened.Str("channel"));
        Assert.Contains(csto.Number(), Entry(opened, "foreign-item-quoted"), StringComparison.Ordinal);
        var untouched = await supervisor.GetJsonAsync($"/api/items/{csto.Number()}");
        Assert.Equal(csto.Version(), untouched.Version());
        Assert.Empty(untouched.GetProperty("mail").EnumerateArray());
    }

    [Fact]
    public async Task Unsigned_mail_of_a_plaintext_partner_is_marked_sender_not_proven_and_opens_no_item_unless_released()
    {
        var partner = await PlaintextPartnerAsync();
        var duty = ncp.ClientFor("duty");
        var own = await duty.RegisterAsync(ItemsApi.OutgoingRequest(partner.Code, "An item of the plaintext partner"));
        var token = Guid.NewGuid().ToString("N")[..12];
        var filedId = $"filed-{token}@partner.example";
        var newId = $"new-{token}@partner.example";

        await ncp.SendRawAsync(Unsigned(partner, $"Re: {own.Number()}", filedId));
        await ncp.SendRawAsync(Unsigned(partner, $"A new matter {token}", newId));

        var filed = await ncp.ReceivedAsync(own.Number());
        Assert.False(filed.GetProperty("senderProven").GetBoolean());
        var item = await duty.GetJsonAsync($"/api/items/{own.Number()}");
        Assert.StartsWith("Sender not proven", Entry(item, "mail-received"), StringComparison.Ordinal);

        var held = await HeldAsync(newId);
        Assert.Equal("sender-not-proven", held.Str("reason"));
        var worker = await NcpSystem.EventuallyAsync(() => ncp.OutcomeAsync(newId), o => o.Status == "quarantined");
        Assert.Equal("sender-not-proven", worker.Reason);
        Assert.Empty(await IncomingAsync(partner, token));

        var release = new { reason = "Confirmed by phone with the partner's desk" };
        // Nothing proves who sent it: one officer's release is a request, a second officer's confirms it.
        await ItemsApi.ExpectAsync(await duty.PostAsJsonAsync($"/api/quarantine/{held.Str("id")}/release", release), HttpStatusCode.Accepted);
        await ItemsApi.ExpectAsync(
            await ncp.ClientFor("supervisor").PostAsJsonAsync($"/api/quarantine/{held.Str("id")}/release", release), HttpStatusCode.OK);
        var opened = await OpenedAsync(partner, token);
        var mail = Assert.Single(opened.GetProperty("mail").EnumerateArray());
        Assert.False(mail.GetProperty("senderProven").GetBoolean());
    }

    [Fact]
    public async Task New_items_beyond_a_partners_hourly_limit_are_held_with_the_reason()
    {
        var limit = ncp.Api.Services.GetRequiredService<FilingSettings>().NewItemsPerPartnerPerHour;
        await ncp.PartnerAsync("de");
        var identity = Issue($"limit-{ncp.RunId}@partner.example");
        var partner = await ncp.PartnerWithCertificateAsync("limit", identity);
        var token = Guid.NewGuid().ToString("N")[..12];
        var mails = Enumerable.Range(1, limit + 1).Select(i => OpenSslMail.SignThenEncrypt(
            $"Content-Type: text/plain\r\n\r\nRequest {i}.", identity.Email, "ncp@ncp.example", $"Preservation request {i} {token}",
            identity.CertPem, identity.KeyPem, Pki.NcpNext.CertPem,
            headers: new Dictionary<string, string> { ["Message-ID"] = $"<limit-{i}-{token}@partner.example>" })).ToArray();

        await ncp.AppendRawAsync(mails);

        var held = await HeldByAsync(m => m.Str("messageId").EndsWith($"-{token}@partner.example", StringComparison.Ordinal));
        Assert.Equal("new-item-limit", held.Str("reason"));
        Assert.Contains($"the limit is {limit}", held.Str("detail"), StringComparison.Ordinal);
        var opened = await NcpSystem.EventuallyAsync(
            () => IncomingAsync(partner, token), items => items.Count == limit, TimeSpan.FromSeconds(90));
        Assert.Equal(limit, opened.Count);
        var worker = await NcpSystem.EventuallyAsync(() => ncp.OutcomeAsync(held.Str("messageId")), o => o.Status == "quarantined");
        Assert.Equal("new-item-limit", worker.Reason);
    }

    private async Task<MailPartner> PlaintextPartnerAsync()
    {
        // The run's shared partners first: their set-up counts the run's partners, and must not count this one.
        await ncp.PartnerAsync("de");
        var partner = new MailPartner($"{ncp.RunId.ToUpperInvariant()}-PLAINFILE", $"plain-{ncp.RunId}@partner.example", "smime");
        var admin = ncp.ClientFor("admin");
        await MailGateway.RegisterAsync(admin, partner, "en");
        var allow = new { reason = "No PKI yet; agreed in writing" };
        using var allowed = await admin.PostAsJsonAsync($"/api/partners/{partner.Code}/plaintext-override", allow);
        await ItemsApi.ExpectAsync(allowed, HttpStatusCode.OK);
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<bool?>(
                $"select plaintext_allowed from {ncp.WorkerSchema}.partners where code = @code", ("code", partner.Code)),
            allowed => allowed == true, TimeSpan.FromSeconds(60));
        return partner;
    }

    private static byte[] Unsigned(MailPartner partner, string subject, string messageId) => RawMime.Message(
        partner.Address, "ncp@ncp.example", subject, new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" },
        RawMime.ToCrlf("Content-Type: text/plain; charset=utf-8\r\n\r\nPlease see the logs attached to our earlier mail."));

    /// <summary>A certificate for a partner of this test's own, issued by the test CA the Api trusts.</summary>
    private static SmimeIdentity Issue(string email)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Pki.Root, $"filing-{Guid.NewGuid():N}")).FullName;
        File.WriteAllText(Path.Combine(folder, "ext.cnf"), $"""
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = emailProtection
            subjectAltName = email:{email}
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """);
        Tool.Run("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "partner.key", "-out", "partner.csr",
            "-subj", $"/CN=Partner LIMIT/emailAddress={email}"], folder).OrThrow();
        Tool.Run("openssl", ["x509", "-req", "-in", "partner.csr", "-CA", Pki.Ca.CertPem, "-CAkey", Pki.Ca.KeyPem,
            "-set_serial", $"{Random.Shared.NextInt64(1, long.MaxValue)}", "-days", "30", "-sha256", "-extfile", "ext.cnf",
            "-out", "partner.pem"],
            folder).OrThrow();
        return new SmimeIdentity("limit", email, Path.Combine(folder, "partner.pem"), Path.Combine(folder, "partner.key"), "", "");
    }

    private async Task<List<JsonElement>> IncomingAsync(MailPartner partner, string token)
    {
        var list = await ncp.ClientFor("duty").GetJsonAsync($"/api/items?partner={partner.Code}&direction=incoming&limit=200");
        return [.. list.GetProperty("items").EnumerateArray().Where(i => i.Str("subject").Contains(token, StringComparison.Ordinal))];
    }

    /// <summary>The one incoming item of the partner whose subject carries the token, with its timeline, once it is open.</summary>
    private async Task<JsonElement> OpenedAsync(MailPartner partner, string token)
    {
        var found = await NcpSystem.EventuallyAsync(
            () => IncomingAsync(partner, token), items => items.Count > 0, TimeSpan.FromSeconds(60));
        return await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{Assert.Single(found).Number()}");
    }

    private Task<JsonElement> HeldAsync(string messageId) => HeldByAsync(m => m.Str("messageId") == messageId);

    private async Task<JsonElement> HeldByAsync(Func<JsonElement, bool> which)
    {
        var list = await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync("/api/quarantine"),
            l => l.GetProperty("mail").EnumerateArray().Any(which),
            TimeSpan.FromSeconds(60));
        return list.GetProperty("mail").EnumerateArray().Single(which);
    }

    /// <summary>The text of the item's one timeline entry of this kind.</summary>
    private static string Entry(JsonElement item, string what) =>
        item.GetProperty("timeline").EnumerateArray().Single(e => e.Str("what") == what).Str("text");
}
