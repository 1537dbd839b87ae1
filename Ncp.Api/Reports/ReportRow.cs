using System.Text.RegularExpressions;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Ncp.Api.Cases;
using Ncp.Api.Cases.Answering;
using Ncp.Api.Cases.Chaining;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Api.Reports;

/// <summary>
/// One item as the reports count it: every dimension a figure is broken down by, and the moment of every step a figure
/// counts, so that a report is a handful of SQL aggregates over one narrow table (never a replay of events). The
/// deadlines are those set when the clock started (at sending): timeliness is judged against what was asked, not
/// against an extension granted later.
/// </summary>
public sealed record ReportRow
{
    public Guid Id { get; init; }
    public string RegisterNumber { get; init; } = "";
    public WorkItemKind Kind { get; init; }
    public Direction Direction { get; init; }
    public Channel Channel { get; init; }
    public string PartnerCode { get; init; } = "";
    public string Country { get; init; } = "";
    public CrimeCategory CrimeCategory { get; init; }

    /// <summary>The Criminal Code article the offence names ("190", "205-1"), or "" when it names none.</summary>
    public string Article { get; init; } = "";
    public Priority Priority { get; init; }

    /// <summary>The officer the item is counted for: its assignee, else who registered it.</summary>
    public string OfficerId { get; init; } = "";
    public string OfficerName { get; init; } = "";
    public ChainRole Role { get; init; } = ChainRole.Other;

    public DateTimeOffset RegisteredAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }

    /// <summary>The first answer: timeliness counts the partner's first word of substance.</summary>
    public DateTimeOffset? AnsweredAt { get; init; }
    public AnswerOutcome? Outcome { get; init; }
    public CaseEffect? Effect { get; init; }
    public DateTimeOffset? OutcomeAt { get; init; }
    public DateTimeOffset? RefusedAt { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>When the item ended (closed, withdrawn or refused); null while open (a reopened item is open again).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? AcknowledgeBy { get; init; }
    public DateTimeOffset? ReplyBy { get; init; }
    public DateTimeOffset? UsefulUntil { get; init; }

    /// <summary>The last day of the data asked for (the item's period, else its identifiers' latest): how old the data was.</summary>
    public DateOnly? DataPeriodEnd { get; init; }

    /// <summary>Of a preservation: the date the partner confirmed it keeps the data until.</summary>
    public DateTimeOffset? PreservedUntil { get; init; }

    /// <summary>Items joined to this one by follow-up links, whichever end recorded the link: the chain report's joins.</summary>
    public Guid[] FollowUps { get; init; } = [];

    /// <summary>
    /// Columns beside the JSON, each indexed: what the reports filter, group and bound by period. The yearly report reads only
    /// two covering indexes (registered and answered, with channel, category and outcome): at a million items a year's
    /// 200,000 rows are read from the indexes alone, not from the wide table (6 s became 0.7–1.2 s on a loaded 2-core machine).
    /// </summary>
    public static void ConfigureColumns(StoreOptions options) =>
        options.Schema.For<ReportRow>()
            .Duplicate(x => x.Channel)
            .Duplicate(x => x.CrimeCategory)
            .Duplicate(x => x.Outcome)
            .Duplicate(x => x.RegisteredAt, configure: i => i.IncludeColumns = ["channel", "crime_category"])
            .Duplicate(x => x.SentAt)
            .Duplicate(x => x.AnsweredAt, configure: i => i.IncludeColumns = ["channel", "crime_category", "outcome"])
            .Duplicate(x => x.EndedAt)
            .Duplicate(x => x.Role);
}

public sealed partial class ReportRowProjection : SingleStreamProjection<ReportRow, Guid>
{
    // Only this aggregate's events: an explicit Evolve would otherwise fold in every stream of the store.
    public ReportRowProjection() => this.IncludeTypes(WorkItemEvents.All);

    public override ReportRow Evolve(ReportRow? snapshot, Guid id, IEvent e) => Fold(snapshot ?? new ReportRow { Id = id }, e.Data);

