using JasperFx.Events;
using Marten.Events.Aggregation;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Api.Quarantine;

/// <summary>
/// The gateway set a partner's mail aside: it could not be processed safely; or, <see cref="HeldByFiling"/>, the Api would
/// not file it (a new item that an unproven sender may not open, or over the partner's quota). The raw mail stays in the
/// Worker's store. <paramref name="Channel"/>: the compartment it is kept in (held before channels were recorded: the
/// 24/7 channel).
/// </summary>
public sealed record MailHeld(
    Guid InboundId, string Reason, string Detail, string From, string Subject, string MessageId, long Size, DateTimeOffset ReceivedAt,
    DateTimeOffset At, Channel Channel = Channel.TwentyFourSeven, bool HeldByFiling = false);

/// <summary>An officer asked to let through a mail held for a signature or certificate reason; a second officer must confirm.</summary>
public sealed record QuarantineReleaseRequested(Guid InboundId, string? PartnerCode, string Reason, Actor By, DateTimeOffset At);

/// <summary>
/// An officer let a held mail through despite its reason (for a mail from an unknown address: naming the partner); for a
/// signature or certificate reason, confirming the release another officer asked for (<paramref name="RequestedBy"/>).
/// </summary>
public sealed record QuarantineReleased(
    Guid InboundId, string? PartnerCode, string Reason, Actor By, DateTimeOffset At, Actor? RequestedBy = null, string? RequestReason = null);

/// <summary>An officer decided a held mail is not to be processed.</summary>
public sealed record QuarantineRejected(Guid InboundId, string Reason, Actor By, DateTimeOffset At);

public static class QuarantineEvents
{
    public static readonly Type[] All = [typeof(MailHeld), typeof(QuarantineReleaseRequested), typeof(QuarantineReleased), typeof(QuarantineRejected)];
}

public enum QuarantineStatus
{
    Held,
    Released,
    Rejected,
}

/// <summary>A release asked for by one officer, waiting for a second one.</summary>
public sealed record ReleaseRequest(Actor By, DateTimeOffset At, string Reason, string? PartnerCode);

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
    public Channel Channel { get; init; }
    public QuarantineStatus Status { get; init; }

    /// <summary>Whether releasing it takes two officers (<see cref="QuarantineDecider.NeedsSecondOfficer"/>).</summary>
    public bool FourEyes { get; init; }

    /// <summary>The release one officer asked for, while it waits for a second officer.</summary>
    public ReleaseRequest? ReleaseRequest { get; init; }
    public string? ReleasedAsPartner { get; init; }
    public Actor? DecidedBy { get; init; }
    public Actor? ReleaseRequestedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? DecisionReason { get; init; }
    public long Version { get; set; }
}

public sealed class QuarantinedMailProjection : SingleStreamProjection<QuarantinedMail, Guid>
{
    public QuarantinedMailProjection() => this.IncludeTypes(QuarantineEvents.All);

    public override QuarantinedMail Evolve(QuarantinedMail? snapshot, Guid id, IEvent e) =>
        QuarantineDecider.Evolve(snapshot ?? new QuarantinedMail { Id = id }, e.Data) with { Version = e.Version };
}
