using System.Runtime.CompilerServices;
using MimeKit;
using MimeKit.Cryptography;
using Ncp.Conventions;
using Ncp.Worker.Keys;
using Ncp.Worker.Mail.Incoming;
using Ncp.Worker.Partners;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.X509;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>Why a mail cannot be protected or read: a code for the record and words for the officer.</summary>
public sealed class MailCryptoException(string reason, string detail, Exception? inner = null) : Exception(detail, inner)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// Who signed a layer of an inbound mail, and what was wrong with it, if anything. <see cref="Revocation"/> is a revocation
/// list's word on the signer's certificate; <see cref="Digest"/> the hash the signature was made over.
/// </summary>
public sealed record SignerCheck(
    string Scheme, bool SignatureValid, string? Fingerprint, string? Email, DateTimeOffset? SignedAt, DateTimeOffset? NotAfter, bool KeyRevoked,
    string? ChainError, string? Error, Revocation? Revocation = null, DigestAlgorithm Digest = DigestAlgorithm.None,
    string? Subject = null, string? Issuer = null, DateTimeOffset? NotBefore = null);

/// <summary>What was inside the protective layers of an inbound mail.</summary>
public sealed record Unwrapped(MimeEntity Content, string Protection, bool Encrypted, IReadOnlyList<SignerCheck> Signers, IReadOnlyList<string> Layers);

/// <summary>
/// Signs and encrypts mail to partners, and decrypts and verifies theirs, with MimeKit over BouncyCastle, using only the
/// keys the gateway holds: ours from configuration, theirs as imported through the Api.
/// </summary>
public sealed class MailCrypto
{
    private readonly OwnKeys own;
    private readonly PartnerBook book;
    private readonly TimeProvider time;
    private readonly RevocationLists revocations;
    private readonly CryptoEngine engine;
    private readonly CryptoEngine pgpEngine;
    private readonly MailLimits limits;

    public MailCrypto(OwnKeys own, PartnerBook book, GatewaySettings settings, RevocationLists revocations, TimeProvider time)
    {
        this.own = own;
        this.book = book;
        this.time = time;
        this.revocations = revocations;
        engine = settings.SmimeEngine;
        pgpEngine = settings.OpenPgpEngine;
        limits = settings.Limits;
    }

