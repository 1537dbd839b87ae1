using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// <see cref="BrowserNcp"/> with the Api's own local issuer on, and the Api's web sign-in pointed at it as at any
/// OpenID Connect provider (Auth:Oidc): the OIDC client path tested against the local issuer itself. The demo users
/// stay on beside it, for the API calls tests make. The issuer's keys are made in the run's own folder.
/// </summary>
public class LocalIssuerNcp : BrowserNcp
{
    // The authority must be known before the Api starts: a free port is taken now and listened on then.
    private readonly int port = FreePort();

    private readonly string clientSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The issuer's (and so the browser's) address; <see cref="PasskeyNcp"/> names it localhost, where WebAuthn works.</summary>
    public Uri IssuerAddress => new($"http://{IssuerHost}:{port}/");

    protected virtual string IssuerHost => "127.0.0.1";

    public string KeyFolder => Path.Combine(Path.GetTempPath(), $"ncp-{RunId}", "issuer-keys");

    protected override IDictionary<string, string?> SharedOverrides(IDictionary<string, string?> settings)
    {
        settings["Auth:Oidc:Authority"] = IssuerAddress.ToString();
        settings["Auth:Oidc:ClientId"] = "ncp-web";
        settings["Auth:Oidc:ClientSecret"] = clientSecret;
        settings["Auth:Oidc:DisplayName"] = "NCP accounts";
        settings["Auth:Oidc:RequireHttpsMetadata"] = "false";
        settings["Auth:LocalIssuer:Enabled"] = "true";
        settings["Auth:LocalIssuer:AllowHttp"] = "true";
        settings["Auth:LocalIssuer:LockoutAttempts"] = "3";
        (settings["Auth:LocalIssuer:SigningKeyFile"], settings["Auth:LocalIssuer:EncryptionKeyFile"]) = KeyFiles();
        return settings;
    }

    /// <summary>The issuer's keys as a deployment gives them: files (an RSA key in PEM, 32 random bytes in base64).</summary>
    private (string Signing, string Encryption) KeyFiles()
    {
        var signing = Path.Combine(KeyFolder, "signing.pem");
        var encryption = Path.Combine(KeyFolder, "encryption.key");
        if (!File.Exists(signing))
        {
            Directory.CreateDirectory(KeyFolder);
            using var rsa = RSA.Create(2048);
            File.WriteAllText(signing, rsa.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(encryption, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return (signing, encryption);
    }

    protected override void ServeApi(WebApplicationFactory<Ncp.Api.Program> api) =>
        api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

    /// <summary>An account made through the administrators' API; its TOTP secret as the enrolment showed it.</summary>
    public async Task<(Guid Id, string Login, string Password, string Secret)> CreateAccountAsync(string role, params string[] clearances)
    {
        var login = $"officer-{Guid.NewGuid():N}"[..20];
        var password = "correct horse battery staple";
        using var response = await ClientFor("admin").PostAsJsonAsync(
            "/api/accounts", new { login, name = $"Officer {login[8..]}", password, roles = new[] { role }, clearances });
        var enrolment = await ItemsApi.ExpectAsync(response, HttpStatusCode.Created);
        return (Guid.Parse(enrolment.GetProperty("account").GetProperty("id").GetString()!), login, password,
            enrolment.GetProperty("totpSecret").GetString()!);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(KeyFolder))
        {
            Directory.Delete(KeyFolder, recursive: true);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// <see cref="LocalIssuerNcp"/> reached as localhost: browsers offer WebAuthn only over HTTPS or on localhost, and a
/// relying party is a host name, never an IP address. WebAuthn's relying party and origin follow Auth:Oidc:Authority.
/// </summary>
public sealed class PasskeyNcp : LocalIssuerNcp
{
    protected override string IssuerHost => "localhost";
}

[CollectionDefinition(Name)]
public sealed class PasskeyCollection : ICollectionFixture<PasskeyNcp>, ICollectionFixture<Browser>
{
    public const string Name = "passkey";
}

[CollectionDefinition(Name)]
public sealed class LocalIssuerCollection : ICollectionFixture<LocalIssuerNcp>, ICollectionFixture<Browser>
{
    public const string Name = "local-issuer";
}
