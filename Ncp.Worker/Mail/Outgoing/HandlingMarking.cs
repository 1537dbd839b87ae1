using System.Text;
using MimeKit;
using Ncp.Contracts.Mail;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>
/// How a mail's information may be passed on: our handling code and its Traffic Light Protocol (TLP 2.0) label. Every
/// mail to a partner carries both in headers (named here, for the mail we send and the mail we read) and as the first
/// line of its body; a mail without a handling code is open, TLP:GREEN.
/// </summary>
public sealed record HandlingMarking(string Code, string Tlp)
{
    public const string CodeHeader = "X-Handling-Code";
    public const string TlpHeader = "X-TLP";

    public static readonly IReadOnlyList<string> Headers = [CodeHeader, TlpHeader];

    public static readonly HandlingMarking Open = new("open", "TLP:GREEN");

    public static HandlingMarking Of(MailHandling? handling)
    {
        var code = Token(handling?.Code)?.ToLowerInvariant() ?? Open.Code;
        var tlp = Token(handling?.Tlp)?.ToUpperInvariant() is { } given
            ? given.StartsWith("TLP:", StringComparison.Ordinal) ? given : "TLP:" + given
            : DefaultTlp(code);
        return new HandlingMarking(code, tlp);
    }

    public void WriteTo(MimeMessage message)
    {
        message.Headers[CodeHeader] = Code;
        message.Headers[TlpHeader] = Tlp;
    }

    // A code we do not know is treated as restricted: marking a mail more tightly than meant costs a question, the
    // other way round a leak.
    private static string DefaultTlp(string code) => code switch
    {
        "open" => "TLP:GREEN",
        "no-third-parties" => "TLP:AMBER+STRICT",
        _ => "TLP:AMBER",
    };

    // Both go into header fields: only the characters codes and TLP labels are made of, so nothing from a message can
    // break a header line or smuggle in another field.
    private static string? Token(string? value)
    {
        var kept = new StringBuilder();
        foreach (var c in value ?? "")
        {
            if (char.IsAsciiLetterOrDigit(c) || c is ':' or '+' or '-')
            {
                kept.Append(c);
            }
        }

        return kept.Length == 0 ? null : kept.ToString();
    }
}