    /// <summary>Replaces the message's body with its signed and encrypted form; returns the protection applied.</summary>
    public async Task<string> ProtectAsync(MimeMessage message, string partnerCode, string scheme, bool plaintextAllowed, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var keys = (await book.KeysAsync(partnerCode, ct)).Where(k => k.Scheme == scheme && !k.Removed).ToArray();
        switch (scheme)
        {
            case "smime":
            {
                var signer = own.SmimeSigner(now) ?? throw new MailCryptoException("no-own-key", "No S/MIME identity of ours is valid now (Mail:SmimeKeys).");
                var certificates = keys.Select(book.Certificate).ToArray();
                var valid = certificates.Where(c => c.NotBefore <= now.UtcDateTime && now.UtcDateTime <= c.NotAfter).ToArray();
                if (valid.Length == 0)
                {
                    return plaintextAllowed ? SignOnly(message, signer) : throw MissingKey(partnerCode, "certificate", certificates.Length > 0);
                }

                var anchors = Anchors(await book.FindAsync(partnerCode, ct));
                valid = NotRevoked(partnerCode, valid, anchors);
                valid = EcdhCms.Usable(partnerCode, valid);
                HeaderProtection.Protect(message, encrypted: true);
                using var context = new NcpSecureMimeContext(own.Smime, valid, anchors, engine, time, revocations);
                if (EcdhCms.NeedsKeyAgreement(valid))
                {
                    message.Body = await EcdhCms.SignAndEncryptAsync(
                        context, Signer(signer), [.. valid, signer.Certificate], message.Body!, ct);
                    return "smime";
                }

                var recipients = new CmsRecipientCollection();
                foreach (var certificate in valid.Append(signer.Certificate))
                {
                    recipients.Add(new CmsRecipient(certificate, SubjectIdentifierType.IssuerAndSerialNumber) { EncryptionAlgorithms = [EncryptionAlgorithm.Aes256] });
                }

                message.Body = await ApplicationPkcs7Mime.SignAndEncryptAsync(context, Signer(signer), recipients, message.Body!, ct);
                return "smime";
            }

            case "openpgp":
            {
                var signer = own.OpenPgpSigner(now) ?? throw new MailCryptoException("no-own-key", "No OpenPGP key of ours is valid now (Mail:OpenPgpKeys).");
                var rings = keys.Select(book.Ring).ToArray();
                var encryptTo = rings.Select(r => (Primary: r.GetPublicKey(), Key: OpenPgpKeys.EncryptionKey(r, now)))
                    .Where(k => k.Key is not null).ToList();
                if (encryptTo.Count == 0)
                {
                    return plaintextAllowed ? SignOnly(message, signer) : throw MissingKey(partnerCode, "OpenPGP key", rings.Length > 0);
                }

                HeaderProtection.Protect(message, encrypted: true);
                // Our own encryption key too, so the copy in the Sent folder stays readable to us.
                var ours = OpenPgpKeys.PublicRing(signer.Ring);
                if (OpenPgpKeys.EncryptionKey(ours, now) is { } ourKey)
                {
                    encryptTo.Add((ours.GetPublicKey(), ourKey));
                }

                if (pgpEngine == CryptoEngine.Native
                    && NativeOpenPgp.SignerFor(signer.Ring.GetSecretKey(), signer.Passphrase) is { } nativeSigner
                    && encryptTo.Select(k => NativeOpenPgp.RecipientFor(k.Primary, k.Key!)).ToArray() is var natives
                    && Array.TrueForAll(natives, r => r is not null))
                {
                    message.Body = NativeOpenPgp.SignAndEncrypt(message.Body!, nativeSigner, natives!, now);
                    return "openpgp";
                }

                using var context = new NcpOpenPgpContext(own.OpenPgp, _ => null);
                message.Body = await MultipartEncrypted.SignAndEncryptAsync(
                    context, signer.Ring.GetSecretKey(), DigestAlgorithm.Sha256, EncryptionAlgorithm.Aes256,
                    [.. encryptTo.Select(k => k.Key!)], message.Body!, ct);
                return "openpgp";
            }

            default:
                throw new MailCryptoException("unknown-scheme", $"The partner's encryption '{scheme}' is neither smime nor openpgp.");
        }
    }

