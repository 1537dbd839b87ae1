using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail;

/// <summary>
/// Mail the gateway cannot process safely is held with its reason, never dropped, and never stops the mail behind it;
/// officers see it through the Api and release it (recorded, with their name) or reject it.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class QuarantineTests(NcpSystem ncp)
{
    private const string Inner = "Content-Type: text/plain; charset=utf-8\r\n\r\nHello from a partner.";

    private static TestPki Pki => MailGateway.Pki;

    public static TheoryData<string> Reasons() =>
    [
        "not-encrypted", "missing-signature", "cannot-decrypt", "signer-not-partner", "expired-certificate", "bad-signature", "malformed", "too-large",
        "too-many-parts", "archive-bomb", "unknown-sender",
    ];

    [Theory]
    [MemberData(nameof(Reasons))]
    public async Task A_mail_that_cannot_be_processed_is_held_with_its_reason(string reason)
    {
        await ncp.PartnerAsync("de");
        var messageId = $"{reason}-{Guid.NewGuid():N}@partner.example";

        await ncp.SendRawAsync(Craft(reason, messageId));

        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome.Status == "quarantined" && outcome.Reason == reason, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
        var held = await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync("/api/quarantine"),
            list => list.GetProperty("mail").EnumerateArray().Any(m => m.Str("id") == outcome.Id.ToString()));
        var mail = held.GetProperty("mail").EnumerateArray().Single(m => m.Str("id") == outcome.Id.ToString());
        Assert.Equal(reason, mail.Str("reason"));
        Assert.False(string.IsNullOrWhiteSpace(mail.Str("detail")));
    }

    // A signer whose certificate was never imported still counts for a partner when the certificate is for the partner's
    // address and chains, now and for e-mail protection, to a root we trust; otherwise the chain's complaint is named.
    [Theory]
    [InlineData("nl", null)]
    [InlineData("noeku", "not issued for e-mail protection")]
    [InlineData("rogue", "self-signed or issued by an authority we do not trust")]
    public async Task A_certificate_never_imported_counts_only_when_it_chains_to_our_root(string name, string? complaint)
    {
        var partner = await ncp.PartnerAsync(name);
        var messageId = $"chain-{name}-{Guid.NewGuid():N}@partner.example";
        var identity = Pki.Partner(name);

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(Inner, partner.Address, "ncp@ncp.example", $"Signed by {name}", identity.CertPem, identity.KeyPem,
            Pki.NcpNext.CertPem, headers: Id(messageId)));

        var outcome = await ncp.OutcomeAsync(messageId);
        if (complaint is null)
        {
            Assert.True(outcome.Status == "delivered", $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
        }
        else
        {
            Assert.True(outcome is { Status: "quarantined", Reason: "signer-not-partner" }, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
            Assert.True(outcome.Detail?.Contains(complaint, StringComparison.OrdinalIgnoreCase) == true, outcome.Detail);
        }
    }

    [Fact]
    public async Task A_mail_from_an_unknown_address_is_released_by_an_officer_who_names_the_partner()
    {
        var de = await ncp.PartnerAsync("de");
        var messageId = $"stranger-{Guid.NewGuid():N}@elsewhere.example";
        var subject = $"New contact {Guid.NewGuid():N}"[..24];
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(Inner, "officer@elsewhere.example", "ncp@ncp.example", subject,
            Pki.Partner("de").CertPem, Pki.Partner("de").KeyPem, Pki.NcpNext.CertPem, headers: Id(messageId)));
        var held = await ncp.OutcomeAsync(messageId);
        Assert.Equal("unknown-sender", held.Reason);
        var duty = ncp.ClientFor("duty");
        await HeldInApiAsync(duty, held.Id);

        using (var unnamed = await duty.PostAsJsonAsync($"/api/quarantine/{held.Id}/release", new { reason = "Known colleague, new address" }))
        {
            var problem = await ItemsApi.ExpectAsync(unnamed, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("partnerCode", out _));
        }

        using (var auditor = await ncp.ClientFor("auditor").PostAsJsonAsync($"/api/quarantine/{held.Id}/release", new { reason = "x", partnerCode = de.Code }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, auditor.StatusCode);
        }

        var released = await ItemsApi.ExpectAsync(
            await duty.PostAsJsonAsync($"/api/quarantine/{held.Id}/release", new { reason = "Known colleague, new address", partnerCode = de.Code }), HttpStatusCode.OK);
        Assert.Equal("released", released.Str("status"));
        Assert.Equal("Duty Officer (demo)", released.GetProperty("decidedBy").Str("name"));

        var list = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items?partner={de.Code}&direction=incoming"),
            l => l.GetProperty("items").EnumerateArray().Any(i => i.Str("subject") == subject), TimeSpan.FromSeconds(60));
        var item = await duty.GetJsonAsync($"/api/items/{list.GetProperty("items").EnumerateArray().Single(i => i.Str("subject") == subject).Number()}");
        var mail = await duty.GetJsonAsync($"/api/items/{item.Number()}/mail/{held.Id}");
        Assert.Equal("Duty Officer (demo)", mail.Str("releasedBy"));
        Assert.StartsWith("released despite: unknown-sender", mail.Str("signature"), StringComparison.Ordinal);
        await NcpSystem.EventuallyAsync(() => ncp.OutcomeAsync(messageId), o => o.Status == "released");

        using var again = await duty.PostAsJsonAsync($"/api/quarantine/{held.Id}/reject", new { reason = "Too late" });
        Assert.Equal("quarantine-already-decided", (await ItemsApi.ExpectAsync(again, HttpStatusCode.Conflict)).Str("rule"));
    }

    // The Worker has judged the mail; the Api hears of it over the bus a moment later (404 until then).
    private static Task HeldInApiAsync(HttpClient officer, Guid id) =>
        NcpSystem.EventuallyAsync(
            async () =>
            {
                using var response = await officer.GetAsync($"/api/quarantine/{id}");
                return response.StatusCode == HttpStatusCode.OK ? (await response.Content.ReadFromJsonAsync<JsonElement>()).Str("status") : $"{(int)response.StatusCode}";
            },
            status => status == "held");

    [Fact]
    public async Task A_rejected_mail_stays_stored_as_rejected()
    {
        await ncp.PartnerAsync("de");
        var messageId = $"reject-{Guid.NewGuid():N}@partner.example";
        await ncp.SendRawAsync(Craft("not-encrypted", messageId));
        var held = await ncp.OutcomeAsync(messageId);
        var duty = ncp.ClientFor("duty");
        await HeldInApiAsync(duty, held.Id);

        var rejected = await ItemsApi.ExpectAsync(await duty.PostAsJsonAsync($"/api/quarantine/{held.Id}/reject", new { reason = "Phishing attempt" }), HttpStatusCode.OK);

        Assert.Equal("rejected", rejected.Str("status"));
        await NcpSystem.EventuallyAsync(() => ncp.OutcomeAsync(messageId), o => o.Status == "rejected");
        Assert.Equal(1L, await ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.inbound_mail where message_id = @id and raw is not null", ("id", messageId)));
    }

    [Fact]
    public async Task A_bad_mail_does_not_stop_the_good_one_behind_it()
    {
        var de = await ncp.PartnerAsync("de");
        var bad = $"bad-{Guid.NewGuid():N}@partner.example";
        var good = $"good-{Guid.NewGuid():N}@partner.example";

        await ncp.SendRawAsync(Craft("bad-signature", bad));
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(Inner, de.Address, "ncp@ncp.example", "Fine", Pki.Partner("de").CertPem, Pki.Partner("de").KeyPem,
            Pki.NcpNext.CertPem, headers: Id(good)));

        Assert.Equal("quarantined", (await ncp.OutcomeAsync(bad)).Status);
        Assert.Equal("delivered", (await ncp.OutcomeAsync(good)).Status);
    }

    private static byte[] Craft(string reason, string messageId)
    {
        var de = Pki.Partner("de");
        var headers = Id(messageId);
        const string from = "de@partner.example";
        const string to = "ncp@ncp.example";
        return reason switch
        {
            "not-encrypted" => OpenSslMail.SignDetached(Inner, from, to, "Signed, not encrypted", de.CertPem, de.KeyPem, headers),
            "missing-signature" => OpenSslMail.EncryptOnly(Inner, from, to, "Encrypted, not signed", Pki.NcpNext.CertPem, headers),
            "cannot-decrypt" => OpenSslMail.SignThenEncrypt(Inner, from, to, "For someone else", de.CertPem, de.KeyPem, Pki.Partner("nl").CertPem, headers: headers),
            "signer-not-partner" => OpenSslMail.SignThenEncrypt(Inner, from, to, "Signed by fr", Pki.Partner("fr").CertPem, Pki.Partner("fr").KeyPem, Pki.NcpNext.CertPem,
                headers: headers),
            "expired-certificate" => OpenSslMail.SignThenEncrypt(Inner, "old@partner.example", to, "Old certificate", Pki.Partner("old").CertPem, Pki.Partner("old").KeyPem,
                Pki.NcpNext.CertPem, headers: headers),
            "bad-signature" => Tamper(OpenSslMail.EncryptThenSign(Inner, from, to, "Altered on the way", de.CertPem, de.KeyPem, Pki.NcpNext.CertPem, detached: true,
                headers: headers)),
            "malformed" => Encoding.ASCII.GetBytes(
                $"From: {from}\r\nTo: {to}\r\nSubject: signature lost\r\nMessage-ID: <{messageId}>\r\n"
                + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s\r\n\r\n"
                + "--s\r\nContent-Type: text/plain\r\n\r\nThe signature part went missing on the way.\r\n--s--\r\n"),
            "too-large" => Encoding.ASCII.GetBytes(
                $"From: {from}\r\nTo: {to}\r\nSubject: big\r\nMessage-ID: <{messageId}>\r\nContent-Type: text/plain\r\n\r\n" + new string('x', 2_100_000) + "\r\n"),
            "too-many-parts" => Encoding.ASCII.GetBytes(
                $"From: {from}\r\nTo: {to}\r\nSubject: parts\r\nMessage-ID: <{messageId}>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + string.Concat(Enumerable.Range(0, 150).Select(i => $"--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n")) + "--b--\r\n"),
            "archive-bomb" => OpenSslMail.SignThenEncrypt(Bomb(), from, to, "Logs attached", de.CertPem, de.KeyPem, Pki.NcpNext.CertPem, headers: headers),
            "unknown-sender" => OpenSslMail.SignThenEncrypt(Inner, "stranger@elsewhere.example", to, "Hello", de.CertPem, de.KeyPem, Pki.NcpNext.CertPem, headers: headers),
            _ => throw new ArgumentOutOfRangeException(nameof(reason)),
        };
    }

    // 20 MB of zeros: about 20 kB zipped, a thousand times smaller than it expands to.
    private static string Bomb()
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("logs.txt", CompressionLevel.SmallestSize).Open();
            entry.Write(new byte[20_000_000]);
        }

        var base64 = Convert.ToBase64String(zip.ToArray(), Base64FormattingOptions.InsertLineBreaks);
        return "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nLogs attached.\r\n--z\r\n"
            + "Content-Type: application/zip\r\nContent-Disposition: attachment; filename=logs.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64 + "\r\n--z--\r\n";
    }

    // Changes one base64 character inside the signed (encrypted) part: still well-formed, no longer what was signed.
    private static byte[] Tamper(byte[] mail)
    {
        var text = Encoding.ASCII.GetString(mail);
        var start = text.IndexOf("enveloped-data", StringComparison.Ordinal);
        var body = text.IndexOf("\r\n\r\n", start, StringComparison.Ordinal) + 4;
        var at = body + 20;
        var flipped = text[at] == 'A' ? 'B' : 'A';
        return Encoding.ASCII.GetBytes(text[..at] + flipped + text[(at + 1)..]);
    }

    private static Dictionary<string, string> Id(string messageId) => new() { ["Message-ID"] = $"<{messageId}>" };
}
