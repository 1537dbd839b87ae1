namespace Ncp.Contracts.Mail;

/// <summary>
/// A partner's mail was read, decrypted and its signature checked, or an officer released it from quarantine. The Api
/// threads it to an item or opens a new one. At least once: <see cref="InboundId"/> is the idempotency key.
/// </summary>
/// <param name="InboundId">Id of the raw mail in the Worker's store.</param>
/// <param name="MessageId">The mail's Message-ID (the protected one where there is one).</param>
/// <param name="PartnerCode">The partner the sender was matched to.</param>
/// <param name="From">The sender's address (the protected From where there is one).</param>
/// <param name="Subject">Subject line (of the inner, protected message where there is one).</param>
/// <param name="TextBody">Plain text body.</param>
/// <param name="HtmlBody">HTML body as sent; never shown unsanitised.</param>
/// <param name="ThreadedItemId">
/// The item whose mail this answers, found by In-Reply-To/References (the protected ones where there are) in the dispatch
/// ledger among the mail sent to this partner only.
/// </param>
/// <param name="RegisterNumbers">Our register numbers found in the subject or body.</param>
/// <param name="Protection"><c>smime</c>, <c>openpgp</c> or <c>plaintext</c>.</param>
/// <param name="Signature"><c>valid</c>, or what was wrong when an officer released it anyway.</param>
/// <param name="SignedBy">Fingerprint or certificate subject of the signer.</param>
/// <param name="Attachments">Attachments, within the gateway's limits.</param>
/// <param name="ReleasedBy">The officer who released it from quarantine, if it was.</param>
/// <param name="ReceivedAt">When the gateway stored the raw mail.</param>
/// <param name="Warnings">
/// What the officer should know though the mail was not held, in words: each header outside the signature that differs
/// from the protected one (the protected one is in <paramref name="Subject"/>, <paramref name="From"/>, <paramref name="MessageId"/> and
/// the threading), a signing time long before the mail arrived or after it.
/// </param>
/// <param name="ForeignItemIds">
/// Items whose mail to another partner this one names in In-Reply-To/References: never filed there; the Api records the
/// attempt. Null from a gateway older than this field.
/// </param>
/// <param name="CodedWarnings">
/// The same warnings as codes with their particulars, one for each of <paramref name="Warnings"/> in the same order, for
/// the Api to say in the officer's language; null from a gateway older than this field.
/// </param>
/// <param name="Marking">
/// The strictest handling marking the partner put on the mail (a TLP label, a "not for dissemination" phrase, or our
/// handling code in <c>X-Handling-Code</c>), with the code it asks for; null when it carries none.
/// </param>
public sealed record PartnerMailReceived(
    Guid InboundId,
    string MessageId,
    string PartnerCode,
    string From,
    string Subject,
    string TextBody,
    string? HtmlBody,
    Guid? ThreadedItemId,
    string[] RegisterNumbers,
    string Protection,
    string Signature,
    string? SignedBy,
    MailAttachment[] Attachments,
    string? ReleasedBy,
    DateTimeOffset ReceivedAt,
    string[]? Warnings = null,
    Guid[]? ForeignItemIds = null,
    MailMarking? Marking = null,
    MailWarning[]? CodedWarnings = null);

/// <summary>A warning about a received mail as a code and its particulars, for the Api to say in the officer's language.</summary>
/// <param name="Code">
/// <c>header-differs</c> (facts: <c>header</c> subject, from, message-id, in-reply-to or references; <c>outside</c> signature or
/// encryption; <c>outer</c>; <c>protected</c>), <c>replayed</c> (<c>firstAt</c>, <c>messageId</c>), <c>signed-long-before</c>
/// (<c>signedAt</c>, <c>arrivedAt</c>, <c>days</c>) or <c>signed-after-arrival</c> (<c>signedAt</c>, <c>arrivedAt</c>, <c>minutes</c>).
/// </param>
/// <param name="Facts">Its particulars by name: instants in ISO 8601 (round-trip), numbers in invariant digits.</param>
public sealed record MailWarning(string Code, Dictionary<string, string> Facts);

/// <summary>A partner's handling marking, as found in its mail (names and ranks: <c>Ncp.Conventions.MailMarkings</c>).</summary>
/// <param name="Label">
/// <c>TLP:RED</c>, <c>TLP:AMBER+STRICT</c>, <c>TLP:AMBER</c>, <c>TLP:GREEN</c>, <c>TLP:CLEAR</c>, <c>not-for-dissemination</c>,
/// or one of our code names (<c>open</c>, <c>no-other-channels</c>, <c>no-third-parties</c>) from <c>X-Handling-Code</c>.
/// </param>
/// <param name="HandlingCode">Our code it asks for: <c>open</c>, <c>no-other-channels</c> or <c>no-third-parties</c>.</param>
/// <param name="Found">Where and as what it was found, for the officer, e.g. <c>subject: "TLP:AMBER"</c>.</param>
public sealed record MailMarking(string Label, string HandlingCode, string Found);

