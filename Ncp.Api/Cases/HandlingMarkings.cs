using Ncp.Api.Infrastructure.Http;
using Ncp.Contracts.Mail;

namespace Ncp.Api.Cases;

/// <summary>
/// Our handling codes in the Traffic Light Protocol (FIRST TLP 2.0) partners read: open information may go to the
/// partner's community (GREEN); kept to one channel, it stays with those who need it (AMBER); kept from every third
/// party, it stays inside the receiving organisation (AMBER+STRICT).
/// </summary>
public static class HandlingMarkings
{
    public static string TlpOf(HandlingCode code) => code switch
    {
        HandlingCode.NoThirdParties => "TLP:AMBER+STRICT",
        HandlingCode.NoOtherChannels => "TLP:AMBER",
        _ => "TLP:GREEN",
    };

    public static MailHandling MailOf(HandlingCode code) => new(ApiEnum<HandlingCode>.NameOf(code), TlpOf(code));

    /// <summary>
    /// The handling code a partner's TLP marking asks of us (<c>TLP:RED</c>, <c>TLP:AMBER+STRICT</c>, <c>TLP:AMBER</c>,
    /// <c>TLP:GREEN</c>, <c>TLP:CLEAR</c> or TLP 1.0's <c>TLP:WHITE</c>, any case); false for anything else. RED is
    /// stricter than any code we have: it is kept from every third party, the strictest we can promise.
    /// </summary>
    public static bool TryCodeOf(string? tlp, out HandlingCode code)
    {
        code = HandlingCode.Open;
        var marking = tlp?.Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);
        switch (marking)
        {
            case "TLP:RED" or "TLP:AMBER+STRICT":
                code = HandlingCode.NoThirdParties;
                return true;
            case "TLP:AMBER":
                code = HandlingCode.NoOtherChannels;
                return true;
            case "TLP:GREEN" or "TLP:CLEAR" or "TLP:WHITE":
                return true;
            default:
                return false;
        }
    }
}
