using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Ncp.Api.Infrastructure.Auth;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Reports;

/// <summary>
/// A small year of items with known dates and outcomes, lived through on a simulated clock from December before the year
/// to the first minutes after it in Asia/Almaty, with items on both sides of its midnights. <see cref="ReportFiguresTests"/>
/// compares every figure with the values worked out by hand beside each item below. The story is written as 2027 and lived
/// in <see cref="Year"/>: the simulated clock starts at the real time and cannot go back, so the story moves to the next
/// year whose December is still ahead (no figure depends on the weekday or on a 29 February: every deadline of these
/// partners and priorities counts calendar hours, and the one data age that spans February is counted back from its sending).
/// </summary>
public sealed class ReportYear : IAsyncLifetime
{
    public static readonly TimeZoneInfo Almaty = TimeZoneInfo.FindSystemTimeZoneById("Asia/Almaty");

    /// <summary>The year the story counts in; <c>NCP_REPORT_YEAR</c> picks a later one (to try a leap year or another weekday).</summary>
    public static readonly int Year = ChooseYear(DateTimeOffset.UtcNow, Environment.GetEnvironmentVariable("NCP_REPORT_YEAR"));

    public SimulatedNcp Ncp { get; } = new();

    /// <summary>The supervisor, cleared for CSTO; tokens outlive the simulated year.</summary>
    public HttpClient Supervisor { get; private set; } = null!;

    /// <summary>An auditor, allowed the reports but not cleared for CSTO.</summary>
    public HttpClient Auditor { get; private set; } = null!;

    public Dictionary<string, JsonElement> Items { get; } = [];

    /// <summary>
    /// The first year whose story (from 10 December of the year before) still lies a day ahead of <paramref name="now"/>:
    /// 2027 until 9 December 2026, then 2028, and so on.
    /// </summary>
    public static int ChooseYear(DateTimeOffset now, string? asked)
    {
        var local = TimeZoneInfo.ConvertTime(now, Almaty);
        var earliest = local < new DateTimeOffset(local.Year, 12, 9, 0, 0, 0, local.Offset) ? local.Year + 1 : local.Year + 2;
        return int.TryParse(asked, out var year) && year > earliest ? year : earliest;
    }

    /// <summary>A moment on the unit's wall clock, written as in the story's 2027 and moved to <see cref="Year"/>.</summary>
    public static DateTimeOffset L(int year, int month, int day, int hour, int minute = 0) =>
        new(TimeZoneInfo.ConvertTimeToUtc(
            new DateTime(year + Year - 2027, month, day, hour, minute, 0, DateTimeKind.Unspecified), Almaty), TimeSpan.Zero);

    /// <summary>A day, written as in the story's 2027 and moved to <see cref="Year"/>.</summary>
    public static DateOnly D(int year, int month, int day) => new(year + Year - 2027, month, day);