/// <summary>
/// A mail server reported (a delivery status notification, RFC 3464) that our mail to a partner failed or is delayed. Such a
/// report is signed by nobody: it only says what became of a dispatch it names (by its Message-ID or envelope id, for one
/// of the addresses that dispatch went to); its words are the server's, cut short. At least once: <see cref="InboundId"/>
/// is the idempotency key.
/// </summary>
/// <param name="InboundId">Id of the report in the Worker's raw store.</param>
/// <param name="DispatchId">The dispatch the report names.</param>
/// <param name="ItemId">The work item of that dispatch.</param>
/// <param name="Purpose">The dispatch's purpose (<c>request</c>, <c>reminder</c>, ...).</param>
/// <param name="MessageId">The Message-ID of our mail, without angle brackets.</param>
/// <param name="Action"><c>failed</c> (the mail will not arrive) or <c>delayed</c> (the server still tries).</param>
/// <param name="Recipients">The dispatch's addresses the report is about.</param>
/// <param name="AllRecipients">The dispatch's addresses (so that the Api knows whether any other took the mail).</param>
/// <param name="Status">The status code, e.g. <c>5.1.1</c>.</param>
/// <param name="DiagnosticCode">The remote server's words, e.g. <c>smtp; 550 5.1.1 User unknown</c>; null when it gave none.</param>
/// <param name="RemoteMta">The server that refused, e.g. <c>dns; mx.partner.example</c>; null when not named.</param>
/// <param name="ReportingMta">The server that wrote the report.</param>
/// <param name="ReceivedAt">When the gateway stored the report.</param>
public sealed record PartnerMailBounced(
    Guid InboundId, Guid DispatchId, Guid ItemId, string Purpose, string MessageId, string Action, string[] Recipients,
    string[] AllRecipients,
    string Status, string? DiagnosticCode, string? RemoteMta, string? ReportingMta, DateTimeOffset ReceivedAt);

/// <summary>An attachment of a partner's mail.</summary>
/// <param name="FileName">File name as sent (sanitised).</param>
/// <param name="ContentType">MIME type as sent.</param>
/// <param name="Content">The bytes.</param>
public sealed record MailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>A mail the gateway could not process was set aside, with the reason; nothing is dropped.</summary>
/// <param name="InboundId">Id of the raw mail in the Worker's store.</param>
/// <param name="Reason">Code, e.g. <c>unknown-sender</c>, <c>bad-signature</c>, <c>cannot-decrypt</c>, <c>too-large</c>.</param>
/// <param name="Detail">What was wrong, for the officer.</param>
/// <param name="From">The sender's address as given.</param>
/// <param name="Subject">The outer subject line.</param>
/// <param name="MessageId">The mail's Message-ID.</param>
/// <param name="Size">Size of the raw mail in bytes.</param>
/// <param name="ReceivedAt">When the gateway stored the raw mail.</param>
/// <param name="PartnerCode">The partner the sender was matched to, if it was; the Api files the held mail in that partner's channel.</param>
/// <param name="ThreadedItemId">The item whose mail this answers (In-Reply-To/References in the dispatch ledger), if the headers could be read.</param>
/// <param name="RegisterNumbers">Our register numbers quoted in the outer subject: the held mail is kept in the most restricted of their channels.</param>
/// <param name="Content">
/// What an officer may read of it before deciding, when the gateway could read it; null when it could not (too large,
/// malformed) and from a gateway older than this field.
/// </param>
public sealed record MailQuarantined(
    Guid InboundId, string Reason, string Detail, string From, string Subject, string MessageId, long Size, DateTimeOffset ReceivedAt,
    string? PartnerCode = null, Guid? ThreadedItemId = null, string[]? RegisterNumbers = null, HeldMailContent? Content = null);

/// <summary>
/// A held mail as far as the gateway could open it (decrypted where it could), within the limits used for a partner's
/// mail; the raw mail stays with the gateway. Nothing here has been made safe to show: the Api sanitises it.
/// </summary>
/// <param name="Protection"><c>smime</c>, <c>openpgp</c>, <c>plaintext</c>, or <c>unreadable</c> when it could not be opened.</param>
/// <param name="TextBody">The plain text body, cut at the limit; null when there is none.</param>
/// <param name="HtmlBody">The HTML body as sent, cut at the limit; never shown unsanitised.</param>
/// <param name="Cut">Whether a body was cut at the limit.</param>
/// <param name="Attachments">Every attachment's name, type, size and SHA-256; the bytes of those within the limit.</param>
/// <param name="Signers">Every signature met while opening it, with its signer's certificate or key.</param>
/// <param name="Unreadable">Why it could not be opened (e.g. it is encrypted to a key we do not hold); null when it could.</param>
public sealed record HeldMailContent(
    string Protection, string? TextBody, string? HtmlBody, bool Cut, HeldAttachment[] Attachments, HeldSigner[] Signers, string? Unreadable = null);

