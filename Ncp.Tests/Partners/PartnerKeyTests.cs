using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ncp.Api.Partners.Keys;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Partners;

[Collection(NcpCollection.Name)]
public sealed class PartnerKeyTests : IClassFixture<PartnerKeyTests.Kit>
{
    private readonly NcpSystem ncp;
    private readonly Kit kit;
    private readonly HttpClient admin;

    public PartnerKeyTests(NcpSystem ncp, Kit kit)
    {
        this.ncp = ncp;
        this.kit = kit;
        admin = ncp.ClientFor("admin");
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_mail_certificate_from_a_trusted_root_is_imported_and_listed_as_valid()
    {
        var (code, address) = await PartnerAsync("smime");
        var pem = await kit.CertificateAsync(address, Now.AddDays(-1), Now.AddYears(1));

        using var response = await ImportAsync(code, Smime(pem));
        var key = await ItemsApi.ExpectAsync(response, HttpStatusCode.Created);

        using var certificate = X509Certificate2.CreateFromPem(pem);
        Assert.Equal(certificate.Thumbprint, key.Str("fingerprint"));
        Assert.Equal("valid", key.Str("status"));
        Assert.NotNull(response.Headers.ETag);
        var listed = Assert.Single((await ncp.ClientFor("auditor").GetJsonAsync($"/api/partners/{code}/keys")).EnumerateArray());
        Assert.Equal(("smime", certificate.Thumbprint, "valid"), (listed.Str("scheme"), listed.Str("fingerprint"), listed.Str("status")));
        Assert.Equal("valid", (await PartnerJsonAsync(code)).Str("keyStatus"));
        // The Worker gets the certificate itself from the event: DER, as the contract says.
        Assert.Equal(1, await ImportEventsAsync(Convert.ToBase64String(certificate.RawData)));
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_naming_the_certificate()
    {
        var (code, address) = await PartnerAsync("smime");
        var pem = await kit.CertificateAsync(address, new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new(2021, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var reasons = await RefusedAsync(await ImportAsync(code, Smime(pem)), "certificate");

        Assert.Contains("certificate expired on 2021-01-01", reasons, StringComparison.Ordinal);
        Assert.Equal("missing", (await PartnerJsonAsync(code)).Str("keyStatus"));
    }

    [Fact]
    public async Task A_certificate_not_meant_for_mail_is_refused()
    {
        var (code, address) = await PartnerAsync("smime");
        var pem = await kit.CertificateAsync(address, Now.AddDays(-1), Now.AddYears(1), extendedKeyUsage: "serverAuth");

        var reasons = await RefusedAsync(await ImportAsync(code, Smime(pem)), "certificate");

        Assert.Contains("emailProtection", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_for_another_address_is_refused()
    {
        var (code, address) = await PartnerAsync("smime");
        var pem = await kit.CertificateAsync("someone@elsewhere.example", Now.AddDays(-1), Now.AddYears(1));

        var reasons = await RefusedAsync(await ImportAsync(code, Smime(pem)), "certificate");

        Assert.Contains($"issued to someone@elsewhere.example, not to {address}", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_self_signed_certificate_is_refused_as_untrusted()
    {
        var (code, address) = await PartnerAsync("smime");
        var pem = await kit.SelfSignedAsync(address);

        var reasons = await RefusedAsync(await ImportAsync(code, Smime(pem)), "certificate");

        Assert.Contains("not issued by a trusted root", reasons, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dsa", "digitalSignature", "its key is DSA, which can only sign")]
    [InlineData("ed25519", "digitalSignature", "its key is Ed25519, which can only sign")]
    [InlineData("ec:secp256k1", "digitalSignature,keyAgreement", "its EC key is on the curve 1.3.132.0.10, which this gateway does not")]
    [InlineData("rsa:1024", "digitalSignature,keyEncipherment", "its RSA key has only 1024 bits, fewer than the 2048 required")]
    [InlineData("ec:P-224", "digitalSignature,keyAgreement", "its EC key is on P-224 (1.3.132.0.33), below the P-256 required")]
    [InlineData("ec:prime192v1", "digitalSignature,keyAgreement", "its EC key is on P-192 (1.2.840.10045.3.1.1), below the P-256 required")]
    [InlineData("rsa:2048", "digitalSignature", "its key usage lacks keyEncipherment")]
    [InlineData("ec:P-256", "digitalSignature,keyEncipherment", "its key usage lacks keyAgreement")]
    public async Task A_certificate_whose_key_mail_cannot_be_encrypted_to_is_refused_naming_the_certificate(
        string key, string keyUsage, string reason)
    {
        var (code, address) = await PartnerAsync("smime");
        var pem = await kit.CertificateAsync(address, Now.AddDays(-1), Now.AddYears(1), key: key, keyUsage: keyUsage);

        var reasons = await RefusedAsync(await ImportAsync(code, Smime(pem)), "certificate");

        Assert.Contains(reason, reasons, StringComparison.Ordinal);
        Assert.Equal("missing", (await PartnerJsonAsync(code)).Str("keyStatus"));
    }

    [Theory]
    [InlineData("ec:P-256")]
    [InlineData("ec:P-384")]
    [InlineData("ec:P-521")]
    public async Task An_EC_certificate_for_key_agreement_on_a_curve_we_encrypt_to_is_imported(string key)
    {
        var (code, address) = await PartnerAsync("smime");
        const string forKeyAgreement = "digitalSignature,keyAgreement";
        var pem = await kit.CertificateAsync(address, Now.AddDays(-1), Now.AddYears(1), key: key, keyUsage: forKeyAgreement);

        var imported = await ItemsApi.ExpectAsync(await ImportAsync(code, Smime(pem)), HttpStatusCode.Created);

        Assert.Equal("valid", imported.Str("status"));
    }

    [Fact]
    public async Task A_certificate_ending_within_30_days_is_expiring()
    {
        var (code, address) = await PartnerAsync("smime");
        var pem = await kit.CertificateAsync(address, Now.AddDays(-1), Now.AddDays(10));

        var key = await ItemsApi.ExpectAsync(await ImportAsync(code, Smime(pem)), HttpStatusCode.Created);

        Assert.Equal("expiring", key.Str("status"));
        Assert.Equal("expiring", (await PartnerJsonAsync(code)).Str("keyStatus"));
    }

    [Fact]
    public async Task A_partner_without_trust_anchors_accepts_no_certificate()
    {
        var (code, address) = await PartnerAsync("smime", anchors: []);
        var pem = await kit.CertificateAsync(address, Now.AddDays(-1), Now.AddYears(1));

        var reasons = await RefusedAsync(await ImportAsync(code, Smime(pem)), "certificate");

        Assert.Contains("the partner has no trust anchors (trustAnchors in its profile)", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_in_one_partners_name_from_another_partners_CA_is_refused()
    {
        // Partner A's PKI is its own CA; B's is the kit's. A's CA issues a certificate in B's name.
        using var caOfA = new PartnerCa("Partner A Root");
        var (codeA, addressA) = await PartnerAsync("smime", anchors: [await File.ReadAllTextAsync(caOfA.CertPem)]);
        var (codeB, addressB) = await PartnerAsync("smime");
        var forged = await File.ReadAllTextAsync(caOfA.Issue(addressB).CertPem);

        var reasons = await RefusedAsync(await ImportAsync(codeB, Smime(forged)), "certificate");

        Assert.Contains("not issued by a trusted root of this partner", reasons, StringComparison.Ordinal);
        Assert.Equal("missing", (await PartnerJsonAsync(codeB)).Str("keyStatus"));
        // The same CA still vouches for A's own certificates.
        await ItemsApi.ExpectAsync(await ImportAsync(codeA, Smime(await File.ReadAllTextAsync(caOfA.Issue(addressA).CertPem))), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_certificate_its_CA_revoked_in_a_revocation_list_file_is_refused_with_the_date_and_reason()
    {
        using var ca = new PartnerCa("Partner Revoking Root");
        var (code, address) = await PartnerAsync("smime", anchors: [await File.ReadAllTextAsync(ca.CertPem)]);
        var certificate = ca.Issue(address);
        ca.Revoke(certificate, "keyCompromise", Path.Combine(ncp.RevocationListsFolder, $"{code}.crl"), TimeSpan.FromDays(7));

        var reasons = await RefusedAsync(await ImportAsync(code, Smime(await File.ReadAllTextAsync(certificate.CertPem))), "certificate");

        Assert.Contains($"certificate revoked on {Now:yyyy-MM-dd} (key compromise), according to the revocation list of CN=Partner Revoking Root",
            reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trust_anchors_that_are_not_root_CA_certificates_are_refused_naming_the_field()
    {
        var code = "ZZ-KEY-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var profile = PartnerDirectoryTests.Profile(code);
        profile["encryption"] = "smime";
        profile["trustAnchors"] = new JsonArray(await kit.CertificateAsync("someone@police-zz.example", Now.AddDays(-1), Now.AddYears(1)), "not a certificate");

        var reasons = await RefusedAsync(await admin.PostAsJsonAsync("/api/partners", profile), "trustAnchors");

        Assert.Contains("Anchor 1 (CN=someone@police-zz.example) is not a CA certificate", reasons, StringComparison.Ordinal);
        Assert.Contains("Anchor 2 is not a certificate", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_OpenPGP_key_that_can_encrypt_is_imported()
    {
        var (code, address) = await PartnerAsync("openpgp");
        var (fingerprint, armored) = await kit.OpenPgpKeyAsync([$"Partner <{address}>"]);

        var key = await ItemsApi.ExpectAsync(await ImportAsync(code, OpenPgp(armored)), HttpStatusCode.Created);

        Assert.Equal((fingerprint, "openpgp", $"Partner <{address}>", "valid"), (key.Str("fingerprint"), key.Str("scheme"), key.Str("subject"), key.Str("status")));
        Assert.Equal("valid", (await PartnerJsonAsync(code)).Str("keyStatus"));
    }

    [Fact]
    public async Task A_key_with_a_revoked_old_user_ID_is_accepted_through_its_valid_one()
    {
        var (code, address) = await PartnerAsync("openpgp");
        var (fingerprint, armored) = await kit.OpenPgpKeyAsync(["Old <old@elsewhere.example>", $"New <{address}>"], revoked: ["Old <old@elsewhere.example>"]);

        var key = await ItemsApi.ExpectAsync(await ImportAsync(code, OpenPgp(armored)), HttpStatusCode.Created);

        Assert.Equal(fingerprint, key.Str("fingerprint"));
        Assert.Equal($"New <{address}>", key.Str("subject"));
    }

    [Fact]
    public async Task A_key_whose_only_matching_user_ID_is_revoked_is_refused()
    {
        var (code, address) = await PartnerAsync("openpgp");
        var (_, armored) = await kit.OpenPgpKeyAsync([$"Partner <{address}>", "Other <other@elsewhere.example>"], revoked: [$"Partner <{address}>"]);

        var reasons = await RefusedAsync(await ImportAsync(code, OpenPgp(armored)), "publicKey");

        Assert.Contains($"no user ID matches {address}", reasons, StringComparison.Ordinal);
        Assert.Contains("revoked", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_OpenPGP_key_is_refused()
    {
        var (code, address) = await PartnerAsync("openpgp");
        var (_, armored) = await kit.OpenPgpKeyAsync([$"Partner <{address}>"], madeAt: new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var reasons = await RefusedAsync(await ImportAsync(code, OpenPgp(armored)), "publicKey");

        Assert.Contains("key expired on 2020-12-31", reasons, StringComparison.Ordinal);
        Assert.Contains("no subkey can encrypt", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_scheme_or_a_missing_key_is_refused_naming_the_field()
    {
        var (code, _) = await PartnerAsync("openpgp");

        await RefusedAsync(await ImportAsync(code, new { scheme = "x509" }), "scheme");
        await RefusedAsync(await ImportAsync(code, new { scheme = "openpgp", certificate = "not a key" }), "publicKey");
        var reasons = await RefusedAsync(await ImportAsync(code, OpenPgp("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm9wZQ==\n-----END PGP PUBLIC KEY BLOCK-----")), "publicKey");
        Assert.Contains("key", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Importing_the_same_key_again_records_nothing()
    {
        var (code, address) = await PartnerAsync("openpgp");
        var (fingerprint, armored) = await kit.OpenPgpKeyAsync([$"Partner <{address}>"]);
        using var first = await ImportAsync(code, OpenPgp(armored));
        await ItemsApi.ExpectAsync(first, HttpStatusCode.Created);

        using var again = await ImportAsync(code, OpenPgp(armored));
        var key = await ItemsApi.ExpectAsync(again, HttpStatusCode.OK);

        Assert.Equal(fingerprint, key.Str("fingerprint"));
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
        Assert.Single((await admin.GetJsonAsync($"/api/partners/{code}/keys")).EnumerateArray());
        Assert.Equal(1, await ImportEventsAsync(fingerprint));
    }

    [Fact]
    public async Task A_removed_key_is_no_longer_listed_and_the_partner_has_none()
    {
        var (code, address) = await PartnerAsync("openpgp");
        var (fingerprint, armored) = await kit.OpenPgpKeyAsync([$"Partner <{address}>"]);
        await ItemsApi.ExpectAsync(await ImportAsync(code, OpenPgp(armored)), HttpStatusCode.Created);

        await RefusedAsync(await admin.PostAsJsonAsync($"/api/partners/{code}/keys/{fingerprint}/remove", new { }), "reason");
        using var removed = await admin.PostAsJsonAsync($"/api/partners/{code}/keys/{fingerprint.ToLowerInvariant()}/remove", new { reason = "Partner revoked it" });
        await ItemsApi.ExpectAsync(removed, HttpStatusCode.OK);
        using var twice = await admin.PostAsJsonAsync($"/api/partners/{code}/keys/{fingerprint}/remove", new { reason = "Partner revoked it" });

        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        Assert.Empty((await admin.GetJsonAsync($"/api/partners/{code}/keys")).EnumerateArray());
        Assert.Equal("missing", (await PartnerJsonAsync(code)).Str("keyStatus"));
    }

    [Fact]
    public async Task Only_an_administrator_changes_keys_or_the_plaintext_override()
    {
        var (code, address) = await PartnerAsync("smime");
        var pem = await kit.CertificateAsync(address, Now.AddDays(-1), Now.AddYears(1));
        var duty = ncp.ClientFor("duty");

        using var import = await duty.PostAsJsonAsync($"/api/partners/{code}/keys", Smime(pem));
        using var allow = await duty.PostAsJsonAsync($"/api/partners/{code}/plaintext-override", new { reason = "Just this once" });

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (import.StatusCode, allow.StatusCode));
        Assert.Empty((await duty.GetJsonAsync($"/api/partners/{code}/keys")).EnumerateArray());
    }

    [Fact]
    public async Task A_plaintext_override_is_recorded_shown_and_withdrawn()
    {
        var (code, _) = await PartnerAsync("smime");
        Assert.False((await PartnerJsonAsync(code)).GetProperty("plaintextAllowed").GetBoolean());

        await RefusedAsync(await admin.PostAsJsonAsync($"/api/partners/{code}/plaintext-override", new { reason = " " }), "reason");
        using var allowed = await admin.PostAsJsonAsync($"/api/partners/{code}/plaintext-override", new { reason = "Partner has no PKI yet; agreed by phone" });
        var entry = await ItemsApi.ExpectAsync(allowed, HttpStatusCode.OK);

        Assert.True(entry.GetProperty("plaintextAllowed").GetBoolean());
        var shown = (await PartnerJsonAsync(code)).GetProperty("plaintextOverride");
        Assert.Equal("Partner has no PKI yet; agreed by phone", shown.Str("reason"));
        Assert.Equal("Administrator (demo)", shown.GetProperty("allowedBy").Str("name"));
        Assert.True(shown.GetProperty("allowedAt").GetDateTimeOffset() > Now.AddMinutes(-5));

        using var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/partners/{code}/plaintext-override/withdraw")
        {
            Content = JsonContent.Create(new { reason = "PKI in place" }),
        };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(stale)).StatusCode);

        using var withdraw = new HttpRequestMessage(HttpMethod.Post, $"/api/partners/{code}/plaintext-override/withdraw")
        {
            Content = JsonContent.Create(new { reason = "PKI in place" }),
        };
        withdraw.Headers.TryAddWithoutValidation("If-Match", allowed.Headers.ETag!.Tag);
        var withdrawn = await ItemsApi.ExpectAsync(await admin.SendAsync(withdraw), HttpStatusCode.OK);
        Assert.False(withdrawn.GetProperty("plaintextAllowed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, withdrawn.GetProperty("plaintextOverride").ValueKind);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_key_and_plaintext_endpoints()
    {
        var paths = (await ncp.Api.CreateClient().GetJsonAsync("/openapi/v1.json")).GetProperty("paths");

        foreach (var path in new[] { "/api/partners/{code}/keys", "/api/partners/{code}/keys/{fingerprint}/remove", "/api/partners/{code}/plaintext-override", "/api/partners/{code}/plaintext-override/withdraw" })
        {
            Assert.True(paths.TryGetProperty(path, out var operations), $"{path} is not in the OpenAPI document");
            Assert.All(operations.EnumerateObject(), o => Assert.False(string.IsNullOrEmpty(o.Value.GetProperty("summary").GetString())));
        }
    }

    private static object Smime(string pem) => new { scheme = "smime", certificate = pem };

    private static object OpenPgp(string armored) => new { scheme = "openpgp", publicKey = armored };

    /// <param name="anchors">The partner's trust anchors (PEM); the kit's root when not given.</param>
    private async Task<(string Code, string Address)> PartnerAsync(string encryption, string[]? anchors = null)
    {
        var code = "ZZ-KEY-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var address = $"cyber-{code.ToLowerInvariant()}@police-zz.example";
        var profile = PartnerDirectoryTests.Profile(code);
        profile["addresses"] = new JsonArray(address);
        profile["encryption"] = encryption;
        profile["trustAnchors"] = new JsonArray([.. (anchors ?? [kit.RootPem]).Select(a => JsonValue.Create(a))]);
        await ItemsApi.ExpectAsync(await admin.PostAsJsonAsync("/api/partners", profile), HttpStatusCode.Created);
        return (code, address);
    }

    private Task<HttpResponseMessage> ImportAsync(string code, object body) => admin.PostAsJsonAsync($"/api/partners/{code}/keys", body);

    private async Task<JsonElement> PartnerJsonAsync(string code) => (await admin.GetJsonAsync($"/api/partners/{code}")).GetProperty("partner");

    private Task<long> ImportEventsAsync(string containing) => ncp.QueryAsync<long>(
        $"select count(*) from {ncp.ApiSchema}.mt_events where type = 'partner_key_imported' and data::text like '%' || @text || '%'", ("text", containing));

    private static async Task<string> RefusedAsync(HttpResponseMessage response, string field)
    {
        using (response)
        {
            var problem = await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var reasons), $"'{field}' is not named: {problem}");
            return string.Join(" | ", reasons.EnumerateArray().Select(r => r.GetString()));
        }
    }

    /// <summary>
    /// Certificates and OpenPGP keys made by the real tools, as a partner would make them: a test CA the partners' profiles
    /// name as their trust anchor, openssl for certificates, gpg with a home of its own per key.
    /// </summary>
    public sealed class Kit : IAsyncLifetime
    {
        private readonly string folder = Directory.CreateTempSubdirectory("ncp-keys-").FullName;
        private int made;

        public string RootPem { get; private set; } = "";

        public async Task InitializeAsync()
        {
            await OpensslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
                "-subj", "/CN=NCP Test Partner Root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            // openssl ca rather than x509 -req: only it takes arbitrary validity dates, expired ones included, in openssl 3.0.
            await File.WriteAllTextAsync(Path.Combine(folder, "ca.cnf"), PartnerCa.Config);
            await File.WriteAllTextAsync(Path.Combine(folder, "index.txt"), "");
            await File.WriteAllTextAsync(Path.Combine(folder, "serial"), "01\n");
            RootPem = await File.ReadAllTextAsync(Path.Combine(folder, "ca.pem"));
        }

        public Task DisposeAsync()
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        }

        /// <param name="key">openssl's <c>-newkey</c> (<c>rsa:2048</c>, <c>ed25519</c>, ...), or <c>ec:CURVE</c>, or <c>dsa</c>.</param>
        public async Task<string> CertificateAsync(
            string email, DateTimeOffset from, DateTimeOffset until, string extendedKeyUsage = "emailProtection", string key = "rsa:2048",
            string keyUsage = "digitalSignature,keyEncipherment")
        {
            var name = Next("cert");
            string[] newKey = await NewKeyAsync(key);
            await OpensslAsync(["req", "-new", .. newKey, "-nodes", "-keyout", $"{name}.key", "-out", $"{name}.csr",
                "-subj", $"/CN={email}"]);
            await File.WriteAllTextAsync(
                Path.Combine(folder, $"{name}.ext"),
                $"subjectAltName=email:{email}\nkeyUsage={keyUsage}\nextendedKeyUsage={extendedKeyUsage}\n");
            await OpensslAsync("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-notext", "-in", $"{name}.csr", "-out", $"{name}.pem",
                "-startdate", Stamp(from), "-enddate", Stamp(until), "-extfile", $"{name}.ext");
            return await File.ReadAllTextAsync(Path.Combine(folder, $"{name}.pem"));
        }

        private async Task<string[]> NewKeyAsync(string key)
        {
            if (key.StartsWith("ec:", StringComparison.Ordinal))
            {
                return ["-newkey", "ec", "-pkeyopt", $"ec_paramgen_curve:{key[3..]}"];
            }

            if (key == "dsa")
            {
                // DSA keys are made from shared parameters; 1024 bits keep their making under a second.
                await OpensslAsync("genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", "dsa.pem");
                return ["-newkey", "dsa:dsa.pem"];
            }

            return ["-newkey", key];
        }

        public async Task<string> SelfSignedAsync(string email)
        {
            var name = Next("self");
            await OpensslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", $"{name}.key", "-out", $"{name}.pem", "-days", "30", "-subj", $"/CN={email}",
                "-addext", $"subjectAltName=email:{email}", "-addext", "keyUsage=digitalSignature,keyEncipherment", "-addext", "extendedKeyUsage=emailProtection");
            return await File.ReadAllTextAsync(Path.Combine(folder, $"{name}.pem"));
        }

        /// <summary>An ed25519 primary key with a cv25519 encryption subkey, both valid a year from <paramref name="madeAt"/>.</summary>
        public async Task<(string Fingerprint, string Armored)> OpenPgpKeyAsync(string[] userIds, string[]? revoked = null, DateTimeOffset? madeAt = null)
        {
            var home = Directory.CreateDirectory(Path.Combine(folder, Next("gpg"))).FullName;
            if (!OperatingSystem.IsWindows())
            {
                // gpg warns about a home others can read, and the warning would hide real errors in a failure message.
                File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            string[] clock = madeAt is { } at ? ["--faked-system-time", at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)] : [];
            try
            {
                await GpgAsync(home, [.. clock, "--quick-gen-key", userIds[0], "ed25519", "sign,cert", "1y"]);
                var listing = await GpgAsync(home, ["--with-colons", "--list-keys"]);
                var fingerprint = listing.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
                await GpgAsync(home, [.. clock, "--quick-add-key", fingerprint, "cv25519", "encr", "1y"]);
                foreach (var userId in userIds.Skip(1))
                {
                    await GpgAsync(home, [.. clock, "--quick-add-uid", fingerprint, userId]);
                }

                foreach (var userId in revoked ?? [])
                {
                    await GpgAsync(home, [.. clock, "--quick-revoke-uid", fingerprint, userId]);
                }

                return (fingerprint, await GpgAsync(home, ["--armor", "--export", fingerprint]));
            }
            finally
            {
                await RunAsync("/usr/bin/gpgconf", home, ["--kill", "gpg-agent"]);
            }
        }

        private string Next(string kind) => $"{kind}{Interlocked.Increment(ref made)}";

        private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture);

        private Task<string> OpensslAsync(params string[] arguments) => RunAsync("/usr/bin/openssl", null, arguments);

        private Task<string> GpgAsync(string home, string[] arguments) =>
            RunAsync("/usr/bin/gpg", home, ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", .. arguments]);

        private async Task<string> RunAsync(string tool, string? gnupgHome, string[] arguments)
        {
            var start = new ProcessStartInfo(tool)
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            if (gnupgHome is not null)
            {
                start.Environment["GNUPGHOME"] = gnupgHome;
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await errors}");
            return await output;
        }
    }
}
