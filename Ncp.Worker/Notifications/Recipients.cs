using System.Globalization;
using Ncp.Contracts.Deadlines;

namespace Ncp.Worker.Notifications;

public sealed record Recipient(string Address, string Name, string As, DateTimeOffset SendAfter, string Language = "en");

/// <summary>Who is told of an escalation, and when each can be reached. Pure: time passed in.</summary>
public static class Recipients
{
    public static IReadOnlyList<Recipient> Of(EscalationRaised escalation, NotificationSettings settings, DateTimeOffset now)
    {
        var found = new List<Recipient>();
        bool Cleared(Person p) => p.ClearedFor(escalation.Channel, escalation.Restricted);
        foreach (var role in escalation.Notify)
        {
            var people = role switch
            {
                "assigned-officer" => settings.People.Where(p => p.Id == escalation.AssignedOfficerId),
                "duty-officer" => [],
                _ => settings.People.Where(p => p.Roles.Contains(role)),
            };
            var told = people.Where(Cleared).Select(p => new Recipient(p.Email, p.Name, role, p.AlwaysReachable ? now : NextReachable(p, now), p.Language)).ToList();
            // Nobody (cleared) named for this role, or it is the duty desk's: the 24/7 duty desk is always there, but
            // hears of a compartment's item only when its mailbox is cleared for it; else the rung reaches nobody of this
            // role, which the consumer logs (without the item's subject).
            var desk = settings.DutyDesk;
            found.AddRange(told.Count > 0 ? told : Cleared(desk) ? [new Recipient(desk.Email, desk.Name, role, now, desk.Language)] : []);
        }

        return [.. found.GroupBy(r => r.Address, StringComparer.OrdinalIgnoreCase).Select(g => g.MinBy(r => r.SendAfter)!)];
    }

    /// <summary>Now, if it is within the person's working hours; else the start of their next working period.</summary>
    public static DateTimeOffset NextReachable(Person person, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(person.TimeZone);
        var from = TimeOnly.ParseExact(person.From, "HH:mm", CultureInfo.InvariantCulture);
        var to = TimeOnly.ParseExact(person.To, "HH:mm", CultureInfo.InvariantCulture);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        for (var i = 0; i < 14; i++, day = day.AddDays(1))
        {
            if (!person.Days.Contains(day.DayOfWeek.ToString()[..3].ToLowerInvariant()))
            {
                continue;
            }

            var open = Instant(day.ToDateTime(from), zone);
            var close = Instant(day.ToDateTime(to), zone);
            if (now < close)
            {
                return now > open ? now : open;
            }
        }

        return now;
    }

    private static DateTimeOffset Instant(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
