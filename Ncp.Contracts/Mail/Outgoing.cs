namespace Ncp.Contracts.Mail;

/// <summary>
/// The Api asks the mail gateway to write to a partner about an item: a request, a reminder, an acknowledgement or a
/// reply. Carries everything the mail needs, so the Worker reads nothing of the Api's. Delivered at least once: the
/// Worker's dispatch ledger makes <see cref="DispatchId"/> one mail, whatever the number of deliveries.
/// </summary>
/// <param name="DispatchId">Id of the Api event that asked for the mail; the idempotency key.</param>
/// <param name="ItemId">The work item.</param>
/// <param name="RegisterNumber">Our register number; it goes into the subject.</param>
/// <param name="Purpose">
/// <c>request</c>, <c>reminder</c>, <c>acknowledgement</c> or <c>reply</c>; the Worker also writes
/// <c>preservation-extension</c> (art. 29(7)).
/// </param>
/// <param name="PartnerCode">The partner unit.</param>
/// <param name="To">The partner's addresses.</param>
/// <param name="Protection">The partner's scheme: <c>smime</c> or <c>openpgp</c>.</param>
/// <param name="PlaintextAllowed">An administrator allowed unencrypted mail with this partner; without it, no key means no mail.</param>
/// <param name="Language">
/// Language of the mail: <c>en</c>, <c>ru</c> or <c>kk</c> (domestic copies); anything else is written in English.
/// </param>
/// <param name="Content">What the mail says.</param>
/// <param name="ThreadMessageIds">Message-IDs of earlier mail about this item, oldest first (In-Reply-To and References).</param>
/// <param name="RequestedAt">When the Api asked (its clock).</param>
/// <param name="Attachments">The item's files the officer chose to send with a request, encrypted with the mail; null or empty: none.</param>
public sealed record PartnerMailRequested(
    Guid DispatchId,
    Guid ItemId,
    string RegisterNumber,
    string Purpose,
    string PartnerCode,
    string[] To,
    string Protection,
    bool PlaintextAllowed,
    string Language,
    MailContent Content,
    string[] ThreadMessageIds,
    DateTimeOffset RequestedAt,
    MailAttachment[]? Attachments = null);

/// <summary>
/// The fields of a mail to a partner, in the order partners know from the Council of Europe T-CY forms.
/// </summary>
/// <param name="Kind"><c>request</c>, <c>initiative-message</c> or <c>legal-assistance-task</c>.</param>
/// <param name="Subject">The item's subject.</param>
/// <param name="PartnerReference">The partner's own reference, if known.</param>
/// <param name="Priority"><c>urgent</c>, <c>high</c> or <c>normal</c>.</param>
/// <param name="Preservation">Whether this is a request to preserve data (Budapest Convention art. 29).</param>
/// <param name="LegalBasis">Legal basis named by the officer, else the agreement of the item's channel (CIS, CSTO); null: the template's default for the kind of mail (Convention on Cybercrime). Written whole under the form's "Legal basis" section.</param>
/// <param name="CrimeCategory">The offence category.</param>
/// <param name="CriminalCaseNumber">Our criminal case number, if any.</param>
/// <param name="RequestedData">Data types asked for, e.g. <c>subscriber-data</c>, <c>traffic-data</c>.</param>
/// <param name="Identifiers">Obsolete: the identifiers as one text, from Apis older than <paramref name="Request"/>; the Api no longer
/// fills it (they travel in <see cref="MailRequest.Identifiers"/>), and the gateway reads it only from such older messages.</param>
/// <param name="DataFrom">Start of the period of the data asked for.</param>
/// <param name="DataTo">End of the period of the data asked for.</param>
/// <param name="ReplyBy">When we need the answer (or, for an acknowledgement or reply, the partner's deadline).</param>
/// <param name="Text">Free text: the facts, the answer, the reminder's note.</param>
/// <param name="Contact">Who to contact at the NCP.</param>
/// <param name="Request">The substance of a request in its form: identifiers, facts, offence; null on items without it.</param>
/// <param name="Handling">Our handling code and its TLP equivalent, marked on every mail; null: open (TLP:GREEN).</param>
/// <param name="Extension">What a <c>preservation-extension</c> mail asks for; null for other purposes.</param>
public sealed record MailContent(
    string Kind,
    string Subject,
    string? PartnerReference,
    string Priority,
    bool Preservation,
    string? LegalBasis,
    string? CrimeCategory,
    string? CriminalCaseNumber,
    string[] RequestedData,
    string? Identifiers,
    DateTimeOffset? DataFrom,
    DateTimeOffset? DataTo,
    DateTimeOffset? ReplyBy,
    string? Text,
    MailContact Contact,
    MailRequest? Request = null,
    MailHandling? Handling = null,
    MailPreservationExtension? Extension = null);

/// <summary>An extension of a preservation asked for (Budapest Convention art. 29(7)).</summary>
/// <param name="PreservedUntil">Until when the partner preserves the data now.</param>
/// <param name="Days">The further period asked for, in days.</param>
public sealed record MailPreservationExtension(DateTimeOffset PreservedUntil, int Days);

