using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace Ncp.Api.Ui.Shared;

/// <summary>
/// The case domain's words in the officer's language (Terms.resx, .ru, .kk): enum values by "Type.Value"
/// (e.g. "WorkItemStatus.PartlyAnswered"), app roles by "Role.&lt;role&gt;", and the codes the Api and the Worker speak
/// (rungs, policies, protections, quarantine reasons, mail failures...). Every code a person sees goes through here, so
/// that no internal word reaches a screen. Inject IStringLocalizer&lt;Terms&gt;.
/// </summary>
public sealed class Terms;

public static partial class TermsLocalizer
{
    /// <summary>An enum value as officers call it; the value's own name if the resources lack it.</summary>
    public static string Of<TEnum>(this IStringLocalizer<Terms> terms, TEnum value)
        where TEnum : struct, Enum => terms.Named(typeof(TEnum).Name, value.ToString());

    /// <summary>A file's size in the officer's units (849 Б, 12,5 КБ), one decimal from a kilobyte on.</summary>
    public static string Size(this IStringLocalizer<Terms> terms, long bytes) => bytes switch
    {
        < 1024 => terms["Size.Bytes", bytes].Value,
        < 1024 * 1024 => terms["Size.Kilobytes", (bytes / 1024.0).ToString("0.#", CultureInfo.CurrentCulture)].Value,
        _ => terms["Size.Megabytes", (bytes / 1024.0 / 1024.0).ToString("0.#", CultureInfo.CurrentCulture)].Value,
    };

    /// <summary>Who did it: an officer's own name, the system as the unit's short name in the officer's language.</summary>
    public static string ActorName(this IStringLocalizer<Terms> terms, string id, string name) =>
        terms.Found($"Actor.{id}") ?? name;

    /// <summary>An app role (Ncp.DutyOfficer...) as officers call it.</summary>
    public static string Role(this IStringLocalizer<Terms> terms, string role) => terms.Named("Role", role);

    /// <summary>
    /// A code of a family ("Channel", "Policy", "Protection", "MailPurpose"...) in words; the code itself when the
    /// resources do not know it (a policy added in configuration), which is still better than nothing on the screen.
    /// </summary>
    public static string Named(this IStringLocalizer<Terms> terms, string family, string code) =>
        terms.Found($"{family}.{code}") ?? code;

