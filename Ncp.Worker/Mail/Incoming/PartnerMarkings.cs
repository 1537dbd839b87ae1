using System.Text.RegularExpressions;
using MimeKit;
using Ncp.Contracts.Mail;
using Ncp.Conventions;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// Reads the handling marking a partner put on its mail: our code in <c>X-Handling-Code</c>, a TLP label in <c>X-TLP</c>, the
/// subject or the first lines of the text, or a "not for dissemination" phrase there (English, Russian, Kazakh). Of several,
/// the strictest counts: a marking can only restrict, so reading one too many is the safe mistake. Names and ranks:
/// <see cref="MailMarkings"/>.
/// </summary>
public static partial class PartnerMarkings
{
    // A marking stands at the top (a banner, the first line of the text); further down it is more likely quoted mail.
    private const int FirstLines = 10;

    private const int FirstChars = 2_000;

    /// <summary>The strictest marking of the mail, or null when it carries none.</summary>
    /// <param name="headers">The headers to read: the protected ones first, then those of the decrypted content.</param>
    public static MailMarking? Read(IEnumerable<HeaderList> headers, string subject, string text)
    {
        var found = new List<MailMarking>();
        foreach (var list in headers)
        {
            if (list[MailMarkings.HandlingCodeHeader] is { } code && Code(code) is { } named)
            {
                found.Add(Marking(named, MailMarkings.HandlingCodeHeader, code));
            }

            if (list[MailMarkings.TlpHeader] is { } tlp)
            {
                found.AddRange(InText(BareTlp().IsMatch(tlp) ? "TLP:" + tlp.Trim() : tlp, MailMarkings.TlpHeader));
            }
        }

        found.AddRange(InText(subject, "subject"));
        found.AddRange(InText(Top(text), "first lines"));
        return found.OrderByDescending(m => MailMarkings.Strictness(m.HandlingCode)).FirstOrDefault();
    }

    private static IEnumerable<MailMarking> InText(string text, string where)
    {
        foreach (Match tlp in Tlp().Matches(text))
        {
            var colour = Regex.Replace(tlp.Groups["colour"].Value.ToUpperInvariant(), @"\s+", "");
            yield return Marking("TLP:" + (colour == "WHITE" ? "CLEAR" : colour), where, tlp.Value);
        }

        if (NotForDissemination().Match(text) is { Success: true } phrase)
        {
            yield return Marking(MailMarkings.NotForDissemination, where, phrase.Value);
        }
    }

    private static MailMarking Marking(string label, string where, string said) =>
        new(label, MailMarkings.CodeOf(label)!, $"{where}: \"{MailText.Header(said, 80)}\"");

    private static string? Code(string value) =>
        value.Trim().ToLowerInvariant() is (MailMarkings.Open or MailMarkings.NoOtherChannels or MailMarkings.NoThirdParties) and var code
            ? code
            : null;

    private static string Top(string text)
    {
        var lines = text.Length > FirstChars ? text[..FirstChars] : text;
        return string.Join('\n', lines.Split('\n').Where(l => !string.IsNullOrWhiteSpace(l)).Take(FirstLines));
    }

    // TLP 2.0 labels (and 1.0's WHITE, now CLEAR), as people write them: "TLP:AMBER+STRICT", "TLP: amber + strict", "TLP-RED".
    [GeneratedRegex(
        @"\bTLP\s*[:\-_]?\s*(?<colour>RED|AMBER\s*\+\s*STRICT|AMBER|GREEN|CLEAR|WHITE)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Tlp();

    [GeneratedRegex(
        @"^\s*(RED|AMBER\s*\+\s*STRICT|AMBER|GREEN|CLEAR|WHITE)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BareTlp();

    [GeneratedRegex(
        @"\bnot\s+for\s+(further\s+)?(dissemination|distribution)\b|\bdo\s+not\s+(disseminate|distribute)\b"
        + @"|\bno\s+further\s+dissemination\b"
        + @"|не\s+для\s+распространения|не\s+подлежит\s+(распространению|разглашению|передаче\s+третьим)|не\s+распространять"
        + @"|таратуға\s+(жатпайды|болмайды|арналмаған)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotForDissemination();
}
