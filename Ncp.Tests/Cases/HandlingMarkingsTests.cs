using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Tests.Cases;

public sealed class HandlingMarkingsTests
{
    [Theory]
    [InlineData(HandlingCode.Open, "TLP:GREEN")]
    [InlineData(HandlingCode.NoOtherChannels, "TLP:AMBER")]
    [InlineData(HandlingCode.NoThirdParties, "TLP:AMBER+STRICT")]
    public void Each_handling_code_is_marked_with_its_tlp_equivalent(HandlingCode code, string tlp)
    {
        var mail = HandlingMarkings.MailOf(code);

        Assert.Equal(tlp, mail.Tlp);
        Assert.Equal(ApiEnum<HandlingCode>.NameOf(code), mail.Code);
    }
}
