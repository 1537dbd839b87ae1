using Ncp.Api.Cases;

namespace Ncp.Api.Deadlines;

/// <summary>
/// The policies a fresh installation starts with (configuration may replace them: section <c>Deadlines:Policies</c>).
/// Figures follow the unit's practice and public guidance: urgent 24/7 preservation acknowledged in 4 h and done in a
/// day; urgent data requests within 8 h (the rule of thumb of EU directive 2023/977 for urgent cases); normal requests in
/// 7 days; legal assistance in months, checked monthly. Every ladder ends with a suggestion a week before the data's
/// useful-until, so that no item loses its data unnoticed.
/// </summary>
public static class DefaultPolicies
{
    private static readonly LadderStep[] StandardLadder =
    [
        new("reply-by:50%", Anchor.ReplyBy, [Recipient.AssignedOfficer], Fraction: 0.5),
        new("reply-by:80%", Anchor.ReplyBy, [Recipient.AssignedOfficer, Recipient.DutyOfficer], Fraction: 0.8, RemindPartner: true),
        new("reply-by:100%", Anchor.ReplyBy, [Recipient.Supervisor], Fraction: 1.0),
        new("useful-until:-7d", Anchor.UsefulUntil, [Recipient.HeadOfUnit], Offset: TimeSpan.FromDays(-7), Suggest: SuggestedAction.UseAnotherChannel),
    ];

    private static readonly LadderStep[] PreservationLadder =
    [
        new("acknowledge-by:100%", Anchor.AcknowledgeBy, [Recipient.DutyOfficer], Fraction: 1.0, RemindPartner: true),
        new("reply-by:80%", Anchor.ReplyBy, [Recipient.AssignedOfficer, Recipient.DutyOfficer], Fraction: 0.8, RemindPartner: true),
        new("reply-by:100%", Anchor.ReplyBy, [Recipient.Supervisor], Fraction: 1.0),
        new("useful-until:-7d", Anchor.UsefulUntil, [Recipient.HeadOfUnit], Offset: TimeSpan.FromDays(-7), Suggest: SuggestedAction.SendPreservationRequest),
    ];

    private static readonly LadderStep[] LegalAssistanceLadder =
    [
        new("reply-by:33%", Anchor.ReplyBy, [Recipient.AssignedOfficer], Fraction: 1.0 / 3),
        new("reply-by:67%", Anchor.ReplyBy, [Recipient.AssignedOfficer, Recipient.Supervisor], Fraction: 2.0 / 3),
        new("reply-by:100%", Anchor.ReplyBy, [Recipient.HeadOfUnit], Fraction: 1.0, Suggest: SuggestedAction.EscalateThroughNationalAuthority),
        new("useful-until:-7d", Anchor.UsefulUntil, [Recipient.HeadOfUnit], Offset: TimeSpan.FromDays(-7), Suggest: SuggestedAction.EscalateThroughNationalAuthority),
    ];

    public static readonly DeadlinePolicy[] All =
    [
        new("normal-request", TimeSpan.FromDays(2), TimeSpan.FromDays(7), Counting.CalendarHours, StandardLadder, Kind: WorkItemKind.Request),
        new("high-request", TimeSpan.FromDays(1), TimeSpan.FromDays(3), Counting.CalendarHours, StandardLadder, Kind: WorkItemKind.Request, Priority: Priority.High),
        new("urgent-request", TimeSpan.FromHours(2), TimeSpan.FromHours(8), Counting.CalendarHours, StandardLadder, Kind: WorkItemKind.Request, Priority: Priority.Urgent),
        new("urgent-24-7-preservation", TimeSpan.FromHours(4), TimeSpan.FromHours(24), Counting.CalendarHours, PreservationLadder, Kind: WorkItemKind.Request, Priority: Priority.Urgent, Channel: Channel.TwentyFourSeven, Preservation: true),
        new("preservation", TimeSpan.FromHours(8), TimeSpan.FromDays(2), Counting.CalendarHours, PreservationLadder, Kind: WorkItemKind.Request, Preservation: true),
        new("bilateral-request", TimeSpan.FromHours(16), TimeSpan.FromHours(80), Counting.WorkingHours, StandardLadder, Kind: WorkItemKind.Request, Channel: Channel.Bilateral),
        new("initiative-message", TimeSpan.FromDays(2), TimeSpan.FromDays(2), Counting.CalendarHours,
            [
                new("acknowledge-by:100%", Anchor.AcknowledgeBy, [Recipient.AssignedOfficer], Fraction: 1.0, RemindPartner: true),
                new("useful-until:-7d", Anchor.UsefulUntil, [Recipient.HeadOfUnit], Offset: TimeSpan.FromDays(-7), Suggest: SuggestedAction.UseAnotherChannel),
            ],
            Kind: WorkItemKind.InitiativeMessage),
        new("legal-assistance", TimeSpan.FromDays(14), TimeSpan.FromDays(90), Counting.CalendarHours, LegalAssistanceLadder, Kind: WorkItemKind.LegalAssistanceTask),
    ];
}
