using JasperFx.Events;
using Marten.Events.Aggregation;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Api.Quarantine;

/// <summary>
/// The gateway set a partner's mail aside: it could not be processed safely; or, <see cref="HeldByFiling"/>, the Api would
/// not file it (a new item that an unproven sender may not open, or over the partner's quota). The raw mail stays in the
/// Worker's store.
/// </summary>
public sealed record MailHeld(
    Guid InboundId, string Reason, string Detail, string From, string Subject, string MessageId, long Size, DateTimeOffset ReceivedAt,
    DateTimeOffset At, bool HeldByFiling = false);

/// <summary>An officer let a held mail through despite its reason (for a mail from an unknown address: naming the partner).</summary>
public sealed record QuarantineReleased(Guid InboundId, string? PartnerCode, string Reason, Actor By, DateTimeOffset At);

/// <summary>An officer decided a held mail is not to be processed.</summary>
public sealed record QuarantineRejected(Guid InboundId, string Reason, Actor By, DateTimeOffset At);

public static class QuarantineEvents
{
    public static readonly Type[] All = [typeof(MailHeld), typeof(QuarantineReleased), typeof(QuarantineRejected)];
}

public enum QuarantineStatus
{
    Held,
    Released,
    Rejected,
}

/// <summary>One held mail as officers review it; kept inline from its stream (one stream per mail).</summary>
public sealed record QuarantinedMail
{
    public Guid Id { get; init; }
    public string Reason { get; init; } = "";
    public string Detail { get; init; } = "";
    public string From { get; init; } = "";
    public string Subject { get; init; } = "";
    public string MessageId { get; init; } = "";
    public long Size { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public QuarantineStatus Status { get; init; }
    public string? ReleasedAsPartner { get; init; }
    public Actor? DecidedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? DecisionReason { get; init; }
    public long Version { get; set; }
}

public sealed class QuarantinedMailProjection : SingleStreamProjection<QuarantinedMail, Guid>
{
    public QuarantinedMailProjection() => this.IncludeTypes(QuarantineEvents.All);

    public override QuarantinedMail Evolve(QuarantinedMail? snapshot, Guid id, IEvent e)
    {
        var mail = snapshot ?? new QuarantinedMail { Id = id };
        mail = e.Data switch
        {
            MailHeld h => mail with
            {
                Reason = h.Reason, Detail = h.Detail, From = h.From, Subject = h.Subject, MessageId = h.MessageId, Size = h.Size, ReceivedAt = h.ReceivedAt,
                Status = QuarantineStatus.Held,
            },
            QuarantineReleased r => mail with { Status = QuarantineStatus.Released, ReleasedAsPartner = r.PartnerCode, DecidedBy = r.By, DecidedAt = r.At, DecisionReason = r.Reason },
            QuarantineRejected r => mail with { Status = QuarantineStatus.Rejected, DecidedBy = r.By, DecidedAt = r.At, DecisionReason = r.Reason },
            _ => mail,
        };
        return mail with { Version = e.Version };
    }
}
