using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ncp.Api.Partners.Keys;

/// <summary>The CA certificates a partner's S/MIME certificate must chain to, from the PEM files named in <c>Mail:TrustedRoots</c>.</summary>
public sealed class TrustedRoots(X509Certificate2Collection certificates, IReadOnlyList<string> problems) : IDisposable
{
    public const string Setting = "Mail:TrustedRoots";

    public X509Certificate2Collection Certificates { get; } = certificates;

    /// <summary>Configured files that could not be used; a certificate is not checked against half a trust store.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;

    // Read at each import, not at start-up: operators add a partner country's CA without restarting the Api.
    public static TrustedRoots Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(Setting);
        var paths = section.Get<string[]>() ?? section.Value?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var certificates = new X509Certificate2Collection();
        var problems = new List<string>();
        foreach (var path in paths)
        {
            try
            {
                var before = certificates.Count;
                certificates.ImportFromPemFile(path);
                if (certificates.Count == before)
                {
                    problems.Add($"the trusted root file {path} holds no certificate");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                problems.Add($"the trusted root file {path} cannot be read ({e.Message})");
            }
        }

        return new TrustedRoots(certificates, problems);
    }

    public void Dispose()
    {
        foreach (var certificate in Certificates)
        {
            certificate.Dispose();
        }
    }
}