/// <summary>The substance of a request, in the form partners expect.</summary>
/// <param name="Form"><c>general</c>, <c>preservation</c> (art. 29), <c>disclosure</c> (art. 30), <c>stored-data</c> (arts. 31/35),
/// <c>spontaneous-information</c> (art. 26) or <c>legal-assistance</c>.</param>
/// <param name="Identifiers">What the data is about, each in its normal form.</param>
/// <param name="Facts">The summary of facts.</param>
/// <param name="Offence">The offence with its article of the Criminal Code.</param>
/// <param name="UrgencyReason">Why it is urgent (data about to be deleted, a life at risk).</param>
/// <param name="LegalAssistance">What a requested authority checks in a legal-assistance request; null for other forms.</param>
public sealed record MailRequest(
    string Form,
    MailIdentifier[] Identifiers,
    string? Facts,
    string? Offence,
    string? UrgencyReason,
    MailLegalAssistance? LegalAssistance);

/// <summary>One identifier of a request.</summary>
/// <param name="Type"><c>ip-address</c>, <c>email</c>, <c>phone</c>, <c>account</c>, <c>url</c>, <c>domain</c>, <c>payment-card</c>,
/// <c>iban</c>, <c>crypto-wallet</c>, <c>imei</c> or <c>imsi</c>.</param>
/// <param name="Value">The normal form (a card or IBAN in full: the partner needs it).</param>
/// <param name="Qualifier">An IP address's port, an account's service, a wallet's chain.</param>
/// <param name="At">When it was seen (an IP address: the exact time).</param>
/// <param name="TimeZone">The zone the time was given in (IANA), so that it is written as the officer saw it.</param>
/// <param name="Data">Data asked for about it, e.g. <c>subscriber-data</c>.</param>
/// <param name="From">Start of the period asked for.</param>
/// <param name="To">End of the period asked for.</param>
public sealed record MailIdentifier(
    string Type, string Value, string? Qualifier, DateTimeOffset? At, string? TimeZone, string[] Data, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>The fields a requested authority checks in a legal-assistance request.</summary>
/// <param name="RequestingAuthority">Who asks (our authority).</param>
/// <param name="RequestedAuthority">Who is asked.</param>
/// <param name="Penalty">The penalty the offence carries.</param>
/// <param name="AssistanceSought">The assistance asked for.</param>
/// <param name="Confidentiality">What must stay confidential, and why.</param>
public sealed record MailLegalAssistance(
    string? RequestingAuthority, string? RequestedAuthority, string? Penalty, string? AssistanceSought, string? Confidentiality);

/// <summary>How the information may be passed on, marked in a header and at the top of the body.</summary>
/// <param name="Code">Our handling code: <c>open</c>, <c>no-other-channels</c> or <c>no-third-parties</c>.</param>
/// <param name="Tlp">Its Traffic Light Protocol equivalent, e.g. <c>TLP:AMBER</c>.</param>
public sealed record MailHandling(string Code, string Tlp);

/// <summary>The NCP's contact for the partner: the duty desk or the assigned officer.</summary>
/// <param name="Name">Name of the officer or desk.</param>
/// <param name="Email">Address replies go to.</param>
/// <param name="Phone">Phone of the 24/7 desk.</param>
/// <param name="TimeZone">Our time zone (IANA), e.g. <c>Asia/Almaty</c>.</param>
public sealed record MailContact(string Name, string Email, string Phone, string TimeZone);

/// <summary>The gateway handed the mail to the SMTP server (and appended a copy to the Sent folder).</summary>
/// <param name="DispatchId">As in the request.</param>
/// <param name="ItemId">The work item.</param>
/// <param name="Purpose">As in the request.</param>
/// <param name="MessageId">The Message-ID of the mail, without angle brackets.</param>
/// <param name="Protection"><c>smime</c>, <c>openpgp</c> or <c>plaintext-by-override</c>.</param>
/// <param name="SentAt">When the SMTP server accepted it (Worker clock).</param>
public sealed record PartnerMailSent(Guid DispatchId, Guid ItemId, string Purpose, string MessageId, string Protection, DateTimeOffset SentAt);

/// <summary>The gateway gave up on a mail; the item shows "not delivered" with the reason.</summary>
/// <param name="DispatchId">As in the request.</param>
/// <param name="ItemId">The work item.</param>
/// <param name="Purpose">As in the request.</param>
/// <param name="Reason">
/// Code: <c>no-partner-key</c>, <c>partner-key-expired</c>, <c>smtp-failed</c>, <c>rejected-by-server</c>, <c>no-address</c>,
/// <c>too-large</c> (over <c>Mail:Limits:MaxOutgoingBytes</c> as built).
/// </param>
/// <param name="Detail">What happened, for the officer.</param>
/// <param name="Attempts">Number of attempts made.</param>
/// <param name="At">When the gateway gave up (Worker clock).</param>
public sealed record PartnerMailNotDelivered(Guid DispatchId, Guid ItemId, string Purpose, string Reason, string Detail, int Attempts, DateTimeOffset At);
