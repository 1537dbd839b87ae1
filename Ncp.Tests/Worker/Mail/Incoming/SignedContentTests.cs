using System.Globalization;
using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// What is shown as signed is what was signed: partners' mail made by openssl and gpg, changed outside the signature on
/// the way, sent again, or signed long ago, through the real mail servers to the item's screen.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class SignedContentTests(NcpSystem ncp)
{
    private static TestPki Pki => MailGateway.Pki;

    [Fact]
    public async Task A_signed_reply_whose_outer_subject_and_in_reply_to_were_changed_is_shown_and_threaded_as_signed()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, messageId) = await ncp.SendRequestAsync(de, "Answer me under header protection");
        var (decoy, decoyId) = await ncp.SendRequestAsync(de, "A request the changed headers point at");
        var mailId = $"<{Guid.NewGuid():N}@partner.example>";
        // RFC 9788: the signed root part carries the headers the partner's client protected, marked hp="cipher".
        var inner = $"Content-Type: text/plain; charset=utf-8; hp=\"cipher\"\r\nSubject: Subscriber data as signed\r\nFrom: {de.Address}\r\n"
            + $"Message-ID: {mailId}\r\nIn-Reply-To: <{messageId}>\r\nReferences: <{messageId}>\r\n\r\nThe subscriber is John Doe.";
        var partner = Pki.Partner("de");
        var raw = OpenSslMail.SignThenEncrypt(inner, de.Address, "ncp@ncp.example", "Pay the fee to IBAN XX00 today", partner.CertPem, partner.KeyPem,
            Pki.Ncp.CertPem, headers: Headers(("Message-ID", mailId), ("In-Reply-To", $"<{decoyId}>"), ("References", $"<{decoyId}>")));

        await ncp.SendRawAsync(raw);

        var (view, timeline) = await ShownAsync(item.Number());
        Assert.Equal("Subscriber data as signed", view.Str("subject"));
        var warnings = Warnings(view);
        Assert.Contains(warnings, w => w.Contains("subject outside the signature differs", StringComparison.Ordinal)
            && w.Contains("Pay the fee to IBAN XX00 today", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("In-Reply-To outside the signature differs", StringComparison.Ordinal)
            && w.Contains(decoyId, StringComparison.Ordinal));
        Assert.Contains("subject outside the signature differs", timeline, StringComparison.Ordinal);
        // The same, as codes the screen says in the officer's language: one for each warning, in the same order.
        var coded = Coded(view);
        Assert.Equal(warnings.Length, coded.Length);
        Assert.Contains(coded, c => c.Str("code") == "header-differs" && c.GetProperty("facts").Str("header") == "subject"
            && c.GetProperty("facts").Str("outside") == "signature" && c.GetProperty("facts").Str("outer") == "Pay the fee to IBAN XX00 today"
            && c.GetProperty("facts").Str("protected") == "Subscriber data as signed");
        Assert.Contains(coded, c => c.Str("code") == "header-differs" && c.GetProperty("facts").Str("header") == "in-reply-to");
        var decoyMail = (await ncp.ClientFor("duty").GetJsonAsync($"/api/items/{decoy.Number()}")).GetProperty("mail").EnumerateArray();
        Assert.DoesNotContain(decoyMail, m => m.Str("status") == "received");
    }

    [Fact]
    public async Task A_pgp_mail_wrapping_the_signed_message_whole_is_shown_and_threaded_by_the_wrapped_headers()
    {
        var fr = await ncp.PartnerAsync("fr");
        var (item, messageId) = await ncp.SendRequestAsync(fr, "Answer me with the whole message signed");
        var (_, decoyId) = await ncp.SendRequestAsync(fr, "Another request of the same partner");
        var mailId = $"<{Guid.NewGuid():N}@partner.example>";
        // The older convention (RFC 8551 3.1, used by PGP/MIME clients too): the whole message inside, in message/rfc822.
        var inner = $"Content-Type: message/rfc822\r\n\r\nFrom: {fr.Address}\r\nSubject: Logs preserved as signed\r\nMessage-ID: {mailId}\r\n"
            + $"In-Reply-To: <{messageId}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe logs are preserved until March.";
        var raw = Pki.Gpg.EncryptedMail(inner, fr.Address, "ncp@ncp.example", "Re: something else",
            headers: Headers(("Message-ID", mailId), ("In-Reply-To", $"<{decoyId}>")));

        await ncp.SendRawAsync(raw);

        var (view, _) = await ShownAsync(item.Number());
        Assert.Equal("Logs preserved as signed", view.Str("subject"));
        Assert.Contains("The logs are preserved until March.", view.Str("text"), StringComparison.Ordinal);
        var warnings = Warnings(view);
        Assert.Contains(warnings, w => w.Contains("subject outside the signature differs: \"Re: something else\"", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("In-Reply-To outside the signature differs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_signed_mail_sent_again_as_a_new_message_is_held_as_replayed_and_read_again_it_is_not()
    {
        var de = await ncp.PartnerAsync("de");
        var (item, _) = await ncp.SendRequestAsync(de, "Answer me once");
        var firstId = $"{Guid.NewGuid():N}@partner.example";
        var partner = Pki.Partner("de");
        var raw = OpenSslMail.SignThenEncrypt("Content-Type: text/plain; charset=utf-8\r\n\r\nThe account was closed.", de.Address, "ncp@ncp.example",
            $"Re: [{item.Number()}]", partner.CertPem, partner.KeyPem, Pki.Ncp.CertPem, headers: Headers(("Message-ID", $"<{firstId}>")));
        await ncp.SendRawAsync(raw);
        var first = await ncp.OutcomeAsync(firstId);
        Assert.Equal("delivered", first.Status);

        // Only the outer Message-ID is new: the signed and encrypted content is the same bytes, as a replay would send them.
        var againId = $"{Guid.NewGuid():N}@partner.example";
        await ncp.SendRawAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(raw).Replace(firstId, againId, StringComparison.Ordinal)));

        var again = await ncp.OutcomeAsync(againId);
        Assert.Equal(("quarantined", "replayed"), (again.Status, again.Reason));
        var arrived = await ncp.QueryAsync<DateTime>($"select received_at from {ncp.WorkerSchema}.inbound_mail where id = @id", ("id", first.Id));
        Assert.Contains(arrived.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), again.Detail, StringComparison.Ordinal);
        Assert.Contains(firstId, again.Detail, StringComparison.Ordinal);

        // The first mail opened again (as after a crash between judging and marking it) is still itself, not a replay.
        await ncp.QueryAsync<int?>(
            $"update {ncp.WorkerSchema}.inbound_mail set status = 'new', attempts = 0, not_before = null where id = @id", ("id", first.Id));
        var reread = await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<string>($"select status from {ncp.WorkerSchema}.inbound_mail where id = @id", ("id", first.Id)),
            status => status != "new", TimeSpan.FromSeconds(60));
        Assert.Equal("delivered", reread);
    }

    [Theory]
    [InlineData(-30, "30 days before it arrived")]
    [InlineData(2, "after it arrived")]
    public async Task A_mail_signed_long_before_it_arrived_or_after_is_flagged_on_its_item(int days, string flagged)
    {
        var fr = await ncp.PartnerAsync("fr");
        var (item, _) = await ncp.SendRequestAsync(fr, $"Signed {days} days off");
        var raw = Pki.Gpg.At(DateTimeOffset.UtcNow.AddDays(days)).EncryptedMail(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nThe logs are attached.", fr.Address, "ncp@ncp.example", $"Re: [{item.Number()}]");

        await ncp.SendRawAsync(raw);

        var (view, timeline) = await ShownAsync(item.Number());
        Assert.Contains(Warnings(view), w => w.Contains(flagged, StringComparison.Ordinal));
        var coded = Assert.Single(Coded(view));
        Assert.Equal(days < 0 ? "signed-long-before" : "signed-after-arrival", coded.Str("code"));
        Assert.True(coded.GetProperty("facts").TryGetProperty(days < 0 ? "days" : "minutes", out _), coded.ToString());
        Assert.Contains(flagged, timeline, StringComparison.Ordinal);
        Assert.Contains(flagged, (await ncp.ReceivedAsync(item.Number())).Str("detail"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("de")]
    [InlineData("fr")]
    public async Task Our_mail_carries_its_headers_inside_the_signature_for_the_partner_s_client_to_check(string name)
    {
        var partner = await ncp.PartnerAsync(name);
        var (_, messageId) = await ncp.SendRequestAsync(partner, $"Protected headers to {name}");

        var raw = await ncp.FetchAsync(partner.Address, messageId);

        var smime = Pki.Partner("de");
        var inner = Encoding.UTF8.GetBytes(name == "de"
            ? OpenSslMail.DecryptAndVerify(raw, smime.CertPem, smime.KeyPem, Pki.Ca.CertPem).Content
            : Pki.Gpg.DecryptAndVerify(raw).Content);
        Assert.Equal("cipher", RawMime.ContentTypeOf(inner).Parameters["hp"]);
        foreach (var header in new[] { "Subject", "Message-ID", "From", "To" })
        {
            Assert.Equal(RawMime.Header(raw, header), RawMime.Header(inner, header));
        }

        Assert.Contains("\r\nHP-Outer: Subject: ", RawMime.Utf8(inner), StringComparison.Ordinal);
    }

    // The mail as the officer opens it, and its line on the item's timeline.
    private async Task<(JsonElement View, string Timeline)> ShownAsync(string number)
    {
        var mail = await ncp.ReceivedAsync(number);
        var duty = ncp.ClientFor("duty");
        var view = await duty.GetJsonAsync($"/api/items/{number}/mail/{mail.Str("id")}");
        var detail = await duty.GetJsonAsync($"/api/items/{number}");
        var line = detail.GetProperty("timeline").EnumerateArray().Last(e => e.Str("what") == "mail-received");
        return (view, line.Str("text"));
    }

    private static JsonElement[] Coded(JsonElement view) => [.. view.GetProperty("codedWarnings").EnumerateArray()];

    private static string[] Warnings(JsonElement view) => [.. view.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!)];

    private static Dictionary<string, string> Headers(params (string Name, string Value)[] headers) => headers.ToDictionary(h => h.Name, h => h.Value);
}
