namespace Ncp.Contracts.Partners;

/// <summary>
/// What the mail gateway must know of a partner: where to write, in which language, and how mail must be protected.
/// Published whenever a partner's entry changes; the latest <see cref="ChangedAt"/> wins.
/// </summary>
/// <param name="PartnerCode">The partner unit.</param>
/// <param name="Addresses">Its mail addresses; mail from them is matched to it.</param>
/// <param name="Languages">Languages, preferred first.</param>
/// <param name="Encryption"><c>smime</c> or <c>openpgp</c>.</param>
/// <param name="PlaintextAllowed">An administrator allowed unencrypted mail with this partner (recorded in the Api).</param>
/// <param name="Active">Whether the entry is active.</param>
/// <param name="ChangedAt">When the entry last changed (Api clock).</param>
/// <param name="TrustAnchors">
/// The root CA certificates (DER) this partner's S/MIME certificates must chain to; only these vouch for a signer in its name.
/// </param>
public sealed record PartnerDirectoryChanged(
    string PartnerCode, string[] Addresses, string[] Languages, string Encryption, bool PlaintextAllowed, bool Active, DateTimeOffset ChangedAt,
    byte[][]? TrustAnchors = null);

/// <summary>An administrator imported a partner's certificate or OpenPGP public key; the Api validated it.</summary>
/// <param name="EventId">Id of the event in the Api's log.</param>
/// <param name="PartnerCode">The partner unit.</param>
/// <param name="Scheme"><c>smime</c> (DER certificate) or <c>openpgp</c> (armored public key).</param>
/// <param name="Fingerprint">SHA-1 thumbprint of the certificate, or the OpenPGP fingerprint (upper-case hex).</param>
/// <param name="Material">The certificate (DER) or the armored key (ASCII).</param>
/// <param name="NotAfter">When it expires, if it does.</param>
/// <param name="ImportedAt">When (Api clock).</param>
public sealed record PartnerKeyImported(Guid EventId, string PartnerCode, string Scheme, string Fingerprint, byte[] Material, DateTimeOffset? NotAfter, DateTimeOffset ImportedAt);

/// <summary>An administrator withdrew a partner key (revoked, replaced); the gateway stops using it.</summary>
/// <param name="PartnerCode">The partner unit.</param>
/// <param name="Fingerprint">The key's fingerprint.</param>
/// <param name="RemovedAt">When (Api clock).</param>
public sealed record PartnerKeyRemoved(string PartnerCode, string Fingerprint, DateTimeOffset RemovedAt);

/// <summary>The Worker noticed a key or certificate that expires within 30 days (a partner's or the NCP's own).</summary>
/// <param name="Owner">The partner code, or <c>NCP</c> for our own keys.</param>
/// <param name="Scheme"><c>smime</c> or <c>openpgp</c>.</param>
/// <param name="Fingerprint">The key's fingerprint.</param>
/// <param name="NotAfter">When it expires.</param>
/// <param name="NoticedAt">When (Worker clock).</param>
public sealed record KeyExpiryApproaching(string Owner, string Scheme, string Fingerprint, DateTimeOffset NotAfter, DateTimeOffset NoticedAt);
