using MimeKit;
using MimeKit.Cryptography;
using Ncp.Conventions;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Incoming;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkix;
using Org.BouncyCastle.Utilities.Collections;
using Org.BouncyCastle.X509;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// S/MIME over the keys the gateway holds: our own identities (configuration), the partner certificates imported through
/// the Api, and the trust anchors of the partner at hand. Built per operation from what the caller passes; it never imports or stores anything.
/// Signing, encrypting and decrypting go to .NET's native CMS unless <see cref="CryptoEngine.BouncyCastle"/> is asked for:
/// BouncyCastle's RSA takes 15–20 ms per private-key operation here, OpenSSL's well under one, and even BouncyCastle's
/// public-key side (two recipients per mail) weighed more than the rest of building the mail.
/// </summary>
public sealed class NcpSecureMimeContext(
    IReadOnlyList<SmimeIdentity> own, IReadOnlyList<X509Certificate> partners, IReadOnlyList<X509Certificate> roots, CryptoEngine engine, TimeProvider time,
    RevocationLists? revocations = null)
    : BouncyCastleSecureMimeContext
{
    // Certificates a signed mail carries: MimeKit hands them over while verifying; they live as long as this context.
    private readonly List<X509Certificate> carried = [];

    private IEnumerable<X509Certificate> Known => own.SelectMany(i => i.Chain).Concat(partners).Concat(roots).Concat(carried);

    protected override X509Certificate? GetCertificate(ISelector<X509Certificate> selector) => Known.FirstOrDefault(selector.Match);

    protected override AsymmetricKeyParameter? GetPrivateKey(ISelector<X509Certificate> selector) =>
        own.FirstOrDefault(i => selector.Match(i.Certificate))?.PrivateKey;

    protected override ISet<TrustAnchor> GetTrustedAnchors() => roots.Select(r => new TrustAnchor(r, null)).ToHashSet();

    protected override IStore<X509Certificate> GetIntermediateCertificates() => CollectionUtilities.CreateStore(Known.ToList());

    protected override IStore<X509Crl> GetCertificateRevocationLists() => CollectionUtilities.CreateStore(new List<X509Crl>());

    // Offline by design: a partner's certificate is withdrawn through the Api, not by fetching lists from the internet.
    protected override DateTime GetNextCertificateRevocationListUpdate(X509Name issuer) => DateTime.MaxValue;

    protected override CmsRecipient GetCmsRecipient(MailboxAddress mailbox) =>
        throw new CertificateNotFoundException(mailbox, "The gateway encrypts to the certificates it is given, never by looking up an address.");

    protected override CmsSigner GetCmsSigner(MailboxAddress mailbox, DigestAlgorithm digestAlgo) =>
        throw new CertificateNotFoundException(mailbox, "The gateway signs with the identity it is given.");

    protected override void UpdateSecureMimeCapabilities(X509Certificate certificate, EncryptionAlgorithm[] algorithms, DateTime timestamp)
    {
        // Capabilities are not remembered: every mail uses the same strong algorithms (AES-256, SHA-256).
    }

    public override bool CanEncrypt(MailboxAddress mailbox, CancellationToken cancellationToken = default) => false;

    public override bool CanSign(MailboxAddress mailbox, CancellationToken cancellationToken = default) => false;

    public override void Import(Stream stream, string password, CancellationToken cancellationToken = default) => throw ImportRefused();

    public override Task ImportAsync(Stream stream, string password, CancellationToken cancellationToken = default) => throw ImportRefused();

    // Kept for this operation only (chain building); trust still comes from the roots and the keys imported through the Api.
    public override void Import(X509Certificate certificate, CancellationToken cancellationToken = default) => carried.Add(certificate);

    public override void Import(X509Crl crl, CancellationToken cancellationToken = default)
    {
    }

    public override ApplicationPkcs7Signature Sign(CmsSigner signer, Stream content, CancellationToken cancellationToken = default) =>
        NativeSigner(signer) is { } native
            ? new ApplicationPkcs7Signature(new MemoryStream(NativeCms.SignDetached(native, signer, content, time.GetUtcNow())))
            : base.Sign(signer, content, cancellationToken);

    public override Task<ApplicationPkcs7Signature> SignAsync(CmsSigner signer, Stream content, CancellationToken cancellationToken = default) =>
        NativeSigner(signer) is not null ? Task.FromResult(Sign(signer, content, cancellationToken)) : base.SignAsync(signer, content, cancellationToken);

    public override ApplicationPkcs7Mime Encrypt(CmsRecipientCollection recipients, Stream content, CancellationToken cancellationToken = default) =>
        engine == CryptoEngine.Native
            ? new ApplicationPkcs7Mime(SecureMimeType.EnvelopedData, new MemoryStream(NativeCms.Encrypt(recipients, content)))
            : base.Encrypt(recipients, content, cancellationToken);

    public override Task<ApplicationPkcs7Mime> EncryptAsync(CmsRecipientCollection recipients, Stream content, CancellationToken cancellationToken = default) =>
        engine == CryptoEngine.Native ? Task.FromResult(Encrypt(recipients, content, cancellationToken)) : base.EncryptAsync(recipients, content, cancellationToken);

    public override MimeEntity Decrypt(Stream encryptedData, CancellationToken cancellationToken = default) =>
        NativeKeys() is { Count: > 0 } keys
            ? MailCharsets.LoadEntity(new MemoryStream(NativeCms.Decrypt(encryptedData, keys)), cancellationToken)
            : base.Decrypt(encryptedData, cancellationToken);

    public override Task<MimeEntity> DecryptAsync(Stream encryptedData, CancellationToken cancellationToken = default) =>
        NativeKeys() is { Count: > 0 } ? Task.FromResult(Decrypt(encryptedData, cancellationToken)) : base.DecryptAsync(encryptedData, cancellationToken);

    public override DigitalSignatureCollection Verify(Stream content, Stream signatureData, CancellationToken cancellationToken = default) =>
        engine == CryptoEngine.Native
            ? NativeVerifier.VerifyDetached(NativeCms.ReadAll(content), NativeCms.ReadAll(signatureData), Chains())
            : base.Verify(content, signatureData, cancellationToken);

    public override Task<DigitalSignatureCollection> VerifyAsync(Stream content, Stream signatureData, CancellationToken cancellationToken = default) =>
        engine == CryptoEngine.Native
            ? Task.FromResult(Verify(content, signatureData, cancellationToken))
            : base.VerifyAsync(content, signatureData, cancellationToken);

    public override DigitalSignatureCollection Verify(Stream signedData, out MimeEntity entity, CancellationToken cancellationToken = default)
    {
        if (engine != CryptoEngine.Native)
        {
            return base.Verify(signedData, out entity, cancellationToken);
        }

        var (content, signatures) = NativeVerifier.VerifyOpaque(NativeCms.ReadAll(signedData), Chains());
        entity = MailCharsets.LoadEntity(new MemoryStream(content), cancellationToken);
        return signatures;
    }

    public override Stream Verify(Stream signedData, out DigitalSignatureCollection signatures, CancellationToken cancellationToken = default)
    {
        if (engine != CryptoEngine.Native)
        {
            return base.Verify(signedData, out signatures, cancellationToken);
        }

        (var content, signatures) = NativeVerifier.VerifyOpaque(NativeCms.ReadAll(signedData), Chains());
        return new MemoryStream(content, writable: false);
    }

    // Trust comes from the partner's anchors only; our own chain and the partners' certificates help build paths.
    private NativeVerifier.ChainJudge Chains() => new(
        [.. roots.Select(NativeCms.NativeOf)], [.. own.SelectMany(i => i.Chain).Concat(partners).Select(NativeCms.NativeOf)], time.GetUtcNow(),
        revocations);

    private SmimeIdentity? NativeSigner(CmsSigner signer) => engine == CryptoEngine.Native
        ? own.FirstOrDefault(i => i.Native is not null && i.Certificate.Equals(signer.Certificate))
        : null;

    private System.Security.Cryptography.X509Certificates.X509Certificate2Collection? NativeKeys() => engine == CryptoEngine.Native
        ? [.. own.Select(i => i.Native).OfType<System.Security.Cryptography.X509Certificates.X509Certificate2>()]
        : null;

    // A mail must never add private keys behind the Api's back (where keys are validated and the import recorded).
    private static NotSupportedException ImportRefused() => new("Keys are imported through the Api.");
}
