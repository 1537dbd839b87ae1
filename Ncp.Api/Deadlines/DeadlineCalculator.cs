using Ncp.Api.Cases;
using Ncp.Api.Partners;

namespace Ncp.Api.Deadlines;

/// <summary>One rung of an item's ladder, placed in time; <see cref="Kind"/>: what it waits for (null: stored before rungs said).</summary>
public sealed record ScheduledStep(
    string Name, DateTimeOffset DueAt, Recipient[] Notify, bool RemindPartner, SuggestedAction Suggest, RungKind? Kind = null);

/// <summary>An item's three deadlines and its ladder, as computed when its clock started.</summary>
public sealed record ItemDeadlines(
    string Policy, DateTimeOffset Start, DateTimeOffset AcknowledgeBy, DateTimeOffset ReplyBy, DateTimeOffset? UsefulUntil, ScheduledStep[] Steps);

/// <summary>Deadline arithmetic: pure, time passed in, the partner's time zone and office hours for working-hour policies.</summary>
public static class DeadlineCalculator
{
    private const int MaxDaysScanned = 3660;

    public static DeadlinePolicy Choose(IEnumerable<DeadlinePolicy> policies, WorkItemKind kind, Direction direction, ItemFields fields) =>
        policies.Where(p => p.Matches(kind, direction, fields.Priority, fields.Channel, fields.RequestedData.Contains(RequestedData.Preservation)))
            .OrderByDescending(p => p.Specificity)
            .FirstOrDefault()
        ?? throw new InvalidOperationException($"No deadline policy matches a {fields.Priority} {kind} via {fields.Channel}; add a catch-all policy.");

    public static ItemDeadlines Compute(
        IEnumerable<DeadlinePolicy> policies, WorkItemKind kind, Direction direction, ItemFields fields, PartnerProfile partner, DateTimeOffset start)
    {
        var policy = Choose(policies, kind, direction, fields);
        var acknowledgeBy = Add(start, policy.AcknowledgeWithin, policy.Counting, partner);
        // An incoming request carries the partner's deadline for our reply; it beats our own policy.
        var replyBy = direction == Direction.Incoming && fields.DueBy is { } theirs ? theirs : Add(start, policy.ReplyWithin, policy.Counting, partner);
        var usefulUntil = UsefulUntil(fields, partner, start);
        return Place(policy, start, acknowledgeBy, replyBy, usefulUntil);
    }

    /// <summary>Places the policy's ladder between a start and the three deadlines; rungs already behind the start fire at once.</summary>
    public static ItemDeadlines Place(DeadlinePolicy policy, DateTimeOffset start, DateTimeOffset acknowledgeBy, DateTimeOffset replyBy, DateTimeOffset? usefulUntil)
    {
        var steps = new List<ScheduledStep>();
        foreach (var step in policy.Ladder)
        {
            DateTimeOffset? anchor = step.Anchor switch
            {
                Anchor.AcknowledgeBy => acknowledgeBy,
                Anchor.ReplyBy => replyBy,
                _ => usefulUntil,
            };
            if (anchor is not { } at)
            {
                continue;
            }

            var due = step.Fraction is { } fraction ? start + ((at - start) * fraction) : at + (step.Offset ?? TimeSpan.Zero);
            steps.Add(new ScheduledStep(
                step.Name, Whole(due < start ? start : due), step.Notify, step.RemindPartner, step.Suggest, Rungs.KindOf(step.Anchor)));
        }

        return new ItemDeadlines(
            policy.Name, start, Whole(acknowledgeBy), Whole(replyBy), usefulUntil is { } u ? Whole(u) : null, [.. steps.OrderBy(s => s.DueAt)]);
    }

    /// <summary>Deadlines are whole seconds (rounded up): they survive every store and wire format unchanged.</summary>
    public static DateTimeOffset Whole(DateTimeOffset at) =>
        at.Ticks % TimeSpan.TicksPerSecond == 0 ? at : new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond, at.Offset);

    /// <summary>
    /// When the answer starts to lose its worth: the oldest data asked for leaves the provider's logs (period start plus the
    /// partner's retention for that kind of data), or, for a preservation, the preservation lapses.
    /// </summary>
    public static DateTimeOffset? UsefulUntil(ItemFields fields, PartnerProfile partner, DateTimeOffset start)
    {
        var candidates = new List<DateTimeOffset>();
        if (fields.DataPeriod is { } period)
        {
            var from = new DateTimeOffset(period.From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            foreach (var data in fields.RequestedData)
            {
                int? days = data switch
                {
                    RequestedData.SubscriberData => partner.RetentionDays.SubscriberData,
                    RequestedData.TrafficData => partner.RetentionDays.TrafficData,
                    RequestedData.ContentData => partner.RetentionDays.ContentData,
                    _ => null,
                };
                if (days is { } d)
                {
                    candidates.Add(from.AddDays(d));
                }
            }
        }

        if (fields.RequestedData.Contains(RequestedData.Preservation))
        {
            candidates.Add(start.AddDays(partner.PreservationDays));
        }

        return candidates.Count == 0 ? null : candidates.Min();
    }

    public static DateTimeOffset Add(DateTimeOffset start, TimeSpan duration, Counting counting, PartnerProfile partner) =>
        counting == Counting.CalendarHours ? start + duration : AddWorkingTime(start, duration, partner);

    /// <summary>Adds working time: only the partner's office hours on its working days count, in its own time zone (DST included).</summary>
    public static DateTimeOffset AddWorkingTime(DateTimeOffset start, TimeSpan duration, PartnerProfile partner)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(partner.TimeZone);
        var from = TimeOnly.ParseExact(partner.OfficeHours.From, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var to = TimeOnly.ParseExact(partner.OfficeHours.To, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var days = partner.OfficeHours.Days.Select(DayOf).ToHashSet();

        var remaining = duration;
        var cursor = start;
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, zone).DateTime);
        for (var scanned = 0; scanned < MaxDaysScanned; scanned++, day = day.AddDays(1))
        {
            if (!days.Contains(day.DayOfWeek))
            {
                continue;
            }

            var open = ToInstant(day.ToDateTime(from), zone);
            var close = ToInstant(day.ToDateTime(to), zone);
            var segmentStart = cursor > open ? cursor : open;
            if (segmentStart >= close)
            {
                continue;
            }

            var available = close - segmentStart;
            if (remaining <= available)
            {
                return segmentStart + remaining;
            }

            remaining -= available;
            cursor = close;
        }

        throw new InvalidOperationException($"{partner.Code} has no office hours in ten years; check its directory entry.");
    }

    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        // A wall-clock time skipped by a spring-forward change does not exist: take the first minute after the gap.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <summary>Whether the partner's office is open at <paramref name="at"/>, in its own time zone.</summary>
    public static bool InOfficeHours(PartnerProfile partner, DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(partner.TimeZone));
        var time = TimeOnly.FromDateTime(local.DateTime);
        return partner.OfficeHours.Days.Select(DayOf).Contains(local.DayOfWeek)
            && time >= TimeOnly.ParseExact(partner.OfficeHours.From, "HH:mm", System.Globalization.CultureInfo.InvariantCulture)
            && time < TimeOnly.ParseExact(partner.OfficeHours.To, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DayOfWeek DayOf(string day) => day switch
    {
        "mon" => DayOfWeek.Monday,
        "tue" => DayOfWeek.Tuesday,
        "wed" => DayOfWeek.Wednesday,
        "thu" => DayOfWeek.Thursday,
        "fri" => DayOfWeek.Friday,
        "sat" => DayOfWeek.Saturday,
        _ => DayOfWeek.Sunday,
    };
}