    /// <summary>
    /// Peels the protective layers off an inbound mail (any order, any nesting), checking every signature met on the way;
    /// S/MIME signers' chains against the trust anchors of the <paramref name="partner"/> the mail claims to be from.
    /// </summary>
    public async Task<Unwrapped> UnwrapAsync(MimeMessage message, int maxLayers, PartnerEntry partner, CancellationToken ct)
    {
        var lookup = await book.OpenPgpLookupAsync(ct);
        using var smime = new NcpSecureMimeContext(own.Smime, [], Anchors(partner), engine, time, revocations);
        using var pgp = new NcpOpenPgpContext(own.OpenPgp, lookup);
        var entity = message.Body ?? throw new MailCryptoException("malformed", "The mail has no body.");
        var signers = new List<SignerCheck>();
        var layers = new List<string>();
        var encrypted = false;
        var protection = "plaintext";
        for (var depth = 0; ; depth++)
        {
            if (depth > maxLayers)
            {
                throw new MailCryptoException("too-deep", $"More than {maxLayers} layers of signing and encryption.");
            }

            switch (entity)
            {
                case MultipartSigned { Count: < 2 }:
                    throw new MailCryptoException("malformed", "A signed mail without its signature part (multipart/signed with fewer than two parts).");
                case MultipartEncrypted { Count: < 2 }:
                    throw new MailCryptoException("malformed", "An encrypted mail without its encrypted part (multipart/encrypted with fewer than two parts).");
                case ApplicationPkcs7Mime { SecureMimeType: SecureMimeType.EnvelopedData } enveloped:
                    entity = Try("cannot-decrypt", () => enveloped.Decrypt(smime, ct));
                    (encrypted, protection) = (true, "smime");
                    layers.Add("smime-encrypted");
                    continue;
                case ApplicationPkcs7Mime { SecureMimeType: SecureMimeType.SignedData } opaque:
                {
                    MimeEntity? inner = null;
                    var signatures = Try("bad-signature", () => opaque.Verify(smime, out inner, ct));
                    signers.AddRange(Checked(signatures, "smime"));
                    entity = inner!;
                    protection = encrypted ? protection : "smime";
                    layers.Add("smime-signed-opaque");
                    continue;
                }

                case ApplicationPkcs7Mime { SecureMimeType: SecureMimeType.CompressedData } compressed:
                    // One layer: compression inside compression only multiplies what a bomb expands to.
                    if (layers.Contains("smime-compressed"))
                    {
                        throw new MailCryptoException("too-deep", "S/MIME compressed data inside compressed data: only one layer of compression is read.");
                    }

                    entity = Try("malformed", () => Decompressed(compressed, ct));
                    layers.Add("smime-compressed");
                    continue;
                case ApplicationPkcs7Mime { SecureMimeType: SecureMimeType.AuthEnvelopedData } authEnveloped:
                    entity = Try("cannot-decrypt", () => AuthEnveloped.Open(authEnveloped, own.Smime, ct));
                    (encrypted, protection) = (true, "smime");
                    layers.Add("smime-authenveloped");
                    continue;
                case ApplicationPkcs7Mime unnamed:
                    entity = Pkcs7Forms.Retyped(unnamed, ct);
                    continue;
                case MultipartEncrypted { ContentType: var type } when type.Parameters["protocol"] is not { } protocol
                    || !protocol.Contains("pgp", StringComparison.OrdinalIgnoreCase):
                    throw new MailCryptoException(
                        "unsupported",
                        $"multipart/encrypted with protocol {type.Parameters["protocol"] ?? "(none)"}: a form the gateway cannot read.");
                case MultipartEncrypted pgpEncrypted:
                {
                    DigitalSignatureCollection? signatures = null;
                    entity = Try("cannot-decrypt", () => OpenPgpPackets.Naming(pgpEncrypted[1], () =>
                    {
                        using var plain = Expanding("The OpenPGP message");
                        var content = (pgpEncrypted[1] as MimePart)?.Content
                            ?? throw new MailCryptoException("malformed", "The encrypted part of the OpenPGP mail is empty.");
                        using var sealedPart = new MemoryStream();
                        content.DecodeTo(sealedPart, ct);
                        signatures = pgp.DecryptIntact(sealedPart.ToArray(), plain, ct);
                        plain.Position = 0;
                        return MailCharsets.LoadEntity(plain, ct);
                    }));
                    signers.AddRange(Checked(signatures?.ToArray() ?? [], "openpgp"));
                    (encrypted, protection) = (true, "openpgp");
                    layers.Add("openpgp-encrypted");
                    continue;
                }

                case MultipartSigned signed:
                {
                    var protocol = signed.ContentType.Parameters["protocol"]?.ToLowerInvariant() ?? "";
                    var isPgp = protocol.Contains("pgp", StringComparison.Ordinal);
                    CryptographyContext context = isPgp ? pgp : smime;
                    var signatures = Try("bad-signature", () => signed.Verify(context, ct));
                    signers.AddRange(Checked(signatures, isPgp ? "openpgp" : "smime"));
                    entity = signed[0];
                    protection = encrypted ? protection : isPgp ? "openpgp" : "smime";
                    layers.Add(isPgp ? "openpgp-signed" : "smime-signed-detached");
                    continue;
                }

                // Inside a layer already encrypted and signed, an armored block is the partner's text (a quoted mail), not a layer.
                case var _ when !(encrypted && signers.Count > 0) && InlinePgp.Carries(entity):
                {
                    var opened = Try("cannot-decrypt", () => InlinePgp.Open(entity, pgp, () => Expanding("The OpenPGP message"), ct));
                    signers.AddRange(Checked(opened.Signatures, "openpgp"));
                    entity = opened.Content;
                    (encrypted, protection) = opened.Encrypted ? (true, "openpgp") : (encrypted, encrypted ? protection : "openpgp");
                    layers.Add(opened.Encrypted ? "openpgp-inline-encrypted" : "openpgp-inline-signed");
                    continue;
                }
            }

            return new Unwrapped(entity, encrypted ? protection : signers.Count > 0 ? protection + "-signed-only" : "plaintext", encrypted, signers, layers);
        }
    }

