using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Worker.Mail.Outgoing;

namespace Ncp.Tests.Worker.Mail.Outgoing;

/// <summary>
/// A preservation request in its form, with two identifiers, the facts, a handling marking and a file, as the Api asks
/// for it: delivered through the project's Postfix to the partner's Dovecot mailbox, and read there with the partner's
/// own tools (openssl, gpg), file and all.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class RequestFormDeliveryTests(NcpSystem ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task A_preservation_request_to_an_smime_partner_carries_the_identifiers_facts_marking_and_file_and_is_resent_unchanged()
    {
        var de = await ncp.PartnerAsync("de");
        var (request, file) = await PublishAsync(de, "en", "Preserve for the bank case (S/MIME)");
        var messageId = Ledger.MessageIdFor(request.DispatchId);

        var raw = await ncp.FetchAsync(de.Address, messageId);
        var reading = OpenSslMail.DecryptAndVerify(raw, Pki.Partner("de").CertPem, Pki.Partner("de").KeyPem, Pki.Ca.CertPem);

        Assert.True(reading.Verified, reading.Diagnostics);
        Assert.Equal("enveloped-data", reading.Layers[0]);
        AssertCarriesAll(
            raw, reading.Content, file, "TLP:AMBER \u2014 not to be passed through another channel without the originator's consent",
            "IP address: 203.0.113.7, port 443", "Phone number: +77012345678");

        // The ledger keeps the mail as built; the file's plain bytes left the stored request once they were in it.
        var stored = await ncp.QueryRowsAsync(
            $"""
            select a ? 'content', (a ->> 'bytes')::int, a ->> 'fileName'
            from (select request -> 'attachments' -> 0 as a from {ncp.WorkerSchema}.dispatches where dispatch_id = @id) stored
            """,
            ("id", request.DispatchId));
        Assert.Equal([false, file.Content.Length, "../seized server logs.bin"], stored[0]);

        // The Worker died after the SMTP server took the mail and before it wrote that down: the same mail goes again.
        var reported = $"select reported from {ncp.WorkerSchema}.dispatches where dispatch_id = @id";
        await NcpSystem.EventuallyAsync(() => ncp.QueryAsync<bool>(reported, ("id", request.DispatchId)), r => r);
        await ncp.QueryAsync<int?>(
            $"update {ncp.WorkerSchema}.dispatches set status = 'pending', next_attempt_at = now(), reported = false "
            + "where dispatch_id = @id",
            ("id", request.DispatchId));
        var copies = await NcpSystem.EventuallyAsync(() => ncp.FetchAllAsync(de.Address, messageId), c => c.Count == 2);
        Assert.Equal(BodyOf(copies[0]), BodyOf(copies[1]));
    }

    [Fact]
    public async Task A_preservation_request_to_an_openpgp_partner_in_russian_carries_every_identifier_the_facts_the_marking_and_the_file()
    {
        var fr = await ncp.PartnerAsync("fr");
        var (request, file) = await PublishAsync(fr, "ru", "Сохранение данных по делу банка (OpenPGP)");

        var raw = await ncp.FetchAsync(fr.Address, Ledger.MessageIdFor(request.DispatchId));
        var reading = Pki.Gpg.DecryptAndVerify(raw);

        Assert.True(reading.DecryptionOkay, reading.Diagnostics);
        Assert.True(reading.GoodSignature, reading.Diagnostics);
        Assert.Equal(Pki.Pgp.Ncp.Fingerprint, reading.SignerFingerprint);
        AssertCarriesAll(raw, reading.Content, file,
            "TLP:AMBER \u2014 не подлежит передаче по иным каналам без согласия стороны, предоставившей информацию",
            "IP-адрес: 203.0.113.7, порт 443", "Номер телефона: +77012345678");
    }

    private DispatchLedger Ledger => ncp.Worker.Services.GetRequiredService<DispatchLedger>();

    /// <summary>Publishes the request as the Api would, for an item the Api knows, with a file of every byte value.</summary>
    private async Task<(PartnerMailRequested Request, MailAttachment File)> PublishAsync(
        MailPartner partner, string language, string subject)
    {
        var item = await ncp.ClientFor("duty").RegisterAsync(ItemsApi.OutgoingRequest(partner.Code, subject));
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 % 256)).Concat(RandomNumberGenerator.GetBytes(2048)).ToArray();
        var file = new MailAttachment("../seized server logs.bin", "application/octet-stream", bytes);
        var handling = new MailHandling("no-other-channels", "TLP:AMBER");
        var content = RequestFormTemplateTests.Content("preservation", handling) with { Subject = subject };
        var request = new PartnerMailRequested(
            Guid.NewGuid(), item.GetProperty("id").GetGuid(), item.Number(), "request", partner.Code, [partner.Address], partner.Scheme,
            false, language, content, [], DateTimeOffset.UtcNow, [file]);
        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(request);
        return (request, file);
    }

    private static void AssertCarriesAll(byte[] raw, string decrypted, MailAttachment file, string marking, params string[] identifiers)
    {
        var outer = MimeMessage.Load(new MemoryStream(raw));
        Assert.Equal("no-other-channels", outer.Headers[HandlingMarking.CodeHeader]);
        Assert.Equal("TLP:AMBER", outer.Headers[HandlingMarking.TlpHeader]);

        // Everything else is inside the encryption: the letter, the file, and the protected copy of the headers.
        var inner = Assert.IsType<Multipart>(MimeEntity.Load(new MemoryStream(Encoding.UTF8.GetBytes(decrypted))));
        Assert.Equal("no-other-channels", inner.Headers[HandlingMarking.CodeHeader]);
        Assert.Equal("TLP:AMBER", inner.Headers[HandlingMarking.TlpHeader]);
        var text = Flat(Assert.IsType<TextPart>(inner[0]).Text);
        Assert.StartsWith(marking + " ", text, StringComparison.Ordinal);
        Assert.All(
            [
                .. identifiers, "2026-11-30 14:05:09 +05:00 (Asia/Almaty) = 09:05:09 UTC", RequestFormTemplateTests.Facts,
                "seized server logs.bin",
            ],
            expected => Assert.Contains(expected, text, StringComparison.Ordinal));
        var attached = Assert.Single(inner.OfType<MimePart>(), p => p.IsAttachment);
        Assert.Equal("seized server logs.bin", attached.FileName);
        using var content = new MemoryStream();
        attached.Content!.DecodeTo(content);
        Assert.Equal(file.Content, content.ToArray());
    }

    private static string Flat(string text) => string.Join(' ', text.Split([' ', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    // What a resend must not change: everything under the headers (the servers add their own Received lines on the way).
    private static string BodyOf(byte[] mail)
    {
        using var body = new MemoryStream();
        MimeMessage.Load(new MemoryStream(mail)).Body!.WriteTo(body);
        return Convert.ToBase64String(SHA256.HashData(body.ToArray()));
    }
}

/// <summary>A mail beyond <c>Mail:Limits:MaxOutgoingBytes</c> is refused as too large, by the files alone or as built.</summary>
[Collection(FewAttemptsCollection.Name)]
public sealed class TooLargeMailTests(FewAttemptsNcp ncp)
{
    // The limit here is 256 KiB: 190 kB of files fit as base64 (253 kB) but not once signed and encrypted; 400 kB do not
    // fit at all and are refused before any crypto.
    [Theory]
    [InlineData(190_000)]
    [InlineData(400_000)]
    public async Task A_mail_larger_than_the_limit_is_reported_not_delivered_as_too_large(int fileBytes)
    {
        var de = await ncp.PartnerAsync("de");
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(de.Code, $"Too many logs ({fileBytes} bytes)"));
        var request = new PartnerMailRequested(
            Guid.NewGuid(), item.GetProperty("id").GetGuid(), item.Number(), "request", de.Code, [de.Address], "smime", false, "en",
            RequestFormTemplateTests.Content("preservation"), [], DateTimeOffset.UtcNow,
            [new MailAttachment("logs.bin", "application/octet-stream", RandomNumberGenerator.GetBytes(fileBytes))]);

        await ncp.Worker.Services.GetRequiredService<IBus>().Publish(request);

        var failed = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{item.Number()}"),
            i => i.GetProperty("delivery").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(60));
        Assert.Equal("not-delivered", failed.Str("delivery"));
        var detail = failed.GetProperty("mail")[0].Str("detail");
        Assert.StartsWith("too-large: The mail with its 1 attached file(s) would be ", detail, StringComparison.Ordinal);
        Assert.Contains("(262144 bytes) a mail to a partner may be (Mail:Limits:MaxOutgoingBytes)", detail, StringComparison.Ordinal);
        Assert.Equal(0, await ncp.CountAsync(de.Address, $"{request.DispatchId:N}@ncp.example"));
        var attempts = await ncp.QueryAsync<int>(
            $"select attempts from {ncp.WorkerSchema}.dispatches where dispatch_id = @id", ("id", request.DispatchId));
        Assert.Equal(1, attempts);
    }
}
