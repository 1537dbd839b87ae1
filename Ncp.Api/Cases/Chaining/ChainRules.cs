namespace Ncp.Api.Cases.Chaining;

/// <summary>The part an item plays in a preservation → legal assistance → disclosure chain.</summary>
public enum ChainRole
{
    /// <summary>Budapest Convention art. 29: the partner keeps the data until the formal request arrives.</summary>
    Preservation,

    /// <summary>The legal-assistance (MLA) request that asks for the preserved data.</summary>
    LegalAssistance,

    /// <summary>Art. 30: expedited disclosure of preserved traffic data.</summary>
    Disclosure,

    /// <summary>Another item linked as a follow-up.</summary>
    Other,
}

/// <summary>One item of a chain as the rules see it: its read model, and its chain facts (none for items older than chains).</summary>
public sealed record ChainFacts(ItemDetails Item, ChainMember? Member)
{
    public ChainRole Role =>
        Member?.Preserving == true ? ChainRole.Preservation
        : Item.Kind == WorkItemKind.LegalAssistanceTask || Member?.Form == RequestForm.LegalAssistance ? ChainRole.LegalAssistance
        : Member?.Form == RequestForm.Disclosure ? ChainRole.Disclosure
        : ChainRole.Other;

    /// <summary>When the answer is expected: the reply-by of the item's clock, else the date the officer gave.</summary>
    public DateTimeOffset? ExpectedAnswer => Item.Deadlines?.ReplyBy ?? Item.DueBy;

    public bool Ended => Item.Status is WorkItemStatus.Closed or WorkItemStatus.Withdrawn or WorkItemStatus.Refused;

    /// <summary>Still to be answered: neither answered in full nor ended.</summary>
    public bool AwaitsAnswer => !Ended && Item.Status != WorkItemStatus.Answered;
}

/// <summary>
/// Who waits on whom at one step: <see cref="Who"/> and <see cref="OnWhom"/> are <c>ncp</c> or a partner's code, <see cref="For"/>
/// what is awaited (<c>sending</c>, <c>acknowledgement</c>, <c>confirmation</c>, <c>extension-confirmation</c>,
/// <c>legal-assistance-request</c>, <c>preserving</c>, <c>answer</c>, <c>our-answer</c>, or <c>nothing</c>), <see cref="Until"/> its date.
/// </summary>
public sealed record ChainWait(string Who, string OnWhom, string For, DateTimeOffset? Until);

/// <summary>A preservation lapses before the answer of a follow-up needing its data: extend it before <see cref="PreservedUntil"/>.</summary>
public sealed record ChainWarning(
    string Code,
    string Preservation,
    string FollowUp,
    DateTimeOffset PreservedUntil,
    DateTimeOffset ExpectedAnswer,
    bool ExtensionRequested);

/// <summary>The rules of a chain: the order of its steps, who waits on whom, and when it warns. Pure; no I/O.</summary>
public static class ChainRules
{
    public const string Ncp = "ncp";
    public const string ExpiresBeforeAnswer = "preservation-expires-before-answer";

    /// <summary>Preservations first, then the legal assistance, the disclosure and the rest, each in the order registered.</summary>
    public static IReadOnlyList<ChainFacts> Order(IEnumerable<ChainFacts> steps) =>
        [.. steps.OrderBy(s => s.Role).ThenBy(s => s.Item.RegisteredAt).ThenBy(s => s.Item.RegisterNumber, StringComparer.Ordinal)];

    /// <summary>
    /// The chain warns for each preservation the partner confirmed (and that is not ended) and each legal-assistance or
    /// disclosure request still awaiting its answer whose expected answer falls after the preservation's expiry.
    /// </summary>
    public static IReadOnlyList<ChainWarning> Warnings(IReadOnlyList<ChainFacts> steps) =>
    [
        .. from p in steps
           where p.Role == ChainRole.Preservation && !p.Ended && p.Member?.PreservedUntil is not null
           from f in steps
           where f.Role is ChainRole.LegalAssistance or ChainRole.Disclosure && f.AwaitsAnswer
               && f.ExpectedAnswer is { } expected && expected > p.Member!.PreservedUntil!.Value
           select new ChainWarning(
               ExpiresBeforeAnswer, p.Item.RegisterNumber, f.Item.RegisterNumber, p.Member!.PreservedUntil!.Value, f.ExpectedAnswer!.Value,
               p.Member.ExtensionRequestedAt is not null),
    ];

    public static ChainWait Wait(ChainFacts step, IReadOnlyList<ChainFacts> chain)
    {
        var item = step.Item;
        var partner = item.PartnerCode;
        if (step.Ended || (item.Status == WorkItemStatus.Answered && step.Role != ChainRole.Preservation))
        {
            return new("", "", "nothing", null);
        }

        if (item.Direction == Direction.Incoming)
        {
            return new(partner, Ncp, "our-answer", step.ExpectedAnswer);
        }

        if (item.Status == WorkItemStatus.Draft)
        {
            return new(Ncp, Ncp, "sending", null);
        }

        if (item.Status == WorkItemStatus.Sent)
        {
            return new(Ncp, partner, "acknowledgement", item.Deadlines?.AcknowledgeBy);
        }

        return step.Role == ChainRole.Preservation ? PreservationWait(step, chain) : new(Ncp, partner, "answer", step.ExpectedAnswer);
    }

    private static ChainWait PreservationWait(ChainFacts step, IReadOnlyList<ChainFacts> chain)
    {
        var partner = step.Item.PartnerCode;
        if (step.Member?.PreservedUntil is not { } until)
        {
            return new(Ncp, partner, "confirmation", null);
        }

        if (step.Member.ExtensionRequestedAt is not null)
        {
            return new(Ncp, partner, "extension-confirmation", until);
        }

        // The partner keeps the data for our formal request; once that is sent, it keeps it while the request is answered.
        var requested = chain.Any(f =>
            f.Role is ChainRole.LegalAssistance or ChainRole.Disclosure && f.AwaitsAnswer && f.Item.SentAt is not null);
        return requested ? new(Ncp, partner, "preserving", until) : new(partner, Ncp, "legal-assistance-request", until);
    }
}