    public async Task InitializeAsync()
    {
        await Ncp.InitializeAsync();
        Supervisor = Client("supervisor");
        Auditor = Client("auditor");

        // Item, partner, category, day the data asked for ends; then each step at its moment, and the offence as the officer
        // wrote it (its article: A, B, K 205; C, D, N 190; E, P, M 210; I 194; F, G, H, Q none). The figures each adds to 2027
        // are in ReportFiguresTests.
        (DateTimeOffset At, Func<Task> Step)[] steps =
        [
            // Q, N: a chain of December 2026, both closed within it (nothing of 2027). The preservation Q went out before the
            // offence was qualified; the legal assistance N that followed 2 days later names art. 190, answered in 4 days,
            // before Q's preservation ended on 30 December.
            .. Request("Q", "AE-CYBER247", "internet-fraud", D(2026, 12, 1), L(2026, 12, 10, 10), L(2026, 12, 10, 10),
                ack: L(2026, 12, 10, 14), preservedUntil: L(2026, 12, 30, 0), answer: (L(2026, 12, 14, 10), "not-applicable"),
                close: L(2026, 12, 17, 10)),
            .. Request("N", "AE-CYBER247", "internet-fraud", D(2026, 12, 1), L(2026, 12, 12, 10), L(2026, 12, 12, 10),
                ack: L(2026, 12, 13, 10), answer: (L(2026, 12, 16, 10), "data-provided"), close: L(2026, 12, 17, 11), followUpOf: "Q",
                offence: "Fraud, art. 190(2) of the Criminal Code"),
            // A: registered and sent in 2026, answered in 2027 (counts as answered in 2027, not as registered or sent).
            .. Request("A", "DE-CYBER247", "computer-crime", D(2026, 12, 1), L(2026, 12, 20, 10), L(2026, 12, 20, 11),
                ack: L(2026, 12, 21, 11), answer: (L(2027, 1, 10, 11), "data-provided"), close: L(2027, 1, 12, 10),
                offence: "Неправомерный доступ к информации, ст. 205 ч. 1 УК РК"),
            // B: 00:30 on 1 January in Almaty is still 31 December in UTC: a 2027 item. Ack 12 h, answer 48 h, data 10 days old.
            .. Request("B", "DE-CYBER247", "computer-crime", D(2026, 12, 22), L(2027, 1, 1, 0, 30), L(2027, 1, 1, 1),
                ack: L(2027, 1, 1, 13), answer: (L(2027, 1, 3, 1), "data-provided"), close: L(2027, 1, 5, 10),
                offence: "Illegal access to information, art. 205(2) of the Criminal Code"),
            // C: registered in March at 23:30, sent in April at 00:10 (March in UTC). Ack 72 h, answer 240 h: both late; the
            // data was 90 days old and gone (its period ended on 1 January, or on 2 January in a leap year).
            .. Request("C", "DE-CYBER247", "internet-fraud", D(2027, 4, 1).AddDays(-90), L(2027, 3, 31, 23, 30), L(2027, 4, 1, 0, 10),
                ack: L(2027, 4, 4, 0, 10), answer: (L(2027, 4, 11, 0, 10), "no-longer-retained"), close: L(2027, 4, 12, 10),
                offence: "Мошенничество с использованием сетей связи, статья 190 часть 4"),
            // D: ack 6 h, answer 96 h, partly provided, left open. Data 14 days old.
            .. Request("D", "AT-CYBER247", "internet-fraud", D(2027, 6, 1), L(2027, 6, 15, 9), L(2027, 6, 15, 9, 30),
                ack: L(2027, 6, 15, 15, 30), answer: (L(2027, 6, 19, 9, 30), "partly-provided"),
                offence: "Алаяқтық, ҚР ҚК 190-бабы 2-бөлігі"),
            // E: ack 30 h, then refused by the partner. Data 9 days old.
            .. Request("E", "AT-CYBER247", "computer-crime", D(2027, 9, 1), L(2027, 9, 10, 10), L(2027, 9, 10, 10),
                ack: L(2027, 9, 11, 16), refuse: L(2027, 9, 19, 10), offence: "Зиянды компьютерлік бағдарламаларды жасау, 210-бап"),
            // F: sent and never heard of again. Data 10 days old.
            .. Request("F", "AT-CYBER247", "computer-crime", D(2027, 11, 10), L(2027, 11, 20, 10), L(2027, 11, 20, 10)),
            // G: a draft at 23:30 on 31 December: 2027. H: a draft at 00:30 on 1 January 2028 (31 December in UTC): not 2027.
            .. Request("G", "DE-CYBER247", "other", D(2027, 12, 1), L(2027, 12, 31, 23, 30), null),
            .. Request("H", "DE-CYBER247", "other", D(2027, 12, 1), L(2028, 1, 1, 0, 30), null),
            // I: a draft withdrawn the next day.
            .. Request("I", "AT-CYBER247", "extortion", D(2027, 2, 1), L(2027, 2, 10, 10), null, withdraw: L(2027, 2, 11, 10),
                offence: "Вымогательство, по статье 194 УК РК"),
            // K: CSTO, seen only by those cleared for it. Ack 10 h, answer 50 h. Data 4 days old.
            .. Request("K", "CSTO-CYBER", "computer-crime", D(2027, 5, 1), L(2027, 5, 5, 10), L(2027, 5, 5, 10),
                ack: L(2027, 5, 5, 20), answer: (L(2027, 5, 7, 12), "data-provided"), close: L(2027, 5, 8, 10), offence: "ст.205"),
            // P: a preservation, ack 4 h preserving until 1 August; M: the legal assistance that follows it 10 days later, ack
            // 24 h, answered after 30 days (10 August): the preservation lapsed before. Data 11 and 21 days old.
            .. Request("P", "AE-CYBER247", "computer-crime", D(2027, 6, 20), L(2027, 7, 1, 10), L(2027, 7, 1, 10),
                ack: L(2027, 7, 1, 14), preservedUntil: L(2027, 8, 1, 0), offence: "Malware, Art. 210"),
            .. Request("M", "AE-CYBER247", "computer-crime", D(2027, 6, 20), L(2027, 7, 11, 10), L(2027, 7, 11, 10),
                ack: L(2027, 7, 12, 10), answer: (L(2027, 8, 10, 10), "data-provided"), followUpOf: "P",
                offence: "Creation of malicious software, Article 210 of the Criminal Code"),
        ];

        foreach (var (at, step) in steps.OrderBy(s => s.At))
        {
            Ncp.Clock.SetUtcNow(at);
            await step();
        }
    }

