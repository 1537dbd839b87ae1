using System.Buffers.Text;
using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.AspNetCore.DataProtection;

namespace Ncp.Api.Accounts;

/// <summary>A WebAuthn credential of an officer, as its authenticator registered it (the public key in COSE form).</summary>
/// <param name="Id">The credential id, base64url, as browsers spell it.</param>
/// <param name="SignCount">The authenticator's signature count at the last accepted use; 0 for those that keep none.</param>
public sealed record RegisteredKey(string Id, byte[] PublicKey, uint SignCount, string Name, DateTimeOffset AddedAt, DateTimeOffset? LastUsedAt = null);

/// <summary>What an officer or administrator sees of a key: never its public key.</summary>
public sealed record SecurityKeyResource(string Id, string Name, DateTimeOffset AddedAt, DateTimeOffset? LastUsedAt)
{
    public static SecurityKeyResource From(RegisteredKey key) => new(key.Id, key.Name, key.AddedAt, key.LastUsedAt);
}

/// <summary>An assertion whose signature checked out against the stored key: what <see cref="SignInAttempts"/> still has to judge.</summary>
/// <param name="ChallengeIssued">When the challenge it answers was given out (UTC ticks).</param>
public sealed record KeyUse(string CredentialId, uint SignCount, long ChallengeIssued);

/// <summary>
/// One WebAuthn ceremony: the options for the browser's <c>navigator.credentials</c>, and the state the browser hands
/// back with its answer (the options, for whom, when; protected by the shared key ring, so any Api instance can check it).
/// </summary>
public sealed record KeyCeremony(JsonElement Options, string State);

public sealed record NewSecurityKey(string? Name, JsonElement? Credential, string? State);