    public static ReportRow Fold(ReportRow row, object @event) => @event switch
    {
        ItemRegistered e => WithFields(row, e.Direction, e.Fields) with
        {
            RegisterNumber = e.RegisterNumber, Kind = e.Kind, Direction = e.Direction, RegisteredAt = e.At,
            OfficerId = e.By.Id, OfficerName = e.By.Name, Role = RoleOf(e.Kind, e.Direction, e.Fields),
        },
        ItemDetailsChanged e => WithFields(row, row.Direction, e.Fields) with { Role = RoleOf(row.Kind, row.Direction, e.Fields) },
        ItemSent e => row with { SentAt = row.SentAt ?? e.At },
        ItemAcknowledged e => row with { AcknowledgedAt = row.AcknowledgedAt ?? e.At },
        AnswerRecorded e => row with { AnsweredAt = row.AnsweredAt ?? e.At },
        AnswerOutcomeRecorded e => row with { Outcome = e.Outcome, Effect = e.Effect, OutcomeAt = e.At },
        AnswerOutcomeCorrected e => row with { Outcome = e.Outcome, Effect = e.Effect, OutcomeAt = e.At },
        ItemRefused e => row with { RefusedAt = e.At, EndedAt = e.At },
        ItemWithdrawn e => row with { WithdrawnAt = e.At, EndedAt = e.At },
        ItemClosed e => row with { ClosedAt = e.At, EndedAt = e.At },
        ItemReopened => row with { RefusedAt = null, WithdrawnAt = null, ClosedAt = null, EndedAt = null },
        OfficerAssigned e => row with { OfficerId = e.Officer.Id, OfficerName = e.Officer.Name },
        // The first clock is the one the partner was asked to keep; later ones (a reopening) are not the request's.
        DeadlinesSet e when row.ReplyBy is null => row with
        {
            AcknowledgeBy = e.Deadlines.AcknowledgeBy, ReplyBy = e.Deadlines.ReplyBy, UsefulUntil = e.Deadlines.UsefulUntil,
        },
        PreservationConfirmed e => row with { PreservedUntil = e.PreservedUntil },
        ItemLinked { Type: LinkType.FollowUp } e when !row.FollowUps.Contains(e.TargetId) => row with { FollowUps = [.. row.FollowUps, e.TargetId] },
        ItemLinkedFrom { Type: LinkType.FollowUp } e when !row.FollowUps.Contains(e.SourceId) => row with { FollowUps = [.. row.FollowUps, e.SourceId] },
        _ => row,
    };

    private static ReportRow WithFields(ReportRow row, Direction direction, ItemFields f) => row with
    {
        Channel = f.Channel,
        PartnerCode = f.PartnerCode,
        Country = f.Country,
        CrimeCategory = f.CrimeCategory,
        Article = ArticleOf(f.Content?.Offence),
        Priority = f.Priority,
        DataPeriodEnd = new[] { f.DataPeriod?.To }.Concat((f.Content?.Identifiers ?? []).Select(i => i.Period?.To)).Max(),
    };

    private static ChainRole RoleOf(WorkItemKind kind, Direction direction, ItemFields f) =>
        Preservations.Asks(direction, f) ? ChainRole.Preservation
        : kind == WorkItemKind.LegalAssistanceTask || f.Content?.Form == RequestForm.LegalAssistance ? ChainRole.LegalAssistance
        : f.Content?.Form == RequestForm.Disclosure ? ChainRole.Disclosure
        : ChainRole.Other;

    /// <summary>
    /// "art. 190 part 2", "ст. 205-1", "по статье 190", "190-бап", "190-бабы": the article's number as officers write it in any
    /// language, the Russian article and the Kazakh бап in any of their cases.
    /// </summary>
    public static string ArticleOf(string? offence) =>
        offence is not null && ArticlePattern().Match(offence) is { Success: true } m ? m.Groups["n"].Value : "";

    [GeneratedRegex(@"(?:\b(?:art(?:icle)?|ст(?:ать(?:я|и|е|ю|ей|ёй))?)\.?\s*(?<n>\d{2,3}(?:-\d)?)\b)|(?:\b(?<n>\d{2,3}(?:-\d)?)\s*-?\s*ба[пб])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ArticlePattern();
}