/// <summary>An attachment of a held mail.</summary>
/// <param name="FileName">File name as sent (sanitised).</param>
/// <param name="ContentType">MIME type as sent.</param>
/// <param name="Size">Decoded size in bytes.</param>
/// <param name="Sha256">SHA-256 of the decoded bytes, lower-case hex.</param>
/// <param name="Content">The bytes; null when the attachments together pass the gateway's limit.</param>
public sealed record HeldAttachment(string FileName, string ContentType, long Size, string Sha256, byte[]? Content);

/// <summary>A signature on a held mail and who made it, as the gateway checked it.</summary>
/// <param name="Scheme"><c>smime</c> or <c>openpgp</c>.</param>
/// <param name="SignatureValid">Whether the signature matches the content.</param>
/// <param name="Signer">The certificate's subject or the key's user id; null when the signer is not known.</param>
/// <param name="Email">The signer's address in the certificate or key.</param>
/// <param name="Fingerprint">The certificate's or key's fingerprint.</param>
/// <param name="Issuer">Who issued the certificate (S/MIME); null for an OpenPGP key.</param>
/// <param name="ValidFrom">Start of the certificate's validity, or the key's creation.</param>
/// <param name="ValidUntil">End of the certificate's or key's validity; null when it does not expire.</param>
/// <param name="SignedAt">The signing time the signature states.</param>
/// <param name="Problem">Why it is not trusted as the gateway saw it (chain, revocation, mismatch); null when nothing was wrong with it.</param>
public sealed record HeldSigner(
    string Scheme, bool SignatureValid, string? Signer, string? Email, string? Fingerprint, string? Issuer, DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil, DateTimeOffset? SignedAt, string? Problem);

/// <summary>
/// The Api would not file a partner's mail the gateway handed over: it would open a new item, which a sender no signature
/// proves may not do, or the partner's hourly quota of new items is spent. The gateway holds it in quarantine with the
/// reason, for an officer to release or reject like any held mail.
/// </summary>
/// <param name="InboundId">Id of the raw mail in the Worker's store.</param>
/// <param name="Reason">Code: <c>sender-not-proven</c> or <c>new-item-limit</c>.</param>
/// <param name="Detail">What was wrong, for the officer.</param>
/// <param name="HeldAt">When the Api decided (its clock).</param>
public sealed record PartnerMailHeld(Guid InboundId, string Reason, string Detail, DateTimeOffset HeldAt);

/// <summary>An officer decided on a quarantined mail: released (process it despite the reason) or rejected.</summary>
/// <param name="InboundId">The quarantined mail.</param>
/// <param name="Released"><c>true</c>: process it; <c>false</c>: keep it rejected.</param>
/// <param name="PartnerCode">For a released mail from an unknown sender: the partner it comes from.</param>
/// <param name="Reason">The officer's reason.</param>
/// <param name="DecidedBy">The officer's name.</param>
/// <param name="DecidedAt">When (Api clock).</param>
public sealed record QuarantineDecided(Guid InboundId, bool Released, string? PartnerCode, string Reason, string DecidedBy, DateTimeOffset DecidedAt);

/// <summary>
/// The Api asks, for an officer deciding on a held mail, for the mail exactly as the gateway stored it (to open outside
/// Ncp what the gateway could not decrypt or parse). Request and response (<see cref="HeldMailOriginal"/>): nothing is
/// changed, so asking twice is harmless.
/// </summary>
/// <param name="InboundId">Id of the raw mail in the Worker's store.</param>
/// <param name="MaxBytes">The most the Api takes through the bus; a larger mail is answered with its size and no bytes.</param>
public sealed record HeldMailOriginalRequested(Guid InboundId, long MaxBytes);

/// <summary>The gateway's answer to <see cref="HeldMailOriginalRequested"/>.</summary>
/// <param name="InboundId">The mail asked for.</param>
/// <param name="Found"><c>false</c> when the store has no such mail.</param>
/// <param name="Size">Its size in bytes as stored.</param>
/// <param name="Raw">The raw bytes; null when not found or larger than asked for.</param>
public sealed record HeldMailOriginal(Guid InboundId, bool Found, long Size, byte[]? Raw);