/// <summary>
/// WebAuthn for the local issuer with the Fido2 library: the options of a registration or a sign-in, and the check of
/// the browser's answer (origin, relying party, challenge, signature). Ncp keeps no challenge table: the options travel
/// in the protected state and live <see cref="Lifetime"/>; a replay is refused by <see cref="SignInAttempts"/>, which
/// accepts only a challenge newer than the last one used.
/// </summary>
public sealed class SecurityKeyCeremonies(LocalAccounts accounts, LocalIssuerSettings settings, IDataProtectionProvider protection, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private const string Registering = "register";
    private const string SigningIn = "sign-in";

    private readonly IFido2 fido2 = new Fido2(
        new Fido2Configuration
        {
            RPID = settings.WebAuthnRelyingPartyId, RPName = settings.AppName, Origins = new HashSet<string>(settings.WebAuthnOrigins),
            Timeout = (uint)Lifetime.TotalMilliseconds,
        },
        null);

    private readonly IDataProtector protector = protection.CreateProtector("Ncp.Accounts.SecurityKeys");

    public KeyCeremony StartRegistration(OfficerAccount account) =>
        Ceremony(Registering, account.Id.ToString(), fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = account.Id.ToByteArray(), Name = account.Login, DisplayName = account.Name },
            ExcludeCredentials = Descriptors(account),
            // Discoverable where the key can: a key removed from the account then still answers, and is refused by Ncp, not by the browser.
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Preferred, UserVerification = UserVerificationRequirement.Preferred,
            },
            AttestationPreference = AttestationConveyancePreference.None,
        }).ToJson());

    /// <returns>The key to store, or why the answer is refused.</returns>
    public async Task<(RegisteredKey? Key, string? Refusal)> FinishRegistrationAsync(OfficerAccount account, NewSecurityKey body, CancellationToken ct)
    {
        if (Open(body.State, Registering, account.Id.ToString()) is not { } options || body.Credential is not { } credential)
        {
            return (null, "expired");
        }

        try
        {
            var made = await fido2.MakeNewCredentialAsync(
                new MakeNewCredentialParams
                {
                    AttestationResponse = credential.Deserialize<AuthenticatorAttestationRawResponse>()!,
                    OriginalOptions = CredentialCreateOptions.FromJson(options.Options),
                    IsCredentialIdUniqueToUserCallback = async (p, token) => await accounts.FindByKeyAsync(Base64Url.EncodeToString(p.CredentialId), token) is null,
                },
                ct);
            var name = string.IsNullOrWhiteSpace(body.Name) ? "" : body.Name.Trim()[..Math.Min(body.Name.Trim().Length, 60)];
            return (new RegisteredKey(Base64Url.EncodeToString(made.Id), made.PublicKey, made.SignCount, name, time.GetUtcNow()), null);
        }
        catch (Exception e) when (e is Fido2VerificationException or JsonException or FormatException)
        {
            return (null, "refused");
        }
    }

    /// <summary>
    /// The options for the login typed: its keys allowed. A login without keys, or one that does not exist, gets one
    /// made-up key id, the same at every asking (derived from the login and the deployment's secret): the options alone
    /// must not tell a stranger which logins exist or have keys. The browser then finds no such key, and nothing signs in.
    /// </summary>
    public async Task<KeyCeremony> StartSignInAsync(string? login, CancellationToken ct)
    {
        var account = await accounts.FindByLoginAsync(login, ct);
        var allowed = account is { SecurityKeys.Length: > 0 } ? Descriptors(account) : [await DecoyAsync(login, ct)];
        var options = fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = allowed, UserVerification = UserVerificationRequirement.Preferred,
        });
        return Ceremony(SigningIn, LocalAccounts.Normalize(login), options.ToJson());
    }

    private async Task<PublicKeyCredentialDescriptor> DecoyAsync(string? login, CancellationToken ct)
    {
        var secret = await accounts.DecoySecretAsync(ct);
        var id = System.Security.Cryptography.HMACSHA256.HashData(secret, System.Text.Encoding.UTF8.GetBytes("key-id:" + LocalAccounts.Normalize(login)));
        // As long as many keys' ids (16 bytes).
        return new PublicKeyCredentialDescriptor(id[..16]);
    }

    /// <summary>
    /// The browser's assertion checked against the account's stored key (signature, origin, challenge, the count not
    /// going back); null when any of it fails. Whether the key may still be used is <see cref="SignInAttempts"/>'s call.
    /// </summary>
    public async Task<KeyUse?> VerifySignInAsync(OfficerAccount account, string? assertionJson, string? state, CancellationToken ct)
    {
        if (Open(state, SigningIn, account.Login) is not { } opened || string.IsNullOrEmpty(assertionJson))
        {
            return null;
        }

        try
        {
            var assertion = JsonSerializer.Deserialize<AuthenticatorAssertionRawResponse>(assertionJson)!;
            if (account.SecurityKeys.FirstOrDefault(k => k.Id == Base64Url.EncodeToString(assertion.RawId)) is not { } stored)
            {
                return null;
            }

            var verified = await fido2.MakeAssertionAsync(
                new MakeAssertionParams
                {
                    AssertionResponse = assertion, OriginalOptions = AssertionOptions.FromJson(opened.Options), StoredPublicKey = stored.PublicKey,
                    StoredSignatureCounter = stored.SignCount,
                    IsUserHandleOwnerOfCredentialIdCallback = (p, _) =>
                        Task.FromResult(p.UserHandle is null || p.UserHandle.AsSpan().SequenceEqual(account.Id.ToByteArray())),
                },
                ct);
            return new KeyUse(stored.Id, verified.SignCount, opened.Issued);
        }
        catch (Exception e) when (e is Fido2VerificationException or JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static PublicKeyCredentialDescriptor[] Descriptors(OfficerAccount account) =>
        [.. account.SecurityKeys.Select(k => new PublicKeyCredentialDescriptor(Base64Url.DecodeFromChars(k.Id)))];

    private KeyCeremony Ceremony(string kind, string subject, string options)
    {
        var state = new CeremonyState(kind, subject, time.GetUtcNow().UtcTicks, options);
        return new(JsonDocument.Parse(options).RootElement.Clone(), protector.Protect(JsonSerializer.Serialize(state)));
    }

    /// <summary>The state if it is genuine, of this kind, for this subject and not older than <see cref="Lifetime"/>.</summary>
    private (string Options, long Issued)? Open(string? protectedState, string kind, string subject)
    {
        try
        {
            var state = JsonSerializer.Deserialize<CeremonyState>(protector.Unprotect(protectedState ?? ""));
            var fresh = state is not null && time.GetUtcNow().UtcTicks - state.Issued <= Lifetime.Ticks;
            return fresh && state!.Kind == kind && state.Subject == subject ? (state.Options, state.Issued) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private sealed record CeremonyState(string Kind, string Subject, long Issued, string Options);
}
