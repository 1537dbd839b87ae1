using MimeKit;
using MimeKit.Cryptography;
using Ncp.Worker.Keys;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// OpenPGP over the keys the gateway holds: our own secret keys (configuration) and the partners' public keys imported
/// through the Api (looked up by key id). Built per operation; it never imports or stores anything.
/// </summary>
public sealed class NcpOpenPgpContext(IReadOnlyList<OpenPgpIdentity> own, Func<long, PgpPublicKeyRing?> partnerRing) : OpenPgpContext
{
    /// <summary>
    /// Decrypts <paramref name="message"/> (armored or binary) to <paramref name="output"/> once its integrity is shown:
    /// MimeKit decrypts symmetrically encrypted data without a modification detection code (tag 9), and data whose code
    /// does not match, without a word, so the code is checked here first and such data is never opened.
    /// </summary>
    public DigitalSignatureCollection? DecryptIntact(byte[] message, Stream output, CancellationToken ct)
    {
        CheckIntegrity(message);
        return DecryptTo(new MemoryStream(message, writable: false), output, ct);
    }

    // RFC 9580 5.7 and 5.13.1: without the code, or with a wrong one, the data may have been altered on the way (the EFAIL
    // attacks turned such changes into exfiltration of the plaintext). The data is decrypted here only to be hashed; what
    // it decrypts to is dropped. A message for none of our keys is left to the decryption, which says so.
    private void CheckIntegrity(byte[] message)
    {
        using var packets = PgpUtilities.GetDecoderStream(new MemoryStream(message, writable: false));
        var factory = new PgpObjectFactory(packets);
        var list = factory.NextPgpObject();
        while (list is PgpMarker)
        {
            list = factory.NextPgpObject();
        }

        foreach (var data in (list as PgpEncryptedDataList)?.GetEncryptedDataObjects().OfType<PgpPublicKeyEncryptedData>() ?? [])
        {
            if (own.Select(i => i.Ring.GetSecretKey(data.KeyId)).FirstOrDefault(k => k is not null) is not { } secret)
            {
                continue;
            }

            if (!data.IsIntegrityProtected())
            {
                throw new MailCryptoException("cannot-decrypt", "OpenPGP encrypted data without integrity protection (symmetrically encrypted "
                    + "data, packet tag 9, without a modification detection code): it could have been altered on the way, so it is not "
                    + "opened; ask the partner to send it again with a current OpenPGP program.");
            }

            var passphrase = GetPasswordForKey(secret).ToCharArray();
            try
            {
                using var plain = data.GetDataStream(secret.ExtractPrivateKey(passphrase));
                plain.CopyTo(Stream.Null);
            }
            finally
            {
                Array.Clear(passphrase);
            }

            if (!data.Verify())
            {
                throw new MailCryptoException("cannot-decrypt", "The OpenPGP message's modification detection code does not match what it "
                    + "holds: it was altered on the way, or damaged, so it is not opened.");
            }

            return;
        }
    }

    protected override string GetPasswordForKey(PgpSecretKey key) =>
        own.FirstOrDefault(i => i.Ring.GetSecretKey(key.KeyId) is not null)?.Passphrase ?? "";

    // Null: an unknown signer, which MimeKit reports on the signature rather than failing the whole mail.
    protected override PgpPublicKeyRing? GetPublicKeyRing(long keyId, CancellationToken cancellationToken = default) =>
        own.Select(i => i.Ring.GetPublicKey(keyId) is null ? null : OpenPgpKeys.PublicRing(i.Ring)).FirstOrDefault(r => r is not null)
        ?? partnerRing(keyId);

    protected override Task<PgpPublicKeyRing?> GetPublicKeyRingAsync(long keyId, CancellationToken cancellationToken = default) =>
        Task.FromResult(GetPublicKeyRing(keyId, cancellationToken));

    protected override PgpSecretKey GetSecretKey(long keyId, CancellationToken cancellationToken = default) =>
        own.Select(i => i.Ring.GetSecretKey(keyId)).FirstOrDefault(k => k is not null)
        ?? throw new PrivateKeyNotFoundException(keyId, $"None of our keys has id {keyId:X16}: the mail was encrypted to someone else, or to a key we no longer hold.");

    protected override Task<PgpSecretKey> GetSecretKeyAsync(long keyId, CancellationToken cancellationToken = default) =>
        Task.FromResult(GetSecretKey(keyId, cancellationToken));

    public override IList<PgpPublicKey> GetPublicKeys(IEnumerable<MailboxAddress> mailboxes, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The gateway encrypts to the keys it is given, never by looking up an address.");

    public override Task<IList<PgpPublicKey>> GetPublicKeysAsync(IEnumerable<MailboxAddress> mailboxes, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The gateway encrypts to the keys it is given, never by looking up an address.");

    public override PgpSecretKey GetSigningKey(MailboxAddress mailbox, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The gateway signs with the key it is given.");

    public override Task<PgpSecretKey> GetSigningKeyAsync(MailboxAddress mailbox, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The gateway signs with the key it is given.");

    public override bool CanEncrypt(MailboxAddress mailbox, CancellationToken cancellationToken = default) => false;

    public override bool CanSign(MailboxAddress mailbox, CancellationToken cancellationToken = default) => false;

    public override void Import(PgpPublicKeyRing keyring, CancellationToken cancellationToken = default) => throw ImportRefused();

    public override void Import(PgpPublicKeyRingBundle bundle, CancellationToken cancellationToken = default) => throw ImportRefused();

    public override void Import(PgpSecretKeyRing keyring, CancellationToken cancellationToken = default) => throw ImportRefused();

    public override void Import(PgpSecretKeyRingBundle bundle, CancellationToken cancellationToken = default) => throw ImportRefused();

    public override MimePart Export(IEnumerable<MailboxAddress> mailboxes, CancellationToken cancellationToken = default) => throw ExportRefused();

    public override Task<MimePart> ExportAsync(IEnumerable<MailboxAddress> mailboxes, CancellationToken cancellationToken = default) => throw ExportRefused();

    public override void Export(IEnumerable<MailboxAddress> mailboxes, Stream stream, bool armor, CancellationToken cancellationToken = default) => throw ExportRefused();

    public override Task ExportAsync(IEnumerable<MailboxAddress> mailboxes, Stream stream, bool armor, CancellationToken cancellationToken = default) =>
        throw ExportRefused();

    private static NotSupportedException ImportRefused() => new("Keys are imported through the Api.");

    private static NotSupportedException ExportRefused() => new("Keys are published by the administrators, not by the gateway.");
}