    /// <summary>
    /// A rung of a deadline ladder: "reply-by:80%" is "80 % of the time to reply", "useful-until:-7d" "a week before the
    /// data may be deleted"; a rung of its own name ("preservation-expiring") from the resources.
    /// </summary>
    public static string Rung(this IStringLocalizer<Terms> terms, string step)
    {
        if (terms.Found($"Rung.{step}") is { } named)
        {
            return named;
        }

        var match = RungPattern().Match(step);
        if (!match.Success)
        {
            return step;
        }

        var anchor = match.Groups["anchor"].Value;
        var amount = int.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "%" => terms.Found($"Rung.Share.{anchor}") is { } share ? string.Format(CultureInfo.CurrentCulture, share, amount) : step,
            var unit => terms.Found($"Rung.Before.{anchor}") is { } before
                ? string.Format(CultureInfo.CurrentCulture, before, terms.Count(unit == "d" ? "Days" : "Hours", amount))
                : step,
        };
    }

    /// <summary>A span of time in words ("2 days 3 h"), for pauses and extensions.</summary>
    public static string Duration(this IStringLocalizer<Terms> terms, TimeSpan span)
    {
        var days = (int)span.TotalDays;
        string[] parts =
        [
            .. days > 0 ? [terms.Count("Days", days)] : Array.Empty<string>(),
            .. span.Hours > 0 ? [terms.Count("Hours", span.Hours)] : Array.Empty<string>(),
            .. span.Minutes > 0 || (days == 0 && span.Hours == 0) ? [terms.Count("Minutes", span.Minutes)] : Array.Empty<string>(),
        ];
        return string.Join(" ", parts);
    }

    /// <summary>A language by its ISO 639-1 code, named in the officer's language (ICU's names).</summary>
    public static string Language(this IStringLocalizer<Terms> terms, string code)
    {
        try
        {
            var culture = CultureInfo.GetCultureInfo(code);
            // An unknown code makes a culture of its own name: nothing better than the code to show then.
            return culture.ThreeLetterISOLanguageName.Length == 0 || culture.DisplayName == code ? code : culture.DisplayName;
        }
        catch (CultureNotFoundException)
        {
            return code;
        }
    }

    /// <summary>Office days ("mon".."sun") as the officer's language shortens them.</summary>
    public static string Weekdays(this IStringLocalizer<Terms> terms, IEnumerable<string> days) =>
        string.Join(" ", days.Select(d => Array.IndexOf(WeekdayCodes, d.ToLowerInvariant()) is var i and >= 0
            ? CultureInfo.CurrentUICulture.DateTimeFormat.AbbreviatedDayNames[i]
            : d));

    /// <summary>Why the gateway held a mail, in words.</summary>
    public static string QuarantineReason(this IStringLocalizer<Terms> terms, string code) => terms.Named("QuarantineReason", code);

    /// <summary>What an officer should do about a mail held for that reason.</summary>
    public static string? QuarantineAdvice(this IStringLocalizer<Terms> terms, string code) => terms.Found($"QuarantineAdvice.{code}");

    /// <summary>Why the gateway gave up on a mail of ours, and what to do: the code before the library's text, never that text.</summary>
    public static string MailFailure(this IStringLocalizer<Terms> terms, string? reasonOrDetail) =>
        terms.Found($"MailFailure.{CodeOf(reasonOrDetail)}") ?? terms["MailFailure.Other"].Value;

    /// <summary>
    /// A received mail's signature: "valid", a quarantine reason code with the library's text after it, or "released
    /// despite: ..." (the faults an officer accepted); the words for the code, never the text.
    /// </summary>
    public static string Signature(this IStringLocalizer<Terms> terms, string signature) =>
        signature.StartsWith("released despite", StringComparison.Ordinal) ? terms["Signature.released"].Value
            : terms.Found($"Signature.{CodeOf(signature)}") ?? terms.Found($"QuarantineReason.{CodeOf(signature)}")
                ?? terms["Signature.Other"].Value;

    /// <summary>
    /// A warning the gateway put on a partner's mail, in words, its particulars in place ("{outer}", "{days}"…): header
    /// names and what they were outside of named too, instants written by <paramref name="moment"/> (the officer's zone and
    /// format). Null for a code the resources do not know: the gateway's own words are shown then.
    /// </summary>
    public static string? GatewayWarning(
        this IStringLocalizer<Terms> terms, string code, IReadOnlyDictionary<string, string> facts, Func<DateTimeOffset, string> moment)
    {
        if (terms.Found($"GatewayWarning.{code}") is not { } sentence)
        {
            return null;
        }

        return FactPattern().Replace(sentence, match => facts.GetValueOrDefault(match.Groups[1].Value) is { } value
            ? terms.Fact(match.Groups[1].Value, value, moment)
            : "");
    }

    private static string Fact(this IStringLocalizer<Terms> terms, string name, string value, Func<DateTimeOffset, string> moment) => name switch
    {
        _ when value.Length == 0 => terms["GatewayWarning.None"].Value,
        "days" when int.TryParse(value, CultureInfo.InvariantCulture, out var days) => terms.Count("Days", days),
        "minutes" when int.TryParse(value, CultureInfo.InvariantCulture, out var minutes) => terms.Duration(TimeSpan.FromMinutes(minutes)),
        _ when name.EndsWith("At", StringComparison.Ordinal)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) => moment(at),
        _ => terms.Found($"GatewayWarning.{name}.{value}") ?? value,
    };

    private static readonly string[] WeekdayCodes = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private static string? Found(this IStringLocalizer<Terms> terms, string key) =>
        terms[key] is { ResourceNotFound: false } text ? text.Value : null;

    // "no-partner-key: The certificate..." → "no-partner-key"; a bare code stays itself.
    private static string CodeOf(string? text) => text is null ? "" : text.Split(':', 2)[0].Trim();

    // Russian counts agree with the number (1 день, 2 дня, 5 дней); whole weeks are counted as weeks, and "<unit>.<n>"
    // words a number of its own ("Weeks.1": "a week", as an officer says it).
    private static string Count(this IStringLocalizer<Terms> terms, string unit, int amount)
    {
        if (unit == "Days" && amount % 7 == 0)
        {
            (unit, amount) = ("Weeks", amount / 7);
        }

        var form = terms.Found($"Count.{unit}.{amount}") is { } exact ? exact
            : terms.Found($"Count.{unit}.{PluralOf(amount)}") ?? terms[$"Count.{unit}.Many"].Value;
        return string.Format(CultureInfo.CurrentCulture, form, amount);
    }

    private static string PluralOf(int n) => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName switch
    {
        "ru" when n % 10 == 1 && n % 100 != 11 => "One",
        "ru" when n % 10 is >= 2 and <= 4 && n % 100 is < 12 or > 14 => "Few",
        "ru" => "Many",
        _ => n == 1 ? "One" : "Many",
    };

    [GeneratedRegex(@"\{([a-zA-Z]+)\}")]
    private static partial Regex FactPattern();

    [GeneratedRegex(@"^(?<anchor>[a-z-]+):(?:(?<amount>\d+)(?<unit>%)|-(?<amount>\d+)(?<unit>[dh]))$")]
    private static partial Regex RungPattern();
}
