using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Quarantine;

/// <summary>An officer lets a held mail through; <paramref name="PartnerCode"/> names the partner of an unknown sender.</summary>
public sealed record ReleaseMail(string? PartnerCode, string Reason, Actor By);

/// <summary>An officer decides a held mail is not to be processed.</summary>
public sealed record RejectMail(string Reason, Actor By);

/// <summary>
/// What officers may decide on a held mail. A mail held because nothing proves who sent it (its signature, its signer's
/// key or certificate; a replayed signed mail; an unsigned one that would open an item) is let through only by two officers: the first release is a request, a different officer's
/// release confirms it. Any other reason is released by one officer.
/// </summary>
public static class QuarantineDecider
{
    private static readonly HashSet<string> SignatureReasons =
    [
        "missing-signature", "bad-signature", "signer-not-partner", "revoked-key", "expired-key", "revoked-certificate", "expired-certificate",
        "untrusted-certificate", "cannot-verify", "unknown-signer", "weak-signature",

        // A copy of signed content read before proves only that someone has it; an unsigned sender proves nothing.
        "replayed", "sender-not-proven",
    ];

    // Reasons other parts of the gateway may add later about the same question (who signed it) are caught by their words.
    private static readonly string[] SignatureWords = ["signature", "signer", "certificate", "verify"];

    public static bool NeedsSecondOfficer(string reason) =>
        SignatureReasons.Contains(reason) || SignatureWords.Any(w => reason.Contains(w, StringComparison.OrdinalIgnoreCase));

    public static object[] Decide(QuarantinedMail mail, object command, DateTimeOffset now)
    {
        if (mail.Status != QuarantineStatus.Held)
        {
            throw new DomainRuleViolation(
                "quarantine-already-decided", $"This mail was already {ApiEnum<QuarantineStatus>.NameOf(mail.Status)} by {mail.DecidedBy?.Name}.");
        }

        return command switch
        {
            RejectMail c => [new QuarantineRejected(mail.Id, c.Reason, c.By, now)],
            ReleaseMail c when !mail.FourEyes => [new QuarantineReleased(mail.Id, c.PartnerCode, c.Reason, c.By, now)],
            ReleaseMail c when mail.ReleaseRequest is null => [new QuarantineReleaseRequested(mail.Id, c.PartnerCode, c.Reason, c.By, now)],
            ReleaseMail c when mail.ReleaseRequest.By.Id == c.By.Id => throw new DomainRuleViolation(
                "release-needs-a-second-officer",
                $"This mail was held for {mail.Reason}: you asked for its release on {mail.ReleaseRequest.At:yyyy-MM-dd HH:mm} UTC, and a different " +
                "officer must confirm it."),
            ReleaseMail c when c.PartnerCode is not null && c.PartnerCode != mail.ReleaseRequest.PartnerCode => throw new DomainRuleViolation(
                "release-confirms-the-request",
                $"{mail.ReleaseRequest.By.Name} asked to release it as mail of {mail.ReleaseRequest.PartnerCode ?? "the partner it was matched to"}; " +
                "a confirmation cannot name another partner (reject it instead)."),
            ReleaseMail c => [new QuarantineReleased(
                mail.Id, mail.ReleaseRequest.PartnerCode, c.Reason, c.By, now, mail.ReleaseRequest.By, mail.ReleaseRequest.Reason)],
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Not a quarantine command."),
        };
    }

    public static QuarantinedMail Evolve(QuarantinedMail mail, object @event) => @event switch
    {
        MailHeld h => mail with
        {
            Reason = h.Reason, Detail = h.Detail, From = h.From, Subject = h.Subject, MessageId = h.MessageId, Size = h.Size, ReceivedAt = h.ReceivedAt,
            Channel = h.Channel, Status = QuarantineStatus.Held, FourEyes = NeedsSecondOfficer(h.Reason),
        },
        QuarantineReleaseRequested r => mail with { ReleaseRequest = new ReleaseRequest(r.By, r.At, r.Reason, r.PartnerCode) },
        QuarantineReleased r => mail with
        {
            Status = QuarantineStatus.Released, ReleasedAsPartner = r.PartnerCode, DecidedBy = r.By, ReleaseRequestedBy = r.RequestedBy, DecidedAt = r.At,
            DecisionReason = r.Reason, ReleaseRequest = null,
        },
        QuarantineRejected r => mail with
        {
            Status = QuarantineStatus.Rejected, DecidedBy = r.By, DecidedAt = r.At, DecisionReason = r.Reason, ReleaseRequest = null,
        },
        _ => mail,
    };
}
