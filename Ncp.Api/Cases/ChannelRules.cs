namespace Ncp.Api.Cases;

/// <summary>What each channel carries and speaks by default.</summary>
public static class ChannelRules
{
    public static bool Carries(Channel channel, WorkItemKind kind) => channel switch
    {
        // Formal legal assistance goes through the central authorities (bilateral) or the CIS conventions, not police networks.
        Channel.TwentyFourSeven or Channel.Interpol or Channel.Csto => kind is not WorkItemKind.LegalAssistanceTask,
        Channel.CisBkbop or Channel.Bilateral => true,
        _ => false,
    };

    public static string DefaultLanguage(Channel channel) => channel is Channel.CisBkbop or Channel.Csto ? "ru" : "en";

    /// <summary>
    /// The language a new item takes when the officer leaves it empty: our templates speak English and Russian, so the
    /// partner's first of those, else the channel's (compose shows it beside the empty box).
    /// </summary>
    public static string DefaultLanguage(IEnumerable<string>? partnerLanguages, Channel channel) =>
        partnerLanguages?.FirstOrDefault(l => l is "en" or "ru") ?? DefaultLanguage(channel);
}

/// <summary>Whether information under a handling code may move to another channel or partner.</summary>
public static class HandlingRules
{
    /// <summary>Whether <paramref name="code"/> lets less through than <paramref name="than"/>.</summary>
    public static bool Stricter(HandlingCode code, HandlingCode than) => Rank(code) > Rank(than);

    private static int Rank(HandlingCode code) => code switch
    {
        HandlingCode.NoThirdParties => 2,
        HandlingCode.NoOtherChannels => 1,
        _ => 0,
    };

    public static bool MayPass(HandlingCode code, Channel from, string fromPartner, Channel to, string toPartner, bool consent) =>
        consent || code switch
        {
            HandlingCode.Open => true,
            HandlingCode.NoOtherChannels => from == to,
            HandlingCode.NoThirdParties => from == to && string.Equals(fromPartner, toPartner, StringComparison.Ordinal),
            _ => false,
        };
}
