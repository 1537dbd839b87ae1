using Ncp.Api.Cases.Progressing;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Cases.Answering;

/// <summary>What an answer brought: the figures the unit reports on, above all how often the data was already gone.</summary>
public enum AnswerOutcome
{
    DataProvided,
    PartlyProvided,

    /// <summary>Deleted or overwritten before the request reached the provider: asking earlier would have saved it.</summary>
    NoLongerRetained,

    /// <summary>The provider never held it (another provider's address, no such account).</summary>
    NotHeld,

    /// <summary>Refused, on the ground given with it.</summary>
    Refused,
    NotApplicable,
}

/// <summary>What the answer did for the criminal case, when the officer knows.</summary>
public enum CaseEffect
{
    SuspectIdentified,
    ContributedToSolving,
    NoneYet,
}

/// <summary>The outcome as the officer states it; <see cref="Ground"/> only with <see cref="AnswerOutcome.Refused"/>.</summary>
public sealed record Outcome(AnswerOutcome What, string? Ground, CaseEffect? Effect);

/// <summary>The outcome of the answer just recorded (it follows <see cref="AnswerRecorded"/> in the same append).</summary>
public sealed record AnswerOutcomeRecorded(Guid ItemId, AnswerOutcome Outcome, string? Ground, CaseEffect? Effect, Actor By, DateTimeOffset At);

/// <summary>
/// The outcome recorded earlier (or none, on answers older than outcomes) was wrong or is now known better; the figures
/// count the corrected one from now on, the timeline keeps both. <see cref="Was"/>: the outcome it replaces.
/// </summary>
public sealed record AnswerOutcomeCorrected(
    Guid ItemId, AnswerOutcome Outcome, string? Ground, CaseEffect? Effect, AnswerOutcome? Was, string Reason, Actor By, DateTimeOffset At);

/// <summary>The outcome as the item shows it: who stated it when, and whether it corrects an earlier one.</summary>
public sealed record OutcomeOnRecord(AnswerOutcome Outcome, string? Ground, CaseEffect? Effect, Actor By, DateTimeOffset At, bool Corrected = false);

public sealed record CorrectAnswerOutcome(Outcome Outcome, string Reason, Actor By);

/// <summary>The rules of an answer's outcome. Pure: state and time in, events out.</summary>
public static class Outcomes
{
    public const int GroundMaxLength = 500;

    /// <summary>The outcome events an answer brings, when the officer gave one.</summary>
    public static object[] OnAnswered(WorkItem state, Outcome? outcome, Actor by, DateTimeOffset now) =>
        outcome is null ? [] : [new AnswerOutcomeRecorded(state.Id, outcome.What, Grounded(outcome), outcome.Effect, by, now)];

    public static object[] Correct(WorkItem state, CorrectAnswerOutcome c, DateTimeOffset now)
    {
        // Correcting a record of what happened is allowed on an ended item too: the yearly figures are counted after closing.
        if (state.AnsweredAt is null)
        {
            throw new DomainRuleViolation("outcome-needs-an-answer", $"Item {state.RegisterNumber} has no answer whose outcome could be corrected.");
        }

        var ground = Grounded(c.Outcome);
        if (state.Outcome is { } current && current == c.Outcome with { Ground = ground })
        {
            throw new DomainRuleViolation("outcome-unchanged", $"The outcome of {state.RegisterNumber} is already {current.What}; nothing to correct.");
        }

        return [new AnswerOutcomeCorrected(state.Id, c.Outcome.What, ground, c.Outcome.Effect, state.Outcome?.What, c.Reason, c.By, now)];
    }

    public static WorkItem Evolve(WorkItem state, object @event) => @event switch
    {
        AnswerOutcomeRecorded e => state with { Outcome = new Outcome(e.Outcome, e.Ground, e.Effect) },
        AnswerOutcomeCorrected e => state with { Outcome = new Outcome(e.Outcome, e.Ground, e.Effect) },
        _ => state,
    };

    // A refusal without its ground tells the report nothing; any other outcome has no ground to keep.
    private static string? Grounded(Outcome outcome) =>
        outcome.What != AnswerOutcome.Refused ? null
        : string.IsNullOrWhiteSpace(outcome.Ground)
            ? throw new DomainRuleViolation("refusal-needs-a-ground", "A refusal is recorded with its ground (e.g. dual criminality, political offence).")
            : outcome.Ground.Trim();

    /// <summary>
    /// Reads the outcome fields of a request body: none given is no outcome (clients older than outcomes); a refusal needs
    /// its ground. Errors name the body's fields.
    /// </summary>
    public static (Outcome? Outcome, FieldError[] Errors) Parse(string? outcome, string? refusalGround, string? caseEffect, bool required)
    {
        var errors = new List<FieldError>();
        if (outcome is null && caseEffect is null && refusalGround is null && !required)
        {
            return (null, []);
        }

        if (!ApiEnum<AnswerOutcome>.TryParse(outcome, out var what))
        {
            errors.Add(new("outcome", $"One of: {ApiEnum<AnswerOutcome>.Names}."));
        }

        CaseEffect? effect = null;
        if (caseEffect is not null)
        {
            if (ApiEnum<CaseEffect>.TryParse(caseEffect, out var parsed))
            {
                effect = parsed;
            }
            else
            {
                errors.Add(new("caseEffect", $"One of: {ApiEnum<CaseEffect>.Names}, or leave it out."));
            }
        }

        if (what == AnswerOutcome.Refused && errors.Count == 0)
        {
            errors.AddRange(ProgressingEndpoints.Text("refusalGround", refusalGround, GroundMaxLength));
        }

        return errors.Count > 0 ? (null, errors.ToArray()) : (new Outcome(what, what == AnswerOutcome.Refused ? refusalGround!.Trim() : null, effect), []);
    }
}
