using Ncp.Api.Cases;
using Ncp.Api.Partners;
using Ncp.Api.Quarantine;

namespace Ncp.Tests.Quarantine;

/// <summary>The partner a mail from an unknown address most likely comes from, as a table: sender → partner and why.</summary>
public sealed class ClosestPartnerTests
{
    private static readonly PartnerDirectoryEntry[] Directory =
    [
        Partner("DE-BKA", "ncp@bka.de"),
        Partner("KZ-POLICE", "cyber@police.gov.kz"),
        Partner("KZ-KNB", "desk@knb.gov.kz"),
        Partner("FR-OCLCTIC", "oclctic@interieur.gouv.fr"),
    ];

    [Theory]
    [InlineData("night.shift@bka.de", "DE-BKA same-domain")]
    [InlineData("NCP@BKA.DE", "DE-BKA same-domain")]
    [InlineData("ncp@mail.bka.de", "DE-BKA same-parent-domain")]
    [InlineData("ncp@bka-de.de", "DE-BKA similar-address")]
    [InlineData("ncp@bka.be", "DE-BKA similar-address")]
    [InlineData("duty@cyber.police.gov.kz", "KZ-POLICE same-parent-domain")]
    [InlineData("someone@mvd.gov.kz", "none")]
    [InlineData("oclctic@interieur-gouv.fr", "FR-OCLCTIC similar-address")]
    [InlineData("stranger@example.org", "none")]
    [InlineData("not an address", "none")]
    public void The_closest_partner_is_the_same_domain_then_the_same_organisation_then_a_look_alike(string from, string expected)
    {
        var closest = ClosestPartners.Find(from, Directory);

        Assert.Equal(expected, closest is null ? "none" : $"{closest.Code} {closest.Likeness}");
    }

    private static PartnerDirectoryEntry Partner(string code, string address) => new()
    {
        Code = code,
        Profile = new PartnerProfile(
            code, code + " unit", code[..2], [Channel.TwentyFourSeven], [address], ["en"], "UTC", default!, default!, 30, default, null),
    };
}
