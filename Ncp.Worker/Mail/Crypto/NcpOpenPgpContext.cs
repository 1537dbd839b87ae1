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
