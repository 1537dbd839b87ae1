using Ncp.Api.Cases.Registering;
using Ncp.Api.Infrastructure.Marten;

namespace Ncp.Tests.Cases.Registering;

public sealed class RegisterNumbersTests
{
    private static readonly RegisterNumbers Numbers = new(new RegisterSettings(), new MartenSettings());

    [Theory]
    [InlineData("2026-12-31T18:59:59Z", 2026)]
    [InlineData("2026-12-31T19:00:00Z", 2027)] // midnight in Almaty (UTC+5) comes five hours before UTC's
    [InlineData("2027-01-01T04:59:59Z", 2027)]
    public void The_register_year_turns_at_midnight_in_the_units_time_zone(string utc, int year) =>
        Assert.Equal(year, Numbers.YearOf(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Numbers_are_zero_padded_to_six_digits() => Assert.Equal("KZ-NCP-2026-000042", Numbers.Format(2026, 42));
}
