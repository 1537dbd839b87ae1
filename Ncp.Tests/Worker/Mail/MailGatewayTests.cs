using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail;

/// <summary>
/// The secure mail gateway end to end: the Api asks, the Worker signs and encrypts, Postfix delivers, and the partner's own
/// tools (openssl, gpg) read it; partners' mail made by those tools arrives over SMTP, is read from Dovecot with IDLE,
/// decrypted, verified and filed with its item.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class MailGatewayTests(NcpSystem ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task A_request_to_an_smime_partner_is_decrypted_and_verified_by_openssl_and_kept_in_the_sent_folder()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Subscriber data for 198.51.100.23");

        var reading = OpenSslMail.DecryptAndVerify(await ncp.FetchAsync("de@partner.example", messageId), Pki.Partner("de").CertPem, Pki.Partner("de").KeyPem, Pki.Ca.CertPem);

        Assert.True(reading.Verified, reading.Diagnostics);
        Assert.Contains(item.Number(), TextOf(reading.Content), StringComparison.Ordinal);
        Assert.Contains("Convention on Cybercrime", TextOf(reading.Content), StringComparison.Ordinal);
        Assert.Equal("enveloped-data", reading.Layers[0]);
        // Signed by the newest of our two certificates (rotation), which openssl chains to the CA.
        Assert.Equal(File.ReadAllText(Pki.NcpNext.CertPem).Trim(), reading.SignerCertPem?.Trim());
        await NcpSystem.EventuallyAsync(() => ncp.CountAsync("ncp@ncp.example", messageId, $"{ncp.RunId}-sent"), n => n == 1);
        // The ledger says when: the copy follows the send.
        var copied = await NcpSystem.EventuallyAsync(
            () => ncp.QueryRowsAsync($"select sent_at, copied_at from {ncp.WorkerSchema}.dispatches where message_id = @id", ("id", messageId)),
            rows => rows is [[DateTime, DateTime]]);
        Assert.True((DateTime)copied[0][1]! >= (DateTime)copied[0][0]!);
    }

    [Fact]
    public async Task A_request_to_a_partner_with_an_EC_certificate_is_decrypted_by_openssl_with_its_EC_key_and_our_Sent_copy_with_ours()
    {
        var ec = Pki.Partner("ec");
        var partner = await ncp.PartnerWithCertificateAsync("ec", ec);
        var (item, messageId) = await ncp.SendRequestAsync(partner, "Subscriber data for 198.51.100.26");

        var raw = await ncp.FetchAsync(ec.Email, messageId);
        var reading = OpenSslMail.DecryptAndVerify(raw, ec.CertPem, ec.KeyPem, Pki.Ca.CertPem);

        Assert.True(reading.Verified, reading.Diagnostics);
        Assert.Equal(["enveloped-data", "multipart/signed"], reading.Layers);
        Assert.Contains(item.Number(), TextOf(reading.Content), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Pki.NcpNext.CertPem).Trim(), reading.SignerCertPem?.Trim());
        Assert.Contains("dhSinglePass-stdDH-sha256kdf-scheme", OpenSslMail.Structure(raw), StringComparison.Ordinal);
        var copy = await ncp.FetchAsync("ncp@ncp.example", messageId, $"{ncp.RunId}-sent");
        Assert.True(OpenSslMail.DecryptAndVerify(copy, Pki.NcpNext.CertPem, Pki.NcpNext.KeyPem, Pki.Ca.CertPem).Verified);
    }

    [Fact]
    public async Task A_request_to_an_openpgp_partner_is_decrypted_and_verified_by_gpg_in_russian_with_the_officer_s_legal_basis()
    {
        var fr = await ncp.PartnerAsync("fr");
        var (item, messageId) = await ncp.SendRequestAsync(fr, "Данные абонента для 198.51.100.24", "Конвенция о киберпреступности, ст. 29; УПК РК, ст. 1");

        var reading = Pki.Gpg.DecryptAndVerify(await ncp.FetchAsync("fr@partner.example", messageId));

        Assert.True(reading.DecryptionOkay, reading.Diagnostics);
        Assert.True(reading.GoodSignature, reading.Diagnostics);
        Assert.Equal(Pki.Pgp.Ncp.Fingerprint, reading.SignerFingerprint);
        Assert.Contains(item.Number(), TextOf(reading.Content), StringComparison.Ordinal);
        Assert.Contains("3. Правовое основание\n   Конвенция о киберпреступности, ст. 29; УПК РК, ст. 1\n", TextOf(reading.Content).ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_with_one_revoked_user_id_still_receives_mail_at_its_valid_one()
    {
        var multi = await ncp.PartnerAsync("multi");
        var (_, messageId) = await ncp.SendRequestAsync(multi, "Logs for 198.51.100.25");

        var reading = Pki.Gpg.DecryptAndVerify(await ncp.FetchAsync("multi@partner.example", messageId));

        Assert.True(reading.DecryptionOkay && reading.GoodSignature, reading.Diagnostics);
    }

    [Fact]
    public async Task A_partner_whose_certificate_expired_gets_no_mail_and_the_others_still_do()
    {
        var old = await ncp.PartnerAsync("old");
        var de = await ncp.PartnerAsync("de");
        var duty = ncp.ClientFor("duty");
        var stuck = await duty.ActAsync((await duty.RegisterAsync(ItemsApi.OutgoingRequest(old.Code, "To an expired certificate"))).Number(), "send");
        var (_, messageId) = await ncp.SendRequestAsync(de, "Sent while another partner's certificate has expired");

        var failed = await NcpSystem.EventuallyAsync(() => duty.GetJsonAsync($"/api/items/{stuck.Number()}"), i => i.GetProperty("delivery").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(60));
        Assert.Equal("not-delivered", failed.Str("delivery"));
        Assert.StartsWith("partner-key-expired", failed.GetProperty("mail")[0].Str("detail"), StringComparison.Ordinal);
        Assert.NotEmpty(await ncp.FetchAsync("de@partner.example", messageId));
    }

    [Fact]
    public async Task A_reply_made_by_openssl_is_threaded_to_its_item_by_in_reply_to()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Reply to me by S/MIME");
        var partner = Pki.Partner("de");
        var reply = OpenSslMail.SignThenEncrypt(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nThe subscriber is John Doe, Example Street 1.", de.Address, "ncp@ncp.example", "Subscriber data",
            partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem, headers: Headers(("In-Reply-To", $"<{messageId}>"), ("Message-ID", $"<{Guid.NewGuid():N}@partner.example>")));

        await ncp.SendRawAsync(reply);

        var mail = await ncp.ReceivedAsync(item.Number());
        Assert.Equal(JsonValueKind.Null, mail.GetProperty("detail").ValueKind);
        var view = await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{item.Number()}/mail/{mail.Str("id")}");
        Assert.Contains("John Doe", view.Str("text"), StringComparison.Ordinal);
        Assert.Equal("smime", view.Str("protection"));
        Assert.Equal("valid", view.Str("signature"));
    }

    [Fact]
    public async Task A_reply_made_by_gpg_is_threaded_by_the_register_number_in_its_subject()
    {
        var fr = await ncp.PartnerAsync("fr");
        var (item, _) = await ncp.SendRequestAsync(fr, "Reply to me by OpenPGP");
        var reply = Pki.Gpg.EncryptedMail(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nДанные сохранены.", fr.Address, "ncp@ncp.example", $"Re: [{item.Number()}] ответ");

        await ncp.SendRawAsync(reply);

        var mail = await ncp.ReceivedAsync(item.Number());
        Assert.Equal("openpgp", mail.Str("protection"));
    }

    [Theory]
    [InlineData("opaque")]
    [InlineData("detached")]
    [InlineData("encrypted-inside-signed")]
    public async Task Smime_mail_in_each_shape_partners_send_is_read(string shape)
    {
        var de = await ncp.PartnerAsync("de");
        var (item, _) = await ncp.SendRequestAsync(de, $"Shape {shape}");
        var partner = Pki.Partner("de");
        const string inner = "Content-Type: text/plain; charset=utf-8\r\n\r\nAnswer.";
        var subject = $"Re: [{item.Number()}]";
        var raw = shape switch
        {
            "opaque" => OpenSslMail.SignThenEncrypt(inner, de.Address, "ncp@ncp.example", subject, partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem),
            "detached" => OpenSslMail.SignThenEncrypt(inner, de.Address, "ncp@ncp.example", subject, partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem, detached: true),
            _ => OpenSslMail.EncryptThenSign(inner, de.Address, "ncp@ncp.example", subject, partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem, detached: true),
        };

        await ncp.SendRawAsync(raw);

        Assert.Equal("smime", (await ncp.ReceivedAsync(item.Number())).Str("protection"));
    }

    [Fact]
    public async Task Mail_encrypted_to_our_previous_certificate_is_still_read()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, _) = await ncp.SendRequestAsync(de, "Encrypted to the old certificate");
        var partner = Pki.Partner("de");
        var raw = OpenSslMail.SignThenEncrypt("Content-Type: text/plain\r\n\r\nOld key.", de.Address, "ncp@ncp.example", $"[{item.Number()}]",
            partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem);

        await ncp.SendRawAsync(raw);

        await ncp.ReceivedAsync(item.Number());
    }

    // "bcc": our address is in no header the sender wrote, only in the envelope, so only in the Delivered-To that
    // Dovecot's LMTP adds: that case too.
    [Theory]
    [InlineData("bcc")]
    [InlineData("cc-without-to")]
    public async Task Mail_that_names_us_only_in_bcc_delivered_to_or_cc_is_read(string addressing)
    {
        var de = await ncp.PartnerAsync("de");
        var (item, _) = await ncp.SendRequestAsync(de, $"Addressed by {addressing}");
        var partner = Pki.Partner("de");
        var headers = addressing == "bcc"
            ? Headers(("To", "someone-else@partner.example"))
            : Headers(("To", ""), ("Cc", "ncp@ncp.example"));
        var raw = OpenSslMail.SignThenEncrypt("Content-Type: text/plain\r\n\r\nHello.", de.Address, "ncp@ncp.example", $"[{item.Number()}] {addressing}",
            partner.CertPem, partner.KeyPem, Pki.NcpNext.CertPem, headers: headers);

        await ncp.SendRawAsync(raw);

        await ncp.ReceivedAsync(item.Number());
    }

    [Fact]
    public async Task A_new_request_from_a_partner_opens_an_incoming_item()
    {
        var de = await ncp.PartnerAsync("de");
        var partner = Pki.Partner("de");
        var subject = $"URGENT preservation request {Guid.NewGuid():N}"[..40];
        var raw = OpenSslMail.SignThenEncrypt("Content-Type: text/plain\r\n\r\nPlease preserve the logs of 203.0.113.9.", de.Address, "ncp@ncp.example", subject,
            partner.CertPem, partner.KeyPem, Pki.NcpNext.CertPem);

        await ncp.SendRawAsync(raw);

        var duty = ncp.ClientFor("duty");
        var found = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items?partner={de.Code}&direction=incoming"),
            list => list.GetProperty("items").EnumerateArray().Any(i => i.Str("subject") == subject), TimeSpan.FromSeconds(60));
        var item = found.GetProperty("items").EnumerateArray().Single(i => i.Str("subject") == subject);
        Assert.Equal("request", item.Str("kind"));
        Assert.Equal("urgent", item.Str("priority"));
        var detail = await duty.GetJsonAsync($"/api/items/{item.Number()}");
        Assert.Equal("received", detail.GetProperty("mail")[0].Str("status"));
        Assert.NotNull(detail.GetProperty("deadlines").GetProperty("replyBy").GetString());
    }

    [Fact]
    public async Task A_mail_quoting_only_the_partners_own_reference_is_threaded_to_its_item()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, _) = await ncp.SendRequestAsync(de, "They will quote their reference");
        var reference = $"BKA-{Guid.NewGuid():N}"[..16].ToUpperInvariant();
        await ncp.ClientFor("duty").ActAsync(item.Number(), "acknowledge", new { partnerReference = reference });
        var partner = Pki.Partner("de");

        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt("Content-Type: text/plain\r\n\r\nPlease find the data.", de.Address, "ncp@ncp.example",
            $"Our file {reference}: data", partner.CertPem, partner.KeyPem, Pki.NcpNext.CertPem));

        await ncp.ReceivedAsync(item.Number());
    }

    [Fact]
    public async Task Without_a_key_nothing_is_sent_unless_an_administrator_allowed_plaintext_and_then_it_goes_signed()
    {
        var code = $"{ncp.RunId.ToUpperInvariant()}-PLAIN";
        var profile = Ncp.Tests.Partners.PartnerDirectoryTests.Profile(code);
        profile["addresses"] = new System.Text.Json.Nodes.JsonArray("nl@partner.example");
        profile["encryption"] = "smime";
        var admin = ncp.ClientFor("admin");
        await ItemsApi.ExpectAsync(await admin.PostAsJsonAsync("/api/partners", profile), HttpStatusCode.Created);
        var duty = ncp.ClientFor("duty");

        var refused = await duty.RegisterAsync(ItemsApi.OutgoingRequest(code, "No key, no override"));
        await duty.ActAsync(refused.Number(), "send");
        var failed = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{refused.Number()}"), i => i.GetProperty("delivery").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(60));
        Assert.StartsWith("no-partner-key", failed.GetProperty("mail")[0].Str("detail"), StringComparison.Ordinal);

        await ItemsApi.ExpectAsync(
            await admin.PostAsJsonAsync($"/api/partners/{code}/plaintext-override", new { reason = "Partner's PKI down until Monday; agreed by phone" }), HttpStatusCode.OK);
        var plain = await duty.RegisterAsync(ItemsApi.OutgoingRequest(code, "Plaintext by override"));
        await duty.ActAsync(plain.Number(), "send");
        var sent = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{plain.Number()}"), i => i.GetProperty("mail").GetArrayLength() > 0, TimeSpan.FromSeconds(60));
        var mail = sent.GetProperty("mail")[0];
        Assert.Equal("plaintext-by-override", mail.Str("protection"));
        var raw = await ncp.FetchAsync("nl@partner.example", mail.Str("messageId"));
        var reading = OpenSslMail.DecryptAndVerify(raw, Pki.Partner("nl").CertPem, Pki.Partner("nl").KeyPem, Pki.Ca.CertPem);
        Assert.True(reading.Verified, reading.Diagnostics);
        Assert.Equal("multipart/signed", reading.Layers[0]);
    }

    // The decrypted entity is MIME: a Cyrillic or typographic text part comes base64 or quoted-printable encoded.
    internal static string TextOf(string entity)
    {
        var parsed = MimeKit.MimeEntity.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(entity)));
        return string.Join("\n", new[] { parsed }.Concat(parsed is MimeKit.Multipart m ? m : []).OfType<MimeKit.TextPart>().Select(t => t.Text));
    }

    private static Dictionary<string, string> Headers(params (string Name, string Value)[] headers) => headers.ToDictionary(h => h.Name, h => h.Value);
}
