using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Ncp.Tests.Worker.Mail;

/// <summary>
/// Only what a partner's primary key verifiably said is used, and only OpenPGP mail whose integrity is protected and whose
/// signature rests on a hash we trust is read. Keys are made by gpg, each in a home of its own; what an attacker adds to
/// a key on its way (a subkey of theirs, a revocation) is taken from other gpg keys and appended byte for byte.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed partial class OpenPgpTrustTests(NcpSystem ncp) : IDisposable
{
    // A mailbox of the project's mail server that no test reads mail from, so partners of these tests may share it.
    private const string Mailbox = "bench@partner.example";
    private const string Inner = "Content-Type: text/plain; charset=utf-8\r\n\r\nДанные абонента сохранены.\r\n";

    private static TestPki Pki => MailGateway.Pki;

    private readonly List<string> homes = [];

    [Fact]
    public async Task Mail_to_a_key_with_an_appended_newer_subkey_under_a_junk_binding_is_encrypted_only_to_the_bound_subkey()
    {
        var partner = NewGpg();
        var (fingerprint, bound) = MakeKey(partner, "Partner JUNK", madeAgo: TimeSpan.FromHours(1));
        var stranger = NewGpg();
        var (strangerFingerprint, junk) = MakeKey(stranger, "Stranger");
        var appended = Ring(Export(stranger, strangerFingerprint)).GetPublicKey(Convert.ToInt64(junk, 16)).GetEncoded();
        var tampered = Armor([.. Export(partner, fingerprint), .. appended]);
        Assert.Equal(2, Count(partner.ListPackets(Encoding.ASCII.GetBytes(tampered)), ":public sub key packet:"));

        var code = await PartnerWithKeyAsync("JUNK", tampered);

        // What is kept is what was verified: the junk subkey never reaches the Worker.
        var stored = await ncp.QueryAsync<byte[]>(
            $"select material from {ncp.WorkerSchema}.partner_keys where partner_code = @code", ("code", code));
        var storedPackets = partner.ListPackets(stored!);
        Assert.Equal(1, Count(storedPackets, ":public sub key packet:"));
        Assert.DoesNotContain(junk, storedPackets, StringComparison.OrdinalIgnoreCase);

        var (_, messageId) = await ncp.SendRequestAsync(new MailPartner(code, Mailbox, "openpgp"), "Encrypted to the bound subkey only");
        var raw = await ncp.FetchAsync(Mailbox, messageId);

        var recipients = SessionKeyRecipients(partner.ListPackets(EncryptedPart(raw)));
        Assert.Contains(bound, recipients);
        Assert.DoesNotContain(junk, recipients);
        Assert.True(partner.DecryptAndVerify(raw).DecryptionOkay);
    }

    [Fact]
    public async Task A_revocation_not_made_by_the_primary_key_changes_nothing_and_a_real_one_refuses_the_key_with_its_reason()
    {
        var partner = NewGpg();
        var (fingerprint, _) = MakeKey(partner, "Partner REVOKED");
        var stranger = NewGpg();
        var (strangerFingerprint, _) = MakeKey(stranger, "Stranger");
        var ring = Ring(Export(partner, fingerprint));
        var foreignRevocation = RevocationOf(stranger, strangerFingerprint);
        var forged = PgpPublicKeyRing.InsertPublicKey(ring, PgpPublicKey.AddCertification(ring.GetPublicKey(), foreignRevocation));
        Assert.Contains("sigclass 0x20", partner.ListPackets(forged.GetEncoded()), StringComparison.Ordinal);

        var code = await PartnerWithKeyAsync("FORGED", Armor(forged.GetEncoded()));
        var (_, messageId) = await ncp.SendRequestAsync(new MailPartner(code, Mailbox, "openpgp"), "Sent despite a forged revocation");
        Assert.True(partner.DecryptAndVerify(await ncp.FetchAsync(Mailbox, messageId)).DecryptionOkay);

        partner.Run(["--import", RevocationFile(partner, fingerprint)]);
        var revoked = Armor(Export(partner, fingerprint));
        var other = await RegisterAsync("REVOKED");
        var reasons = await RefusedAsync(await ImportAsync(other, revoked));
        Assert.Contains("the key was revoked by its owner on", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_rsa_key_of_1024_bits_is_refused_naming_the_public_key()
    {
        var partner = NewGpg();
        var fingerprint = Created(partner.Run(["--quick-gen-key", $"Partner WEAK <{Mailbox}>", "rsa1024", "sign,cert", "1y"]));
        partner.Run(["--quick-add-key", fingerprint, "rsa1024", "encr", "1y"]);

        var reasons = await RefusedAsync(await ImportAsync(await RegisterAsync("WEAK"), Armor(Export(partner, fingerprint))));

        Assert.Contains("the primary key is RsaGeneral of 1024 bits, fewer than the 2048 required", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_encryption_subkey_bound_over_sha1_is_not_bound()
    {
        var partner = NewGpg();
        var fingerprint = Created(partner.Run(["--quick-gen-key", $"Partner SHA1 <{Mailbox}>", "rsa2048", "sign,cert", "1y"]));
        partner.Run(["--cert-digest-algo", "SHA1", "--quick-add-key", fingerprint, "rsa2048", "encr", "1y"]);
        Assert.Contains("digest algo 2,", partner.ListPackets(Export(partner, fingerprint)), StringComparison.Ordinal);

        var reasons = await RefusedAsync(await ImportAsync(await RegisterAsync("SHA1"), Armor(Export(partner, fingerprint))));

        Assert.Contains("no subkey can encrypt", reasons, StringComparison.Ordinal);
    }

    // gpg 2.2 writes symmetrically encrypted data without a modification detection code (tag 9) when told --rfc2440; a
    // wrong code is one octet of gpg's own message changed near its end, where the code sits.
    [Theory]
    [InlineData("pgp/mime", "no-mdc")]
    [InlineData("inline", "no-mdc")]
    [InlineData("pgp/mime", "wrong-mdc")]
    [InlineData("inline", "wrong-mdc")]
    public async Task Openpgp_mail_without_intact_integrity_protection_is_held_as_cannot_decrypt(string form, string fault)
    {
        var fr = await ncp.PartnerAsync("fr");
        var messageId = $"{fault}-{Guid.NewGuid():N}@partner.example";
        string[] sealing = ["--encrypt", "--recipient", TestPki.NcpAddress, "--sign", "--local-user", fr.Address];
        var armored = fault == "no-mdc"
            ? Pki.Gpg.Armored(Encoding.UTF8.GetBytes(Inner), ["--rfc2440", .. sealing])
            : Armor(Flipped(Dearmor(Pki.Gpg.Armored(Encoding.UTF8.GetBytes(Inner), sealing)), fromEnd: 5));
        Assert.Contains(fault == "no-mdc" ? "tag=9" : "tag=18", Pki.Gpg.ListPackets(Encoding.ASCII.GetBytes(armored)), StringComparison.Ordinal);
        var headers = new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" };

        await ncp.SendRawAsync(form == "inline"
            ? GpgMail.InlineArmoredMail(armored, fr.Address, TestPki.NcpAddress, "Integrity", headers: headers)
            : GpgMail.PgpMimeMail(armored, fr.Address, TestPki.NcpAddress, "Integrity", headers));

        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "cannot-decrypt" }, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
        Assert.DoesNotContain("Данные", outcome.Detail ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SHA1")]
    [InlineData("MD5")]
    public async Task Openpgp_mail_signed_over_a_broken_hash_is_held_with_the_reason(string digest)
    {
        var fr = await ncp.PartnerAsync("fr");
        var messageId = $"weak-{digest}-{Guid.NewGuid():N}@partner.example";
        var armored = Pki.Gpg.Armored(
            Encoding.UTF8.GetBytes(Inner),
            "--allow-weak-digest-algos", "--digest-algo", digest, "--encrypt", "--recipient", TestPki.NcpAddress, "--sign", "--local-user", fr.Address);
        Assert.Contains(digest == "SHA1" ? "digest algo 2," : "digest algo 1,", Pki.Gpg.ListPackets(Encoding.ASCII.GetBytes(armored)), StringComparison.Ordinal);

        await ncp.SendRawAsync(GpgMail.PgpMimeMail(
            armored, fr.Address, TestPki.NcpAddress, "Weak hash", new Dictionary<string, string> { ["Message-ID"] = $"<{messageId}>" }));

        var outcome = await ncp.OutcomeAsync(messageId);
        Assert.True(outcome is { Status: "quarantined", Reason: "weak-signature" }, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
        Assert.Contains($"over {(digest == "SHA1" ? "SHA-1" : "MD5")}, a hash whose collisions can be forged", outcome.Detail, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var home in homes)
        {
            Tool.Run("gpgconf", ["--homedir", home, "--kill", "gpg-agent"]);
            Directory.Delete(home, recursive: true);
        }
    }

    private GpgMail NewGpg()
    {
        var home = Directory.CreateTempSubdirectory("ncp-gpg-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // gpg warns about a home others can read.
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        homes.Add(home);
        return new GpgMail(home);
    }

    // An RSA signing primary key and an RSA encryption subkey, as the test partners have; returns the fingerprint and the
    // subkey's key ID.
    private static (string Fingerprint, string SubkeyId) MakeKey(GpgMail gpg, string name, TimeSpan? madeAgo = null)
    {
        string[] clock = madeAgo is { } ago
            ? ["--faked-system-time", DateTime.UtcNow.Add(-ago).ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture)]
            : [];
        var fingerprint = Created(gpg.Run([.. clock, "--quick-gen-key", $"{name} <{Mailbox}>", "rsa2048", "sign,cert", "1y"]));
        var subkey = Created(gpg.Run([.. clock, "--quick-add-key", fingerprint, "rsa2048", "encr", "1y"]));
        return (fingerprint, subkey[^16..]);
    }

    private static byte[] Export(GpgMail gpg, string fingerprint) => Tool.InScratch(folder =>
    {
        gpg.Run(["--output", Path.Combine(folder, "key"), "--export", fingerprint]);
        return File.ReadAllBytes(Path.Combine(folder, "key"));
    });

    // gpg makes a revocation certificate with every key, its armor line prefixed by a colon against importing it by mistake.
    private static string RevocationFile(GpgMail gpg, string fingerprint)
    {
        var file = Path.Combine(gpg.Home, "openpgp-revocs.d", $"{fingerprint}.rev");
        var usable = Path.Combine(gpg.Home, $"{fingerprint}.rev.asc");
        var text = File.ReadAllText(file);
        File.WriteAllText(usable, text[(text.IndexOf(":-----BEGIN", StringComparison.Ordinal) + 1)..]);
        return usable;
    }

    private static PgpSignature RevocationOf(GpgMail gpg, string fingerprint)
    {
        var bytes = Dearmor(File.ReadAllText(RevocationFile(gpg, fingerprint)));
        return Assert.IsType<PgpSignatureList>(new PgpObjectFactory(bytes).NextPgpObject())[0];
    }

    private async Task<string> PartnerWithKeyAsync(string name, string armored)
    {
        var code = await RegisterAsync(name);
        await ItemsApi.ExpectAsync(await ImportAsync(code, armored), HttpStatusCode.Created);
        await NcpSystem.EventuallyAsync(
            () => ncp.QueryAsync<long>($"select count(*) from {ncp.WorkerSchema}.partner_keys where partner_code = @code", ("code", code)),
            n => n == 1, TimeSpan.FromSeconds(60));
        return code;
    }

    private async Task<string> RegisterAsync(string name)
    {
        var code = $"{ncp.RunId}-{name}-{Guid.NewGuid().ToString("N")[..8]}".ToUpperInvariant();
        var partner = new MailPartner(code[..Math.Min(code.Length, 32)], Mailbox, "openpgp");
        await MailGateway.RegisterAsync(ncp.ClientFor("admin"), partner, "en");
        return partner.Code;
    }

    private Task<HttpResponseMessage> ImportAsync(string code, string armored) =>
        ncp.ClientFor("admin").PostAsJsonAsync($"/api/partners/{code}/keys", new { scheme = "openpgp", publicKey = armored });

    private static async Task<string> RefusedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var problem = await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("publicKey", out var reasons), $"'publicKey' is not named: {problem}");
            return string.Join(" | ", reasons.EnumerateArray().Select(r => r.GetString()));
        }
    }

    private static PgpPublicKeyRing Ring(byte[] binary) => new(binary);

    private static string Armor(byte[] binary)
    {
        using var buffer = new MemoryStream();
        using (var armor = ArmoredOutputStream.Build().Build(buffer))
        {
            armor.Write(binary);
        }

        return Encoding.ASCII.GetString(buffer.ToArray());
    }

    private static byte[] Dearmor(string armored)
    {
        using var input = new ArmoredInputStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Flipped(byte[] message, int fromEnd)
    {
        var copy = message.ToArray();
        copy[^fromEnd] ^= 0x01;
        return copy;
    }

    private static byte[] EncryptedPart(byte[] raw)
    {
        var encrypted = Assert.IsType<MultipartEncrypted>(MimeMessage.Load(new MemoryStream(raw)).Body);
        using var content = new MemoryStream();
        ((MimePart)encrypted[1]).Content!.DecodeTo(content);
        return content.ToArray();
    }

    private static string[] SessionKeyRecipients(string packets) =>
        [.. PubkeyPacket().Matches(packets).Select(m => m.Groups[1].Value.ToUpperInvariant())];

    private static int Count(string text, string what) => text.Split('\n').Count(l => l.StartsWith(what, StringComparison.Ordinal));

    private static string Created(IReadOnlyList<string> status) =>
        status.Select(s => s.Split(' ')).First(s => s is ["KEY_CREATED", _, _, ..])[2];

    [GeneratedRegex(@":pubkey enc packet: version \d+, algo \d+, keyid ([0-9A-Fa-f]{16})")]
    private static partial Regex PubkeyPacket();
}
