using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fido2NetLib.Objects;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ncp.Api.Accounts;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Accounts;

/// <summary>
/// The server side of a security key at sign-in, without a browser: a software authenticator (a P-256 key, as USB keys
/// have) answers the Api's real challenges; Fido2 and the account store in PostgreSQL judge the answers.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class SecurityKeyTests(NcpSystem ncp)
{
    private const string Password = "a long walk to almaty";
    private const string Origin = "https://ncp.example";

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_key_signs_in_once_and_the_same_assertion_sent_again_is_refused()
    {
        var (accounts, keys) = Services();
        var (officer, key) = await EnrolAsync(accounts);
        var ceremony = await keys.StartSignInAsync(officer.Login, default);
        var assertion = key.Assert(ceremony, officer.Id);

        Assert.Equal(SignInOutcome.SignedIn, await SignInAsync(accounts, keys, officer.Login, assertion, ceremony.State));
        var used = (await accounts.FindAsync(officer.Id, default))!.SecurityKeys.Single();
        Assert.Equal(1u, used.SignCount);
        Assert.Equal(clock.GetUtcNow(), used.LastUsedAt);

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(SignInOutcome.Refused, await SignInAsync(accounts, keys, officer.Login, assertion, ceremony.State));
    }

    [Fact]
    public async Task An_assertion_signed_by_another_key_under_the_registered_key_id_is_refused()
    {
        var (accounts, keys) = Services();
        var (officer, key) = await EnrolAsync(accounts);
        var ceremony = await keys.StartSignInAsync(officer.Login, default);
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Equal(SignInOutcome.Refused, await SignInAsync(accounts, keys, officer.Login, key.Assert(ceremony, officer.Id, forger), ceremony.State));
        Assert.Equal(1, (await accounts.FindAsync(officer.Id, default))!.FailedAttempts);
    }

    [Fact]
    public async Task An_assertion_for_another_site_or_to_a_challenge_the_Api_never_gave_is_refused()
    {
        var (accounts, keys) = Services();
        var (officer, key) = await EnrolAsync(accounts);
        var ceremony = await keys.StartSignInAsync(officer.Login, default);

        var phished = key.Assert(ceremony, officer.Id, origin: "https://ncp.example.evil");
        Assert.Equal(SignInOutcome.Refused, await SignInAsync(accounts, keys, officer.Login, phished, ceremony.State));
        var made = key.Assert(ceremony, officer.Id, challenge: Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(SignInOutcome.Refused, await SignInAsync(accounts, keys, officer.Login, made, ceremony.State));
    }

    [Fact]
    public async Task A_signature_count_that_goes_back_is_refused_as_a_cloned_key()
    {
        var (accounts, keys) = Services();
        var (officer, key) = await EnrolAsync(accounts);
        key.Count = 9;
        var first = await keys.StartSignInAsync(officer.Login, default);
        Assert.Equal(SignInOutcome.SignedIn, await SignInAsync(accounts, keys, officer.Login, key.Assert(first, officer.Id), first.State));

        clock.Advance(TimeSpan.FromSeconds(5));
        key.Count = 3;
        var second = await keys.StartSignInAsync(officer.Login, default);
        Assert.Equal(SignInOutcome.Refused, await SignInAsync(accounts, keys, officer.Login, key.Assert(second, officer.Id), second.State));
    }

    [Fact]
    public async Task A_removed_key_and_a_challenge_older_than_five_minutes_are_refused()
    {
        var (accounts, keys) = Services();
        var (officer, key) = await EnrolAsync(accounts);
        var stale = await keys.StartSignInAsync(officer.Login, default);
        clock.Advance(SecurityKeyCeremonies.Lifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(SignInOutcome.Refused, await SignInAsync(accounts, keys, officer.Login, key.Assert(stale, officer.Id), stale.State));

        await accounts.RemoveKeyAsync(officer.Id, key.CredentialId, default);
        var fresh = await keys.StartSignInAsync(officer.Login, default);
        Assert.Equal(SignInOutcome.Refused, await SignInAsync(accounts, keys, officer.Login, key.Assert(fresh, officer.Id), fresh.State));
    }

    [Fact]
    public async Task An_officer_removes_a_key_of_their_own_but_not_one_of_another_officer_and_the_removed_key_no_longer_signs_in()
    {
        var (accounts, keys) = Services();
        var (officer, key) = await EnrolAsync(accounts);
        var (other, otherKey) = await EnrolAsync(accounts);
        using var client = ncp.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", ncp.Api.Services.GetRequiredService<DevelopmentSignIn>().Issue(officer.Id, officer.Name, [Roles.DutyOfficer]));
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ru");

        // Another officer's key is not this officer's to remove: not found, named, and it stays.
        using var notMine = await client.DeleteAsync($"/api/account/keys/{Uri.EscapeDataString(otherKey.CredentialId)}");
        var problem = await ItemsApi.ExpectAsync(notMine, HttpStatusCode.NotFound);
        Assert.Contains(otherKey.CredentialId, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Такого ключа нет", problem.GetProperty("title").GetString());
        Assert.Single((await accounts.FindAsync(other.Id, default))!.SecurityKeys);

        using var removed = await client.DeleteAsync($"/api/account/keys/{Uri.EscapeDataString(key.CredentialId)}");
        Assert.Equal(0, (await ItemsApi.ExpectAsync(removed, HttpStatusCode.OK)).GetProperty("securityKeys").GetArrayLength());
        var ceremony = await keys.StartSignInAsync(officer.Login, default);
        Assert.Equal(SignInOutcome.Refused, await SignInAsync(accounts, keys, officer.Login, key.Assert(ceremony, officer.Id), ceremony.State));
        var audit = (await ncp.ClientFor("auditor").GetJsonAsync("/api/audit?action=remove-own-security-key")).ToString();
        Assert.Contains("Key Holder", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_options_do_not_tell_which_logins_exist_or_have_keys()
    {
        var (accounts, keys) = Services();
        var (holder, key) = await EnrolAsync(accounts);
        var login = $"nokey-{Guid.NewGuid():N}"[..16];
        var (_, errors) = await accounts.CreateAsync(new NewAccount(login, "No Key", Password, [Roles.DutyOfficer], []), new("test", "test"), default);
        Assert.Empty(errors);
        var stranger = $"nobody-{Guid.NewGuid():N}"[..16];

        async Task<string[]> AllowedAsync(string who) =>
            [.. (await keys.StartSignInAsync(who, default)).Options.GetProperty("allowCredentials").EnumerateArray()
                .Select(c => c.GetProperty("id").GetString()!)];

        // The holder's own key; one key id for the others too, looking like a real one and the same at every asking.
        Assert.Equal([key.CredentialId], await AllowedAsync(holder.Login));
        var withoutKey = Assert.Single(await AllowedAsync(login));
        var unknown = Assert.Single(await AllowedAsync(stranger));
        Assert.Equal(key.CredentialId.Length, withoutKey.Length);
        Assert.Equal(withoutKey, Assert.Single(await AllowedAsync(login.ToUpperInvariant())));
        Assert.Equal(unknown, Assert.Single(await AllowedAsync(stranger)));
        Assert.NotEqual(withoutKey, unknown);
        // Another Api instance (a store of its own, the same database) makes up the same ids.
        var (_, twin) = Services();
        Assert.Equal(unknown, (await twin.StartSignInAsync(stranger, default)).Options.GetProperty("allowCredentials")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Account_errors_come_in_the_language_asked_for_under_the_same_field_names()
    {
        foreach (var (language, expected) in new[] { ("ru", "Не менее 12 символов"), ("kk", "Кемінде 12 таңба"), ("en", "At least 12 characters") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts")
            {
                Content = JsonContent.Create(new { login = "x", name = "", password = "short", roles = new[] { "no-such-role" } }),
            };
            request.Headers.AcceptLanguage.ParseAdd(language);
            using var response = await ncp.ClientFor("admin").SendAsync(request);
            var problem = await ItemsApi.ExpectAsync(response, HttpStatusCode.BadRequest);

            var errors = problem.GetProperty("errors");
            Assert.Equal(["login", "name", "password", "roles"], errors.EnumerateObject().Select(e => e.Name).Order());
            Assert.StartsWith(expected, errors.GetProperty("password")[0].GetString(), StringComparison.Ordinal);
        }
    }

    private (LocalAccounts Accounts, SecurityKeyCeremonies Keys) Services()
    {
        var settings = new LocalIssuerSettings { LockoutAttempts = 5, WebAuthnRelyingPartyId = "ncp.example", WebAuthnOrigins = [Origin] };
        var accounts = new LocalAccounts(ncp.Api.Services.GetRequiredService<IDocumentStore>(), settings, clock);
        return (accounts, new SecurityKeyCeremonies(accounts, settings, ncp.Api.Services.GetRequiredService<IDataProtectionProvider>(), clock));
    }

    private async Task<(OfficerAccount Officer, SoftwareKey Key)> EnrolAsync(LocalAccounts accounts)
    {
        var login = $"key-{Guid.NewGuid():N}"[..16];
        var (enrolment, errors) = await accounts.CreateAsync(new NewAccount(login, "Key Holder", Password, [Roles.DutyOfficer], []), new("test", "test"), default);
        Assert.Empty(errors);
        var key = new SoftwareKey();
        var officer = await accounts.AddKeyAsync(
            enrolment!.Account.Id, new RegisteredKey(key.CredentialId, key.CosePublicKey, 0, "software key", clock.GetUtcNow()), default);
        return (officer!, key);
    }

    private static async Task<SignInOutcome> SignInAsync(LocalAccounts accounts, SecurityKeyCeremonies keys, string login, string assertion, string state) =>
        (await accounts.SignInAsync(login, Password, null, default, (account, ct) => keys.VerifySignInAsync(account, assertion, state, ct))).Outcome;

    /// <summary>What a USB security key does at sign-in (WebAuthn §6.3.3), in a few lines: P-256, a counter, user present and verified.</summary>
    private sealed class SoftwareKey
    {
        private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        private readonly byte[] id = RandomNumberGenerator.GetBytes(16);

        public uint Count { get; set; }

        public string CredentialId => Base64Url.EncodeToString(id);

        public byte[] CosePublicKey => new CredentialPublicKey(key, COSE.Algorithm.ES256).GetBytes();

        public string Assert(KeyCeremony ceremony, Guid user, ECDsa? signer = null, string origin = Origin, string? challenge = null)
        {
            var clientData = JsonSerializer.SerializeToUtf8Bytes(new
            {
                type = "webauthn.get", challenge = challenge ?? ceremony.Options.GetProperty("challenge").GetString(), origin, crossOrigin = false,
            });
            var count = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(count, ++Count);
            byte[] authenticatorData = [.. SHA256.HashData(Encoding.UTF8.GetBytes(ceremony.Options.GetProperty("rpId").GetString()!)), 0x05, .. count];
            var signature = (signer ?? key).SignData(
                [.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            return JsonSerializer.Serialize(new
            {
                id = CredentialId, rawId = CredentialId, type = "public-key",
                response = new
                {
                    authenticatorData = Base64Url.EncodeToString(authenticatorData), clientDataJSON = Base64Url.EncodeToString(clientData),
                    signature = Base64Url.EncodeToString(signature), userHandle = Base64Url.EncodeToString(user.ToByteArray()),
                },
                clientExtensionResults = new { },
            });
        }
    }
}
