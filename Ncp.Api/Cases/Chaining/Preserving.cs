using Ncp.Api.Deadlines;

namespace Ncp.Api.Cases.Chaining;

/// <summary>
/// The partner confirmed that it preserves the data until <see cref="PreservedUntil"/> (Budapest Convention art. 29), with the
/// acknowledgement or later (a confirmed extension); <see cref="WarnAt"/> is when the preservation-expiring rung is due.
/// </summary>
public sealed record PreservationConfirmed(Guid ItemId, DateTimeOffset PreservedUntil, DateTimeOffset WarnAt, Actor By, DateTimeOffset At);

/// <summary>
/// We asked the partner to preserve the data a further <see cref="Days"/> beyond <see cref="PreservedUntil"/> (art. 29(7)).
/// </summary>
public sealed record PreservationExtensionRequested(Guid ItemId, int Days, DateTimeOffset PreservedUntil, Actor By, DateTimeOffset At);

/// <summary>
/// What the officer said of a preservation when recording its acknowledgement, with the unit's settings: the date the partner
/// gave, else <see cref="DefaultPeriod"/> from the acknowledgement; the rung <see cref="WarnBefore"/> the expiry.
/// </summary>
public sealed record PreservationTerms(DateTimeOffset? Until, TimeSpan DefaultPeriod, TimeSpan WarnBefore)
{
    /// <summary>Art. 29(7)'s period and two weeks' warning, for callers that know no settings.</summary>
    public static readonly PreservationTerms Default = new(null, TimeSpan.FromDays(90), TimeSpan.FromDays(14));
}

/// <summary>The partner's confirmation of a preservation or of its extension: the date until which it preserves.</summary>
public sealed record ConfirmPreservation(DateTimeOffset Until, TimeSpan WarnBefore, Actor By);

/// <summary>Ask the partner, in the item's thread, to preserve a further <see cref="Days"/> days.</summary>
public sealed record RequestPreservationExtension(int Days, Actor By);

/// <summary>
/// The Worker's clock reached the preservation-expiring rung; <see cref="OutlastedBy"/> names a follow-up of the chain whose
/// expected answer falls after the expiry (null: none, and nobody need be told).
/// </summary>
public sealed record RecordPreservationExpiring(DateTimeOffset DueAt, string? OutlastedBy);

/// <summary>The decider's view of an outgoing preservation: until when the partner preserves and what was done about its end.</summary>
public sealed record PreservationState(
    DateTimeOffset? Until = null,
    DateTimeOffset? WarnAt = null,
    DateTimeOffset? WarnedFor = null,
    DateTimeOffset? ExtensionRequestedAt = null);

/// <summary>The rules of a preservation's term: confirmed, extended, warned of before it lapses. Pure; time passed in.</summary>
public static class Preservations
{
    /// <summary>
    /// The rung a preservation's expiry rings, neither an acknowledge nor a reply rung: the item's status does not cancel it.
    /// </summary>
    public const string ExpiringStep = "preservation-expiring";

    /// <summary>Whether an item asks a partner to preserve: an outgoing art. 29 form, or preservation among the data asked for.</summary>
    public static bool Asks(Direction direction, ItemFields fields) =>
        direction == Direction.Outgoing
        && (fields.Content?.Form == RequestForm.Preservation || fields.RequestedData.Contains(RequestedData.Preservation));

    /// <summary>The state after registration or a change of details: kept while the item asks to preserve, none otherwise.</summary>
    public static PreservationState? Asked(PreservationState? current, Direction direction, ItemFields fields) =>
        Asks(direction, fields) ? current ?? new PreservationState() : null;

    /// <summary>What an acknowledgement adds: for a preservation, the partner's date (or the default period) and its rung.</summary>
    public static object[] OnAcknowledged(WorkItem state, PreservationTerms? terms, Actor by, DateTimeOffset now)
    {
        terms ??= PreservationTerms.Default;
        if (state.Preservation is null)
        {
            return terms.Until is null ? [] : throw NotAPreservation(state);
        }

        var until = DeadlineCalculator.Whole(terms.Until ?? now + terms.DefaultPeriod);
        return [Confirmed(state, until, terms.WarnBefore, by, now)];
    }

    public static object[] Decide(WorkItem state, object command, DateTimeOffset now) => command switch
    {
        ConfirmPreservation c => Confirm(state, c, now),
        RequestPreservationExtension c => Extend(state, c, now),
        RecordPreservationExpiring c => Expiring(state, c, now),
        _ => throw new InvalidOperationException($"No rule of preservations decides {command.GetType().Name}."),
    };