    // A layer whose signature does not match its content is not opened further: what is inside is not what was signed.
    private static IEnumerable<SignerCheck> Checked(IEnumerable<IDigitalSignature> signatures, string scheme)
    {
        var checks = signatures.Select(s => Check(s, scheme)).ToArray();
        return checks.FirstOrDefault(c => !c.SignatureValid && c.Fingerprint is not null) is { } bad
            ? throw new MailCryptoException("bad-signature", bad.Error ?? $"The signature by {bad.Email ?? bad.Fingerprint} does not match the content: altered on the way, or forged.")
            : checks;
    }

    private static SignerCheck Check(IDigitalSignature signature, string scheme)
    {
        if (signature is NativeSmimeSignature native)
        {
            return new SignerCheck(
                scheme, native.SignatureValid, native.Certificate?.Fingerprint.ToUpperInvariant(), NullIfEmpty(native.Certificate?.Email),
                Stamp(native.CreationDate), native.Certificate is { } signer ? Stamp(signer.ExpirationDate) : null, false, native.ChainError, native.Error,
                native.Revocation, native.DigestAlgorithm, native.Certificate?.Certificate.Subject, native.Certificate?.Certificate.Issuer,
                native.Certificate is { } issued ? Stamp(issued.CreationDate) : null);
        }

        bool valid;
        string? error = null;
        try
        {
            // The mathematics only: whether the signer's certificate was valid is judged apart, so an expired one is
            // reported as such rather than as a forgery.
            valid = signature is SecureMimeDigitalSignature { SignerCertificate: SecureMimeDigitalCertificate signer } smime
                ? smime.SignerInfo.Verify(signer.Certificate.GetPublicKey())
                : signature.Verify();
        }
        catch (Exception e) when (e is DigitalSignatureVerifyException or PublicKeyNotFoundException or CmsException or PgpException)
        {
            valid = false;
            error = e.Message;
        }

        var certificate = SafeCertificate(signature);
        return certificate switch
        {
            SecureMimeDigitalCertificate x509 => new SignerCheck(
                scheme, valid, x509.Fingerprint.ToUpperInvariant(), x509.Email, Stamp(signature.CreationDate), Stamp(x509.ExpirationDate), false,
                (signature as SecureMimeDigitalSignature)?.ChainException?.Message, error, Digest: signature.DigestAlgorithm,
                Subject: x509.Certificate.SubjectDN.ToString(), Issuer: x509.Certificate.IssuerDN.ToString(), NotBefore: Stamp(x509.CreationDate)),
            OpenPgpDigitalCertificate key => new SignerCheck(
                scheme, valid, key.Fingerprint.ToUpperInvariant(), key.Email, Stamp(signature.CreationDate),
                key.ExpirationDate == DateTime.MaxValue ? null : Stamp(key.ExpirationDate), key.PublicKey.HasRevocation() || key.KeyRing.GetPublicKey().HasRevocation(), null, error,
                Digest: signature.DigestAlgorithm, Subject: NullIfEmpty(key.Name) is { } name ? $"{name} <{key.Email}>" : key.Email,
                NotBefore: Stamp(key.CreationDate)),
            _ => new SignerCheck(scheme, false, null, null, Stamp(signature.CreationDate), null, false, null, error ?? "The signer's key is not known."),
        };
    }

