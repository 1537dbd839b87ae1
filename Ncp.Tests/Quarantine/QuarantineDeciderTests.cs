using Ncp.Api.Cases;
using Ncp.Api.Quarantine;

namespace Ncp.Tests.Quarantine;

/// <summary>Given a held mail's reason and the decisions so far, when an officer decides, then its status or the rule that refuses. No I/O.</summary>
public sealed class QuarantineDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly Actor Duty = new("duty-1", "Duty Officer");
    private static readonly Actor Supervisor = new("sup-1", "Supervisor");

    private static readonly Dictionary<string, object> Commands = new()
    {
        ["duty releases"] = new ReleaseMail(null, "Checked by phone", Duty),
        ["supervisor releases"] = new ReleaseMail(null, "Agreed", Supervisor),
        ["supervisor names another partner"] = new ReleaseMail("XX-OTHER", "Agreed", Supervisor),
        ["supervisor rejects"] = new RejectMail("Forged", Supervisor),
    };

    // Rows: the reason it was held; columns: the decisions in turn. "held*" is a release asked for and waiting.
    public static TheoryData<string, string, string> Table() => new()
    {
        { "signer-not-partner", "duty releases", "held*" },
        { "signer-not-partner", "duty releases, duty releases", "!release-needs-a-second-officer" },
        { "signer-not-partner", "duty releases, supervisor releases", "Released" },
        { "signer-not-partner", "duty releases, supervisor names another partner", "!release-confirms-the-request" },
        { "signer-not-partner", "duty releases, supervisor rejects", "Rejected" },
        { "bad-signature", "duty releases, supervisor releases", "Released" },
        { "missing-signature", "duty releases", "held*" },
        { "expired-certificate", "duty releases", "held*" },
        { "revoked-key", "duty releases", "held*" },
        { "untrusted-certificate", "duty releases", "held*" },
        { "certificate-revoked", "duty releases", "held*" },
        { "cannot-verify", "duty releases", "held*" },
        { "weak-signature", "duty releases", "held*" },
        { "replayed", "duty releases", "held*" },
        { "sender-not-proven", "duty releases, supervisor releases", "Released" },
        { "new-item-limit", "duty releases", "Released" },
        { "unknown-sender", "duty releases", "Released" },
        { "cannot-decrypt", "duty releases", "Released" },
        { "too-large", "duty releases", "Released" },
        { "archive-bomb", "supervisor rejects", "Rejected" },
        { "not-encrypted", "duty releases, supervisor releases", "!quarantine-already-decided" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void An_officers_decision_on_a_held_mail(string reason, string decisions, string expected)
    {
        var mail = QuarantineDecider.Evolve(new QuarantinedMail { Id = Guid.CreateVersion7() },
            new MailHeld(Guid.Empty, reason, "", "x@partner.example", "", "", 1, Now, Now, Channel.Csto));
        string outcome;
        try
        {
            foreach (var name in decisions.Split(", "))
            {
                mail = QuarantineDecider.Decide(mail, Commands[name], Now).Aggregate(mail, QuarantineDecider.Evolve);
            }

            outcome = mail.Status == QuarantineStatus.Held && mail.ReleaseRequest is not null ? "held*" : mail.Status.ToString();
        }
        catch (DomainRuleViolation e)
        {
            outcome = "!" + e.Rule;
        }

        Assert.Equal(expected, outcome);
    }

    [Fact]
    public void A_release_by_two_officers_records_both_and_the_partner_the_first_named()
    {
        var mail = QuarantineDecider.Evolve(new QuarantinedMail(), new MailHeld(Guid.Empty, "signer-not-partner", "", "", "", "", 1, Now, Now, Channel.Csto));
        mail = QuarantineDecider.Decide(mail, new ReleaseMail("DE-CYBER247", "Known signer", Duty), Now).Aggregate(mail, QuarantineDecider.Evolve);
        var released = Assert.IsType<QuarantineReleased>(Assert.Single(QuarantineDecider.Decide(mail, new ReleaseMail(null, "Agreed", Supervisor), Now)));

        Assert.Equal((Duty, Supervisor, "DE-CYBER247", "Known signer"), (released.RequestedBy, released.By, released.PartnerCode, released.RequestReason));
    }
}
