// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): the Api refuses at import a certificate the Worker would
// hold the mail of, so both read the same revocation lists the same way.
using System.Globalization;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Ncp.Conventions;

/// <summary>A certificate withdrawn by its issuer, as a revocation list says.</summary>
public sealed record Revocation(string Serial, DateTimeOffset RevokedAt, string? Reason, string Issuer, DateTimeOffset ListIssuedAt)
{
    public string Words => string.Create(
        CultureInfo.InvariantCulture,
        $"revoked on {RevokedAt:yyyy-MM-dd}{(Reason is null ? "" : $" ({Reason})")}, according to the revocation list of {Issuer} " +
        $"issued on {ListIssuedAt:yyyy-MM-dd}");
}

/// <summary>
/// The certificate revocation lists an administrator put in the folder <c>Mail:RevocationLists</c> (DER or PEM, any file
/// name), read again whenever a file there changes. Offline on purpose: nothing here fetches a list a certificate points
/// to. A list is believed only when it verifies under the key of the certificate's own issuer; of several lists of one
/// issuer the newest counts. A list past its next update is still believed (a revocation never comes undone) and is
/// named in <see cref="Problems"/>, which the Worker's readiness shows.
/// </summary>
public sealed class RevocationLists(string? folder)
{
    public const string Setting = "Mail:RevocationLists";

    private const int MaxChain = 8;
    private readonly Lock loading = new();
    private volatile Loaded current = new("", [], []);

    private sealed record Loaded(string Listing, IReadOnlyList<(string File, X509Crl List)> Lists, IReadOnlyList<string> Unreadable);

    /// <summary>
    /// The revocation of <paramref name="certificate"/> or of an issuer above it, or null. Issuers are looked for among
    /// <paramref name="issuers"/> (trust anchors, intermediates the mail or the import carried), by name and signature.
    /// </summary>
    public Revocation? Find(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate,
        IEnumerable<System.Security.Cryptography.X509Certificates.X509Certificate2> issuers)
    {
        var lists = Load().Lists;
        if (lists.Count == 0)
        {
            return null;
        }

        var parser = new X509CertificateParser();
        var candidates = issuers.Select(i => parser.ReadCertificate(i.RawData)).ToList();
        var subject = parser.ReadCertificate(certificate.RawData);
        for (var depth = 0; depth < MaxChain && !IsSelfIssued(subject); depth++)
        {
            var issuer = candidates.FirstOrDefault(c => c.SubjectDN.Equivalent(subject.IssuerDN) && Verifies(subject.Verify, c));
            if (issuer is null)
            {
                return null;
            }

            var newest = lists
                .Select(l => l.List)
                .Where(l => l.IssuerDN.Equivalent(issuer.SubjectDN) && Verifies(l.Verify, issuer))
                .MaxBy(l => l.ThisUpdate);
            if (newest?.GetRevokedCertificate(subject.SerialNumber) is { } entry)
            {
                return new Revocation(
                    subject.SerialNumber.ToString(16).ToUpperInvariant(), At(entry.RevocationDate), ReasonOf(entry), issuer.SubjectDN.ToString(),
                    At(newest.ThisUpdate));
            }

            subject = issuer;
        }

        return null;
    }

    /// <summary>Lists that could not be read, or that are past their next update, in words for the operators.</summary>
    public IReadOnlyList<string> Problems(DateTimeOffset now)
    {
        var loaded = Load();
        return
        [
            .. loaded.Unreadable,
            .. loaded.Lists
                .Where(l => l.List.NextUpdate is { } next && At(next) < now)
                .Select(l => string.Create(CultureInfo.InvariantCulture,
                    $"the revocation list {l.File} of {l.List.IssuerDN} was due to be replaced on {At(l.List.NextUpdate!.Value):yyyy-MM-dd HH:mm} UTC")),
        ];
    }

    private Loaded Load()
    {
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
        {
            return current;
        }

        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f => new FileInfo(f)).ToArray();
        var listing = string.Join('\n', files.Select(f => $"{f.Name}/{f.Length}/{f.LastWriteTimeUtc.Ticks}"));
        if (current.Listing == listing)
        {
            return current;
        }

        lock (loading)
        {
            if (current.Listing == listing)
            {
                return current;
            }

            var lists = new List<(string, X509Crl)>();
            var unreadable = new List<string>();
            var parser = new X509CrlParser();
            foreach (var file in files)
            {
                try
                {
                    var read = parser.ReadCrls(File.ReadAllBytes(file.FullName));
                    lists.AddRange(read.Select(l => (file.Name, l)));
                    if (read.Count == 0)
                    {
                        unreadable.Add($"the file {file.Name} in {Setting} holds no revocation list");
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or Org.BouncyCastle.Security.SecurityUtilityException
                    or Org.BouncyCastle.Crypto.CryptoException or ArgumentException or InvalidOperationException)
                {
                    // Named without the exception's text: these words reach the anonymous readiness answer.
                    unreadable.Add($"the revocation list {file.Name} cannot be read");
                }
            }

            current = new Loaded(listing, lists, unreadable);
            return current;
        }
    }

    private static bool IsSelfIssued(X509Certificate certificate) => certificate.SubjectDN.Equivalent(certificate.IssuerDN);

    private static bool Verifies(Action<Org.BouncyCastle.Crypto.AsymmetricKeyParameter> verify, X509Certificate issuer)
    {
        try
        {
            verify(issuer.GetPublicKey());
            return true;
        }
        catch (Exception e) when (e is Org.BouncyCastle.Security.GeneralSecurityException or Org.BouncyCastle.Crypto.CryptoException
            or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    private static DateTimeOffset At(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    // RFC 5280 5.3.1, in the words an officer reads.
    private static string? ReasonOf(X509CrlEntry entry)
    {
        if (entry.GetExtensionValue(X509Extensions.ReasonCode) is not { } value)
        {
            return null;
        }

        var code = DerEnumerated.GetInstance(X509ExtensionUtilities.FromExtensionValue(value)).IntValueExact;
        return code switch
        {
            0 => "unspecified",
            1 => "key compromise",
            2 => "CA compromise",
            3 => "affiliation changed",
            4 => "superseded",
            5 => "cessation of operation",
            6 => "certificate on hold",
            8 => "removed from the list",
            9 => "privilege withdrawn",
            10 => "attribute authority compromise",
            _ => $"reason code {code}",
        };
    }
}
