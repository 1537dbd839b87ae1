namespace Ncp.Worker.Keys;

/// <summary>The gateway's identity and keys: <c>Mail:*</c> in configuration. Key files live outside the repository.</summary>
public sealed class GatewaySettings
{
    public const string Section = "Mail";

    /// <summary>Our address: the From of every mail to partners.</summary>
    public string Address { get; set; } = "ncp@ncp.example";

    public string DisplayName { get; set; } = "NCP Kazakhstan (cybercrime, 24/7)";

    /// <summary>Right-hand side of our Message-IDs.</summary>
    public string Domain { get; set; } = "ncp.example";

    /// <summary>Password of the gateway's mailbox (IMAP), unless <c>Imap:Password</c> is set.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// A folder of certificate revocation lists (DER or PEM) an administrator refreshes; a partner certificate they revoke
    /// gets no mail, and mail signed with it is held. Trust anchors are per partner, in the Api's directory.
    /// </summary>
    public string? RevocationLists { get; set; }

    /// <summary>Our S/MIME identities (PFX files); the newest valid one signs, all of them decrypt (rotation).</summary>
    public List<SmimeKeyFile> SmimeKeys { get; set; } = [];

    /// <summary>Our OpenPGP secret keys (armored files); the newest valid one signs, all of them decrypt (rotation).</summary>
    public List<OpenPgpKeyFile> OpenPgpKeys { get; set; } = [];

    /// <summary>Attempts before a mail is reported not delivered (with back-off between them).</summary>
    public int MaxSendAttempts { get; set; } = 8;

    /// <summary>
    /// Attempts before a mail waiting for a usable key of the partner's (none imported, all expired, or none the gateway can
    /// encrypt to) is reported not delivered: the key may still be on its way from the Api.
    /// </summary>
    public int KeyWaitAttempts { get; set; } = 3;

    /// <summary>First pause after a failed send; doubled each time, at most <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);

    public MailLimits Limits { get; set; } = new();

    /// <summary>SMTP sessions used side by side for mail to partners (each sends its own share of what is due).</summary>
    public int SmtpSessions { get; set; } = 8;

    /// <summary>
    /// Who does our S/MIME private-key work (signing out, decrypting in): <c>native</c> (.NET's CMS over the operating
    /// system's OpenSSL, the default) or <c>bouncycastle</c> (MimeKit's own, about 30 times slower here; kept to compare).
    /// </summary>
    public CryptoEngine SmimeEngine { get; set; } = CryptoEngine.Native;

    /// <summary>
    /// Who writes our OpenPGP mail to partners: <c>native</c> (the default: .NET's AES, SHA and RSA over OpenSSL, for RSA
    /// and Curve25519 keys, see <c>NativeOpenPgp</c>; other kinds of key still go through MimeKit) or <c>bouncycastle</c>
    /// (MimeKit's own, for every mail; kept to compare). Reading partners' OpenPGP mail is MimeKit's in both.
    /// </summary>
    public CryptoEngine OpenPgpEngine { get; set; } = CryptoEngine.Native;

    /// <summary>A signing time this long before the mail arrived is named on the mail ("signed N days before it arrived"); not held.</summary>
    public TimeSpan SignedLongBefore { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How far after its arrival a signing time may be (partners' clocks drift) before it is named on the mail.</summary>
    public TimeSpan SigningClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// What becomes of a mail carrying signed content already read in another mail: <c>hold</c> (quarantine, <c>replayed</c>;
    /// the default) or <c>flag</c> (delivered, the earlier arrival named on it: for benchmarks that send copies of one mail).
    /// </summary>
    public ReplayHandling Replays { get; set; } = ReplayHandling.Hold;
}

public enum ReplayHandling
{
    Hold,
    Flag,
}

public enum CryptoEngine
{
    Native,
    BouncyCastle,
}

public sealed class SmimeKeyFile
{
    public string Pfx { get; set; } = "";

    public string? Password { get; set; }

    /// <summary>A file holding the password (preferred to <see cref="Password"/>: secrets stay out of settings).</summary>
    public string? PasswordFile { get; set; }
}

public sealed class OpenPgpKeyFile
{
    public string SecretKey { get; set; } = "";

    public string? Passphrase { get; set; }

    public string? PassphraseFile { get; set; }
}

/// <summary>What an inbound mail may be; beyond these it goes to quarantine, never further.</summary>
public sealed class MailLimits
{
    public long MaxMessageBytes { get; set; } = 40 * 1024 * 1024;

    public int MaxParts { get; set; } = 100;

    /// <summary>Size of the header block (Postfix's own default limit is 100 kB); beyond it the mail is held unread.</summary>
    public int MaxHeaderBytes { get; set; } = 128 * 1024;

    public int MaxDepth { get; set; } = 10;

    public long MaxAttachmentBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>
    /// Size of a mail we send, as built (letter, files, signature, encryption); a larger one is reported not delivered
    /// (<c>too-large</c>), since partners' servers commonly refuse mail beyond 25 MB, some days later as a bounce.
    /// </summary>
    public long MaxOutgoingBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Uncompressed size an archive attachment may claim before it is treated as a bomb.</summary>
    public long MaxArchiveExpandedBytes { get; set; } = 200 * 1024 * 1024;

    public int MaxArchiveRatio { get; set; } = 100;

    /// <summary>What a mail's decrypted or decompressed content may grow to (S/MIME CompressedData, OpenPGP compression).</summary>
    public long MaxExpandedBytes { get; set; } = 100 * 1024 * 1024;

    public int MaxArchiveEntries { get; set; } = 1000;

    /// <summary>
    /// Times the gateway tries to open a mail whose reading fails (or stops the process) before it holds it in quarantine
    /// as unprocessable, with the error; the mails behind it go on meanwhile.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>First pause before opening such a mail again; doubled each time.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
