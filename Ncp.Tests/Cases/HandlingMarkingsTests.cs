using Ncp.Api.Cases;

namespace Ncp.Tests.Cases;

public sealed class HandlingMarkingsTests
{
    [Theory]
    [InlineData(HandlingCode.Open, "TLP:GREEN")]
    [InlineData(HandlingCode.NoOtherChannels, "TLP:AMBER")]
    [InlineData(HandlingCode.NoThirdParties, "TLP:AMBER+STRICT")]
    public void Each_handling_code_is_marked_with_its_tlp_equivalent_and_read_back_as_itself(HandlingCode code, string tlp)
    {
        Assert.Equal(tlp, HandlingMarkings.TlpOf(code));
        Assert.True(HandlingMarkings.TryCodeOf(tlp, out var read));
        Assert.Equal(code, read);
    }

    [Theory]
    [InlineData("TLP:RED", HandlingCode.NoThirdParties)]
    [InlineData(" tlp:amber+strict ", HandlingCode.NoThirdParties)]
    [InlineData("TLP: AMBER", HandlingCode.NoOtherChannels)]
    [InlineData("TLP:CLEAR", HandlingCode.Open)]
    [InlineData("TLP:WHITE", HandlingCode.Open)]
    [InlineData("CONFIDENTIAL", null)]
    [InlineData("", null)]
    public void A_partners_tlp_marking_becomes_the_strictest_code_it_asks_for(string marking, HandlingCode? expected)
    {
        Assert.Equal(expected is not null, HandlingMarkings.TryCodeOf(marking, out var code));
        Assert.Equal(expected ?? HandlingCode.Open, code);
    }
}
