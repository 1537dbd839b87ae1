using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using Ncp.Worker.Mail.Crypto;

namespace Ncp.Tests.Worker.Mail;

/// <summary>
/// Whom the gateway believes a signature of: only certificates chaining to the claimed partner's own trust anchors, never
/// revoked by a list we hold, and signed over a hash that cannot be forged. Mail through the real SMTP and IMAP servers,
/// keys and revocation lists made by openssl.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class PartnerTrustTests(NcpSystem ncp)
{
    private const string Inner = "Content-Type: text/plain; charset=utf-8\r\n\r\nHello from a partner.";

    private static TestPki Pki => MailGateway.Pki;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_mail_signed_under_another_partners_CA_in_this_partners_name_is_held_as_signer_not_partner()
    {
        // The run's test CA is partner DE's (its certificate imported under it); partner B has a PKI of its own. DE's CA issues a
        // certificate in B's name: it chains to a root the gateway trusts, for DE, and carries B's address.
        await ncp.PartnerAsync("de");
        using var caOfB = new PartnerCa("Partner B Root");
        var b = new MailPartner($"{ncp.RunId}-B{Guid.NewGuid():N}"[..24].ToUpperInvariant(), $"b-{Guid.NewGuid():N}@partner.example", "smime");
        await MailGateway.RegisterAsync(ncp.ClientFor("admin"), b, "en", caOfB.CertPem);
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.partners where code = @code", ("code", b.Code)), n => n == 1);
        using var caOfDe = new IssuerOf(Pki.Ca);
        var forged = caOfDe.Issue(b.Address);
        var genuine = caOfB.Issue(b.Address);

        var forgedId = await SendSignedAsync(b, forged);
        var genuineId = await SendSignedAsync(b, genuine);

        var held = await ncp.OutcomeAsync(forgedId);
        Assert.True(held is { Status: "quarantined", Reason: "signer-not-partner" }, $"{held.Status} {held.Reason}: {held.Detail}");
        Assert.Contains("issued by an authority we do not trust", held.Detail, StringComparison.Ordinal);
        var delivered = await ncp.OutcomeAsync(genuineId);
        Assert.True(delivered.Status == "delivered", $"{delivered.Status} {delivered.Reason}: {delivered.Detail}");
    }

    [Fact]
    public async Task A_mail_signed_with_a_certificate_revoked_in_a_revocation_list_file_is_held_with_the_date_and_reason()
    {
        using var ca = new PartnerCa("Partner Revoking Root");
        var identity = ca.Issue($"revoked-{Guid.NewGuid():N}@partner.example");
        var partner = await ncp.PartnerWithCertificateAsync($"R{Guid.NewGuid():N}"[..10], identity, ca.CertPem);
        ca.Revoke(identity, "keyCompromise", Path.Combine(ncp.RevocationListsFolder, $"{partner.Code}.crl"), TimeSpan.FromDays(7));

        var messageId = await SendSignedAsync(partner, identity);

        var held = await ncp.OutcomeAsync(messageId);
        Assert.True(held is { Status: "quarantined", Reason: "revoked-key" }, $"{held.Status} {held.Reason}: {held.Detail}");
        Assert.Contains($"was revoked on {Now:yyyy-MM-dd} (key compromise), according to the revocation list of CN=Partner Revoking Root",
            held.Detail, StringComparison.Ordinal);

        // Nor is mail encrypted to it: the request is reported not delivered, with the revocation in words.
        var duty = ncp.ClientFor("duty");
        var item = await duty.RegisterAsync(ItemsApi.OutgoingRequest(partner.Code, "To a revoked certificate"));
        await duty.ActAsync(item.Number(), "send");
        var failed = await NcpSystem.EventuallyAsync(
            () => duty.GetJsonAsync($"/api/items/{item.Number()}"), i => i.GetProperty("delivery").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(60));
        Assert.Equal("not-delivered", failed.Str("delivery"));
        Assert.StartsWith("partner-key-revoked", failed.GetProperty("mail")[0].Str("detail"), StringComparison.Ordinal);
        Assert.Contains("revoked on", failed.GetProperty("mail")[0].Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mail_signed_over_SHA_1_is_held_as_a_weak_signature()
    {
        var de = await ncp.PartnerAsync("de");

        var messageId = await SendSignedAsync(de, Pki.Partner("de"), digest: "sha1");

        var held = await ncp.OutcomeAsync(messageId);
        Assert.True(held is { Status: "quarantined", Reason: "weak-signature" }, $"{held.Status} {held.Reason}: {held.Detail}");
        Assert.Contains("over SHA-1", held.Detail, StringComparison.Ordinal);
    }

    // Past its next update a list still counts (a revocation does not come undone), and the Worker's readiness says so.
    [Fact]
    public async Task A_revocation_list_past_its_next_update_still_counts_and_degrades_readiness()
    {
        using var ca = new PartnerCa("Partner Late Root");
        var identity = ca.Issue("late@partner.example");
        var folder = Directory.CreateTempSubdirectory("ncp-crl-").FullName;
        try
        {
            ca.Revoke(identity, "superseded", Path.Combine(folder, "late.crl"), TimeSpan.FromSeconds(1));
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var check = new RevocationListCheck(folder, clock);
            using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(identity.CertPem));
            using var root = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(ca.CertPem));
            clock.Advance(TimeSpan.FromSeconds(5));

            var revocation = check.Lists.Find(certificate, [root]);
            var health = await check.CheckHealthAsync(new HealthCheckContext
            {
                Registration = new HealthCheckRegistration(RevocationListCheck.Name, _ => null!, HealthStatus.Degraded, []),
            });

            Assert.Equal("superseded", revocation?.Reason);
            Assert.Equal(HealthStatus.Degraded, health.Status);
            Assert.Contains("the revocation list late.crl of CN=Partner Late Root was due to be replaced on", health.Description, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<string> SendSignedAsync(MailPartner partner, SmimeIdentity signer, string digest = "sha256")
    {
        var messageId = $"trust-{Guid.NewGuid():N}@partner.example";
        await ncp.SendRawAsync(OpenSslMail.SignThenEncrypt(Inner, partner.Address, "ncp@ncp.example", "Signed", signer.CertPem, signer.KeyPem,
            Pki.NcpNext.CertPem, headers: new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" }, digest: digest));
        return messageId;
    }

    /// <summary>Certificates issued by an existing CA (<c>openssl x509 -req</c>), in a scratch folder of their own.</summary>
    private sealed class IssuerOf(CertificateAuthority ca) : IDisposable
    {
        private readonly string folder = Directory.CreateTempSubdirectory("ncp-issuer-").FullName;

        public SmimeIdentity Issue(string email)
        {
            File.WriteAllText(Path.Combine(folder, "mail.ext"),
                $"keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:{email}\n");
            Tool.Run("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "mail.key", "-out", "mail.csr", "-subj", $"/CN={email}"], folder)
                .OrThrow();
            Tool.Run("openssl", ["x509", "-req", "-in", "mail.csr", "-CA", ca.CertPem, "-CAkey", ca.KeyPem, "-set_serial",
                $"0x{Guid.NewGuid():N}"[..18], "-days", "30", "-sha256", "-extfile", "mail.ext", "-out", "mail.pem"], folder).OrThrow();
            return new SmimeIdentity("forged", email, Path.Combine(folder, "mail.pem"), Path.Combine(folder, "mail.key"), "", "");
        }

        public void Dispose() => Directory.Delete(folder, recursive: true);
    }
}
