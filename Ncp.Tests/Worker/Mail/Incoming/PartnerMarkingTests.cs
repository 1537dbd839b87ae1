using MimeKit;
using Ncp.Worker.Mail.Incoming;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>Which handling marking the gateway reads from a partner's mail, and the code it asks for, as a table. No I/O.</summary>
public sealed class PartnerMarkingTests
{
    // Where the marking stands ("X-TLP: …" and "X-Handling-Code: …" are headers, "subject: …" the subject, the rest the
    // text); expected "label code", or "-" for none.
    [Theory]
    [InlineData("subject: [TLP:RED] Request for subscriber data", "TLP:RED no-third-parties")]
    [InlineData("subject: TLP: Amber + Strict — logs", "TLP:AMBER+STRICT no-third-parties")]
    [InlineData("subject: TLP:AMBER logs", "TLP:AMBER no-other-channels")]
    [InlineData("subject: TLP-GREEN logs", "TLP:GREEN open")]
    [InlineData("subject: TLP:WHITE logs", "TLP:CLEAR open")]
    [InlineData("X-TLP: AMBER", "TLP:AMBER no-other-channels")]
    [InlineData("X-TLP: TLP:CLEAR", "TLP:CLEAR open")]
    [InlineData("X-Handling-Code: No-Third-Parties", "no-third-parties no-third-parties")]
    [InlineData("X-Handling-Code: whatever", "-")]
    [InlineData("Not for dissemination outside law enforcement.", "not-for-dissemination no-third-parties")]
    [InlineData("НЕ ДЛЯ РАСПРОСТРАНЕНИЯ\nПросим предоставить данные.", "not-for-dissemination no-third-parties")]
    [InlineData("Информация не подлежит передаче третьим лицам.", "not-for-dissemination no-third-parties")]
    [InlineData("Таратуға жатпайды.", "not-for-dissemination no-third-parties")]
    [InlineData("Dear colleagues, TLP:GREEN\nThe traffic light is green.", "TLP:GREEN open")]
    [InlineData("Dear colleagues, please find the logs attached.", "-")]
    [InlineData("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n> TLP:RED (quoted from an older mail)", "-")]
    public void A_partners_marking_is_read_from_its_headers_subject_or_first_lines(string where, string expected)
    {
        var headers = new HeaderList();
        var subject = "Request";
        var text = "Dear colleagues.";
        if (where.StartsWith("X-", StringComparison.Ordinal))
        {
            headers.Add(where[..where.IndexOf(':')], where[(where.IndexOf(':') + 1)..].Trim());
        }
        else if (where.StartsWith("subject: ", StringComparison.Ordinal))
        {
            subject = where["subject: ".Length..];
        }
        else
        {
            text = where;
        }

        var marking = PartnerMarkings.Read([headers], subject, text);

        Assert.Equal(expected, marking is null ? "-" : $"{marking.Label} {marking.HandlingCode}");
    }

    [Fact]
    public void Of_several_markings_the_strictest_counts_and_says_where_it_was_found()
    {
        var headers = new HeaderList { { "X-TLP", "TLP:GREEN" } };

        var marking = PartnerMarkings.Read([headers], "TLP:AMBER request", "Not for dissemination.\nRegards");

        Assert.Equal("not-for-dissemination", marking!.Label);
        Assert.Equal("first lines: \"Not for dissemination\"", marking.Found);
    }
}