    public static WorkItem Evolve(WorkItem state, object @event) => @event switch
    {
        PreservationConfirmed e => state with
        {
            Preservation = (state.Preservation ?? new()) with { Until = e.PreservedUntil, WarnAt = e.WarnAt, ExtensionRequestedAt = null },
        },
        PreservationExtensionRequested e => state with
        {
            Preservation = (state.Preservation ?? new()) with { ExtensionRequestedAt = e.At },
        },
        // The rung is told like any other (the item's escalations), and remembered for the expiry it warned of.
        DeadlineEscalated e => state with
        {
            Escalated = new HashSet<string>(state.Escalated) { e.Step },
            Preservation = state.Preservation is { } p ? p with { WarnedFor = e.DueAt } : null,
        },
        _ => state,
    };

    private static object[] Confirm(WorkItem state, ConfirmPreservation c, DateTimeOffset now)
    {
        var preservation = Open(state, "record a preservation's confirmation of");
        WorkItemStatus[] confirmable = [WorkItemStatus.Acknowledged, WorkItemStatus.PartlyAnswered, WorkItemStatus.Answered];
        if (!confirmable.Contains(state.Status))
        {
            throw new DomainRuleViolation(
                "preservation-not-acknowledged",
                $"Item {state.RegisterNumber} is {state.Status}: record the partner's acknowledgement, with the date it preserves until.");
        }

        var until = DeadlineCalculator.Whole(c.Until);
        return until == preservation.Until ? [] : [Confirmed(state, until, c.WarnBefore, c.By, now)];
    }

    private static object[] Extend(WorkItem state, RequestPreservationExtension c, DateTimeOffset now)
    {
        var preservation = Open(state, "ask for an extension of");
        if (preservation.Until is not { } until)
        {
            throw new DomainRuleViolation(
                "preservation-not-confirmed",
                $"The partner has not confirmed the preservation of {state.RegisterNumber}; there is no term to extend.");
        }

        if (until <= now)
        {
            throw new DomainRuleViolation(
                "preservation-expired",
                $"The preservation of {state.RegisterNumber} lapsed at {until:u}; the data may be gone: "
                + "ask for a new preservation instead.");
        }

        // A double click, or two officers at once, must not send the partner the same request twice.
        if (preservation.ExtensionRequestedAt is { } asked && asked + WorkItemDecider.ReminderInterval > now)
        {
            throw new DomainRuleViolation(
                "extension-requested-recently",
                $"An extension of {state.RegisterNumber} was asked for at {asked:u}; "
                + $"ask again from {asked + WorkItemDecider.ReminderInterval:u}.");
        }

        return [new PreservationExtensionRequested(state.Id, c.Days, until, c.By, now)];
    }

    private static object[] Expiring(WorkItem state, RecordPreservationExpiring c, DateTimeOffset now)
    {
        // Like any rung: a wake-up may come twice, late, or for an expiry since moved; and nobody is told of a chain that holds.
        if (state.IsEnded || state.Preservation is not { WarnAt: { } warnAt } preservation || warnAt != c.DueAt
            || preservation.WarnedFor == warnAt || c.OutlastedBy is null)
        {
            return [];
        }

        return [new DeadlineEscalated(state.Id, ExpiringStep, warnAt, [Recipient.AssignedOfficer, Recipient.DutyOfficer], false,
            SuggestedAction.ExtendPreservation, now)];
    }

    private static PreservationConfirmed Confirmed(WorkItem state, DateTimeOffset until, TimeSpan warnBefore, Actor by, DateTimeOffset now)
    {
        if (until <= now)
        {
            throw new DomainRuleViolation("preserved-until-must-be-later", $"The preservation must last beyond now; {until:u} is past.");
        }

        // Warned in time to extend: the lead before the expiry, or at once when less is left.
        var warnAt = DeadlineCalculator.Whole(until - warnBefore < now ? now : until - warnBefore);
        return new PreservationConfirmed(state.Id, until, warnAt, by, now);
    }

    private static PreservationState Open(WorkItem state, string action)
    {
        if (state.Preservation is not { } preservation)
        {
            throw NotAPreservation(state);
        }

        if (state.IsEnded)
        {
            throw new DomainRuleViolation("item-has-ended", $"Item {state.RegisterNumber} is {state.Status}; reopen it to {action} it.");
        }

        return preservation;
    }

    private static DomainRuleViolation NotAPreservation(WorkItem state) =>
        new("not-a-preservation", $"Item {state.RegisterNumber} does not ask a partner to preserve data (Budapest Convention art. 29).");
}