    private static IDigitalCertificate? SafeCertificate(IDigitalSignature signature)
    {
        try
        {
            return signature.SignerCertificate;
        }
        catch (Exception e) when (e is PublicKeyNotFoundException or CertificateNotFoundException)
        {
            return null;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset? Stamp(DateTime value) =>
        value == DateTime.MinValue || value == DateTime.MaxValue ? null : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private CappedBuffer Expanding(string what) => new(limits.MaxExpandedBytes, what);

    // BouncyCastle's parser streams the inflated content, so a bomb is stopped at the limit rather than held whole first.
    private MimeEntity Decompressed(ApplicationPkcs7Mime compressed, CancellationToken ct)
    {
        using var packed = compressed.Content?.Open() ?? throw new MailCryptoException("malformed", "The S/MIME compressed part is empty.");
        var parser = new Org.BouncyCastle.Cms.CmsCompressedDataParser(packed);
        using var content = parser.GetContent().ContentStream;
        using var plain = Expanding("The S/MIME compressed data");
        content.CopyTo(plain);
        plain.Position = 0;
        return MailCharsets.LoadEntity(plain, ct);
    }

    private static T Try<T>(string reason, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailCryptoException)
        {
            throw new MailCryptoException(reason, e.Message, e);
        }
    }

    private static CmsSigner Signer(SmimeIdentity identity) =>
        new(identity.Chain, identity.PrivateKey, SubjectIdentifierType.IssuerAndSerialNumber) { DigestAlgorithm = DigestAlgorithm.Sha256 };

    private string SignOnly(MimeMessage message, SmimeIdentity signer)
    {
        using var context = new NcpSecureMimeContext([signer], [], [], engine, time);
        HeaderProtection.Protect(message, encrypted: false);
        message.Body = MultipartSigned.Create(context, Signer(signer), message.Body!);
        return "plaintext-by-override";
    }

    private static string SignOnly(MimeMessage message, OpenPgpIdentity signer)
    {
        using var context = new NcpOpenPgpContext([signer], _ => null);
        HeaderProtection.Protect(message, encrypted: false);
        message.Body = MultipartSigned.Create(context, signer.Ring.GetSecretKey(), DigestAlgorithm.Sha256, message.Body!);
        return "plaintext-by-override";
    }

    // Parsed once per loaded directory entry (the book makes new entries when it reloads), not once per mail.
    private static readonly ConditionalWeakTable<PartnerEntry, X509Certificate[]> ParsedAnchors = new();

    private static X509Certificate[] Anchors(PartnerEntry? partner) => partner is null ? [] : ParsedAnchors.GetValue(
        partner, p => [.. (p.TrustAnchors ?? []).Select(der => new X509CertificateParser().ReadCertificate(der))]);

    // A certificate its issuer withdrew gets no more mail, whatever the Api's import said when it was still good.
    private X509Certificate[] NotRevoked(string partnerCode, X509Certificate[] certificates, X509Certificate[] anchors)
    {
        var issuers = anchors.Select(NativeCms.NativeOf).ToArray();
        var revoked = certificates.Select(c => (Certificate: c, Revocation: revocations.Find(NativeCms.NativeOf(c), issuers))).ToArray();
        return revoked.All(r => r.Revocation is not null)
            ? throw new MailCryptoException("partner-key-revoked", $"Every certificate of {partnerCode} in date was revoked: " +
                string.Join("; ", revoked.Select(r => $"{r.Certificate.SubjectDN} {r.Revocation!.Words}")) + "; import a current one.")
            : [.. revoked.Where(r => r.Revocation is null).Select(r => r.Certificate)];
    }

    private static MailCryptoException MissingKey(string partnerCode, string what, bool onlyExpired) => onlyExpired
        ? new MailCryptoException("partner-key-expired", $"Every {what} of {partnerCode} has expired or is not yet valid; import a current one.")
        : new MailCryptoException("no-partner-key", $"No {what} of {partnerCode} has been imported; mail to it is never sent unencrypted.");
}
