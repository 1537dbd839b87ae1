using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Quarantine;

/// <summary>
/// An officer reads a held mail before deciding on it: its text (HTML only sanitised), its attachments with their hashes,
/// who signed it with what certificate, and for an unknown sender the partner it most likely comes from. Real mail through
/// Postfix and Dovecot, opened by the Worker, kept and shown by the Api.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class ReadingHeldMailTests(NcpSystem ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task A_held_mail_from_an_unknown_sender_shows_its_text_sanitised_its_attachment_with_hash_and_download_and_the_closest_partner()
    {
        var held = await ncp.FromStrangerAsync();
        var duty = ncp.ClientFor("duty");
        var since = await ncp.QueryAsync<long>($"select coalesce(max(seq), 0) from {ncp.ApiSchema}.audit_log");

        var read = await duty.GetJsonAsync($"/api/quarantine/{held.Id}/content");

        Assert.Equal(("plaintext", HeldMails.TextLine), (read.Str("protection"), read.Str("text").Trim()));
        var html = read.Str("safeHtml");
        Assert.Contains("203.0.113.7", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tracker.example", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", html, StringComparison.Ordinal);
        var attachment = Assert.Single(read.GetProperty("attachments").EnumerateArray());
        Assert.Equal(
            (HeldMails.AttachmentName, "application/pdf", (long)held.Attachment.Length, HeldMails.Sha256(held.Attachment), true),
            (attachment.Str("fileName"), attachment.Str("contentType"), attachment.GetProperty("size").GetInt64(), attachment.Str("sha256"),
                attachment.GetProperty("downloadable").GetBoolean()));
        Assert.Empty(read.GetProperty("signers").EnumerateArray());
        var closest = read.GetProperty("closestPartner");
        Assert.Equal((held.PartnerCode, held.PartnerAddress, "same-domain"), (closest.Str("code"), closest.Str("address"), closest.Str("likeness")));

        using var download = await duty.GetAsync($"/api/quarantine/{held.Id}/attachments/{attachment.Str("sha256")}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(held.Attachment, await download.Content.ReadAsByteArrayAsync());
        using var other = await duty.GetAsync($"/api/quarantine/{held.Id}/attachments/{HeldMails.Sha256([1, 2, 3])}");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);

        var audited = await ncp.QueryRowsAsync(
            $"select action, outcome from {ncp.ApiSchema}.audit_log where seq > @since and detail like @id order by seq", ("since", since), ("id", $"id={held.Id}%"));
        Assert.Equal(
            ["read-quarantined-mail-content:success", "download-quarantined-attachment:success", "download-quarantined-attachment:failure: 404"],
            audited.Select(r => $"{r[0]}:{r[1]}").ToArray());
    }

    [Fact]
    public async Task A_mail_signed_by_another_partners_certificate_is_held_decrypted_with_the_signer_issuer_and_validity_in_words()
    {
        var de = await ncp.PartnerAsync("de");
        var fr = Pki.Partner("fr");
        var messageId = $"signed-by-fr-{Guid.NewGuid():N}@partner.example";
        const string inner = "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
            "Subscriber data for +49 30 1234567 attached.\r\n--in\r\nContent-Type: text/csv; name=\"subscriber.csv\"\r\n" +
            "Content-Disposition: attachment; filename=\"subscriber.csv\"\r\n\r\nnumber,name\r\n+49301234567,Example\r\n--in--\r\n";
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(
            inner, de.Address, "ncp@ncp.example", "Subscriber data", fr.CertPem, fr.KeyPem, Pki.NcpNext.CertPem,
            headers: new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" }));
        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "signer-not-partner" }, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");

        var supervisor = ncp.ClientFor("supervisor");
        var read = await NcpSystem.EventuallyAsync(
            async () => (await supervisor.GetAsync($"/api/quarantine/{outcome.Id}/content")) is { StatusCode: HttpStatusCode.OK } ok
                ? await ok.Content.ReadFromJsonAsync<JsonElement>() : default,
            r => r.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(60));

        Assert.Equal("smime", read.Str("protection"));
        Assert.Contains("Subscriber data for +49 30 1234567 attached.", read.Str("text"), StringComparison.Ordinal);
        var file = Assert.Single(read.GetProperty("attachments").EnumerateArray());
        Assert.Equal("subscriber.csv", file.Str("fileName"));
        Assert.Equal(HeldMails.Sha256("number,name\r\n+49301234567,Example"u8.ToArray()), file.Str("sha256"));

        var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(fr.CertPem));
        var signer = Assert.Single(read.GetProperty("signers").EnumerateArray());
        Assert.True(signer.GetProperty("signatureValid").GetBoolean());
        Assert.Equal(fr.Email, signer.Str("email"));
        Assert.Equal(certificate.Thumbprint, signer.Str("fingerprint"));
        Assert.Equal(certificate.Subject, signer.Str("signer"));
        Assert.Equal(certificate.Issuer, signer.Str("issuer"));
        Assert.Equal(new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), signer.GetProperty("validFrom").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), signer.GetProperty("validUntil").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("closestPartner").ValueKind);
    }

    [Fact]
    public async Task A_mail_that_could_not_be_decrypted_is_downloaded_as_its_original_eml_byte_for_byte_and_the_download_is_audited()
    {
        var de = await ncp.PartnerAsync("de");
        var messageId = $"not-for-us-{Guid.NewGuid():N}@partner.example";
        // Encrypted by openssl to another partner's certificate: the gateway has no key that opens it.
        var raw = OpenSslMail.EncryptOnly(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nSealed for someone else.", de.Address, "ncp@ncp.example", "Sealed", Pki.Partner("fr").CertPem,
            new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" });
        await ncp.AppendRawAsync(raw);
        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "cannot-decrypt" }, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
        var duty = ncp.ClientFor("duty");
        await NcpSystem.EventuallyAsync(
            async () => (await duty.GetAsync($"/api/quarantine/{outcome.Id}")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        var since = await ncp.QueryAsync<long>($"select coalesce(max(seq), 0) from {ncp.ApiSchema}.audit_log");

        using var download = await duty.GetAsync($"/api/quarantine/{outcome.Id}/original");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("message/rfc822", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"held-mail-{outcome.Id}.eml", download.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(["nosniff"], download.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal(raw, await download.Content.ReadAsByteArrayAsync());
        using var unknown = await duty.GetAsync($"/api/quarantine/{Guid.CreateVersion7()}/original");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var audited = await ncp.QueryRowsAsync(
            $"select action, outcome from {ncp.ApiSchema}.audit_log where seq > @since and detail like @id order by seq",
            ("since", since), ("id", $"id={outcome.Id}%"));
        Assert.Equal(["download-quarantined-original:success"], audited.Select(r => $"{r[0]}:{r[1]}").ToArray());
    }
}