    public Task DisposeAsync() => Ncp.DisposeAsync();

    private HttpClient Client(string login)
    {
        var client = Ncp.Api.CreateClient();
        var signIn = Ncp.Api.Services.GetRequiredService<DevelopmentSignIn>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", signIn.Issue(DevelopmentSignIn.Users.Single(u => u.Login == login), TimeSpan.FromDays(800)));
        return client;
    }

    private IEnumerable<(DateTimeOffset, Func<Task>)> Request(
        string name, string partner, string category, DateOnly dataEnd, DateTimeOffset registered, DateTimeOffset? sent,
        DateTimeOffset? ack = null, (DateTimeOffset At, string Outcome)? answer = null, DateTimeOffset? close = null,
        DateTimeOffset? refuse = null, DateTimeOffset? withdraw = null, DateTimeOffset? preservedUntil = null, string? followUpOf = null,
        string? offence = null)
    {
        var body = ItemsApi.OutgoingRequest(partner, $"Report year item {name}");
        body["priority"] = "normal";
        body["crimeCategory"] = category;
        body["dataPeriod"] = new JsonObject { ["from"] = $"{dataEnd.AddDays(-10):yyyy-MM-dd}", ["to"] = $"{dataEnd:yyyy-MM-dd}" };
        if (preservedUntil is not null)
        {
            body["requestedData"] = new JsonArray("preservation");
        }

        if (offence is not null)
        {
            body["content"] = new JsonObject { ["offence"] = offence };
        }

        if (followUpOf is not null)
        {
            body["kind"] = "legal-assistance-task";
            body["channel"] = "bilateral";
        }

        string Number() => Items[name].Number();
        yield return (registered, async () =>
        {
            Items[name] = await Supervisor.RegisterAsync(body);
            if (followUpOf is not null)
            {
                await Supervisor.ActAsync(Number(), "links", new { targetNumber = Items[followUpOf].Number(), type = "follow-up" });
            }
        });
        if (sent is { } s)
        {
            yield return (s, () => Supervisor.ActAsync(Number(), "send"));
        }

        if (ack is { } a)
        {
            yield return (a, () => Supervisor.ActAsync(Number(), "acknowledge", new { partnerReference = $"REF-{name}", preservedUntil }));
        }

        if (answer is { } reply)
        {
            yield return (reply.At, () => Supervisor.ActAsync(Number(), "answers", new { extent = "full", summary = "Answer", outcome = reply.Outcome }));
        }

        foreach (var (at, action) in new[] { (close, "close"), (refuse, "refuse"), (withdraw, "withdraw") })
        {
            if (at is { } end)
            {
                yield return (end, () => Supervisor.ActAsync(Number(), action, new { reason = "The year's story" }));
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ReportYearCollection : ICollectionFixture<ReportYear>
{
    public const string Name = "report-year";
}
