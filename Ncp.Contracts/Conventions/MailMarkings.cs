// Compiled into Ncp.Api and Ncp.Worker (see BusConventions.cs): the gateway writes our marking into outgoing mail and reads
// a partner's from incoming mail with the same header names, and both processes rank markings the same way.
namespace Ncp.Conventions;

/// <summary>
/// How a handling marking travels in mail, ours and partners': the header names, our code names, the Traffic Light Protocol
/// (TLP 2.0) labels, and which of our codes each marking asks for. Our mail writes both headers; a partner's mail is read for
/// either, for a TLP label or a "not for dissemination" phrase in its subject or first lines.
/// </summary>
public static class MailMarkings
{
    /// <summary>Our handling code by name: <see cref="Open"/>, <see cref="NoOtherChannels"/> or <see cref="NoThirdParties"/>.</summary>
    public const string HandlingCodeHeader = "X-Handling-Code";

    /// <summary>The TLP label, written whole as TLP 2.0 spells it: <c>TLP:AMBER+STRICT</c>.</summary>
    public const string TlpHeader = "X-TLP";

    public const string Open = "open";
    public const string NoOtherChannels = "no-other-channels";
    public const string NoThirdParties = "no-third-parties";

    public const string TlpRed = "TLP:RED";
    public const string TlpAmberStrict = "TLP:AMBER+STRICT";
    public const string TlpAmber = "TLP:AMBER";
    public const string TlpGreen = "TLP:GREEN";
    public const string TlpClear = "TLP:CLEAR";

    /// <summary>A phrase such as "not for dissemination" or "не для распространения": nobody else may have it.</summary>
    public const string NotForDissemination = "not-for-dissemination";

    /// <summary>The TLP label our code is written as in mail to partners.</summary>
    public static string TlpOf(string code) => code switch
    {
        NoThirdParties => TlpAmberStrict,
        NoOtherChannels => TlpAmber,
        _ => TlpGreen,
    };

    /// <summary>
    /// Our code a marking asks for (RED, AMBER+STRICT and not-for-dissemination: no third parties; AMBER: no other channels;
    /// GREEN and CLEAR: open), or null for a marking this does not know.
    /// </summary>
    public static string? CodeOf(string marking) => marking switch
    {
        TlpRed or TlpAmberStrict or NotForDissemination or NoThirdParties => NoThirdParties,
        TlpAmber or NoOtherChannels => NoOtherChannels,
        TlpGreen or TlpClear or Open => Open,
        _ => null,
    };

    /// <summary>How strict a code is: open 0, no other channels 1, no third parties 2; an unknown code counts as open.</summary>
    public static int Strictness(string code) => code switch
    {
        NoThirdParties => 2,
        NoOtherChannels => 1,
        _ => 0,
    };
}
