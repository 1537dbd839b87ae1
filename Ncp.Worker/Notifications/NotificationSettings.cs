namespace Ncp.Worker.Notifications;

/// <summary>Someone who may be told of an escalation, with the hours they can be reached.</summary>
public sealed class Person
{
    /// <summary>The officer's id as the Api knows it (Entra object id), so "the assigned officer" finds them.</summary>
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string Email { get; set; } = "";

    /// <summary><c>supervisor</c>, <c>head-of-unit</c>, <c>duty-officer</c>.</summary>
    public string[] Roles { get; set; } = [];

    public string TimeZone { get; set; } = "Asia/Almaty";

    /// <summary><c>kk</c>, <c>ru</c> or <c>en</c>: the language of the mail this person gets.</summary>
    public string Language { get; set; } = "en";

    public string From { get; set; } = "09:00";

    public string To { get; set; } = "18:00";

    public string[] Days { get; set; } = ["mon", "tue", "wed", "thu", "fri"];

    /// <summary>Told at once whatever the hour (the 24/7 duty desk, a head of unit on call).</summary>
    public bool AlwaysReachable { get; set; }

    /// <summary>
    /// The restricted channels this person is cleared for (the API's spelling, e.g. <c>csto</c>), as their
    /// <c>Ncp.Channel.&lt;Channel&gt;</c> roles in the Api: of an item in any other compartment they are told nothing.
    /// </summary>
    public string[] Clearances { get; set; } = [];

    public bool ClearedFor(string channel, bool restricted) => !restricted || Clearances.Contains(channel, StringComparer.OrdinalIgnoreCase);
}

public sealed class NotificationSettings
{
    public const string Section = "Notifications";

    public string From { get; set; } = "ncp@ncp.example";

    /// <summary>The 24/7 duty desk: always reachable, and told whenever nobody else would be.</summary>
    public string DutyMailbox { get; set; } = "duty@ncp.example";

    /// <summary>The language of the duty desk's mail.</summary>
    public string DutyLanguage { get; set; } = "ru";

    /// <summary>The restricted channels the duty desk's mailbox is cleared for; none unless said (its readers may not be cleared).</summary>
    public string[] DutyClearances { get; set; } = [];

    /// <summary>Where an officer opens the item; the register number is appended.</summary>
    public string ItemLink { get; set; } = "http://127.0.0.1:5080/api/items/";

    public List<Person> People { get; set; } = [];

    /// <summary>When each person's daily digest goes out, in their own time zone.</summary>
    public string DigestAt { get; set; } = "08:00";

    /// <summary>The duty desk as a person: always reachable, told of everything it is cleared for.</summary>
    public Person DutyDesk => new()
    {
        Id = "", Name = "Duty desk", Email = DutyMailbox, Roles = ["duty-officer"], AlwaysReachable = true, Language = DutyLanguage,
        Clearances = DutyClearances,
    };

    /// <summary>Longest nap of the sender between looks at the outbox.</summary>
    public TimeSpan MaxSleep { get; set; } = TimeSpan.FromSeconds(5);
}
