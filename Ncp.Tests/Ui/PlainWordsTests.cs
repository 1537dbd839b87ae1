using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ncp.Api.Ui.Shared;
using Ncp.Tests.Fixtures;

namespace Ncp.Tests.Ui;

/// <summary>The naming of codes (Terms) and the timeline's sentences, in the three languages, without a browser.</summary>
public sealed class PlainWordsTests
{
    private static readonly IStringLocalizer<Terms> T = new StringLocalizer<Terms>(
        new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance));

    public static TheoryData<string, string, string> Named => new()
    {
        { "en", "rung reply-by:80%", "80 % of the time to reply" },
        { "ru", "rung reply-by:80%", "80 % срока ответа" },
        { "kk", "rung reply-by:80%", "жауап беру мерзімінің 80 %" },
        { "en", "rung useful-until:-7d", "a week before the data may be deleted" },
        { "ru", "rung useful-until:-7d", "за неделю до возможного удаления данных" },
        { "ru", "rung useful-until:-14d", "за 2 недели до возможного удаления данных" },
        { "ru", "rung reply-by:-3d", "за 3 дня до срока ответа" },
        { "ru", "rung reply-by:-5h", "за 5 часов до срока ответа" },
        { "en", "rung acknowledge-by:-1h", "1 hour before the acknowledgement is due" },
        { "kk", "rung preservation-expiring", "деректерді сақтау мерзімі аяқталуға жақын" },
        // A rung of a ladder configured in a way the words do not know: its own name rather than nothing.
        { "en", "rung checkpoint-b", "checkpoint-b" },
        { "en", "policy high-request", "high-priority request" },
        { "ru", "recipient HeadOfUnit", "начальник подразделения" },
        { "kk", "suggestion UseAnotherChannel", "басқа арнаны пайдалану" },
        { "en", "protection smime", "S/MIME" },
        { "en", "language de", "German" },
        { "ru", "language de", "немецкий" },
        { "kk", "language en", "ағылшын тілі" },
        { "en", "language xx-unknown", "xx-unknown" },
        { "ru", "weekdays mon tue wed thu fri", "пн вт ср чт пт" },
        { "en", "quarantine signer-not-partner", "Signed by someone else" },
        { "ru", "quarantine signer-not-partner", "Подписано не партнёром" },
        { "en", "signature bad-signature: The hash value is not correct.", "Signature does not match" },
        { "kk", "signature valid", "қолтаңба дұрыс" },
        { "en", "failure no-partner-key: Org.BouncyCastle.Security.SecurityUtilityException", "no key of the partner to encrypt with: ask the administrator for the partner's certificate or key, or use another channel" },
        { "ru", "failure socket closed by peer", "письмо не удалось отправить: используйте другой канал и сообщите администратору" },
        { "ru", "duration 1.02:30:00", "1 день 2 часа 30 минут" },
        { "en", "duration 00:00:00", "0 minutes" },
        { "kk", "rule reminder-too-soon", "Серіктеске жақында еске салынды: келесі еске салуға дейін күтіңіз." },
    };

    [Theory]
    [MemberData(nameof(Named))]
    public void A_code_is_named_in_the_officers_language(string language, string call, string expected)
    {
        var (what, code) = (call[..call.IndexOf(' ')], call[(call.IndexOf(' ') + 1)..]);
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(language);
        try
        {
            var named = what switch
            {
                "rung" => T.Rung(code),
                "policy" => T.Named("Policy", code),
                "recipient" => T.Of(Enum.Parse<Ncp.Api.Deadlines.Recipient>(code)),
                "suggestion" => T.Of(Enum.Parse<Ncp.Api.Deadlines.SuggestedAction>(code)),
                "protection" => T.Named("Protection", code),
                "language" => T.Language(code),
                "weekdays" => T.Weekdays(code.Split(' ')),
                "quarantine" => T.QuarantineReason(code),
                "signature" => T.Signature(code),
                "failure" => T.MailFailure(code),
                "rule" => T.Named("Rule", code),
                "duration" => T.Duration(TimeSpan.Parse(code, CultureInfo.InvariantCulture)),
                _ => throw new ArgumentException(what),
            };
            Assert.Equal(expected, named);
        }
        finally
        {
            CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Every_quarantine_reason_says_what_to_do_in_English_Russian_and_Kazakh()
    {
        foreach (var language in new[] { "en", "ru", "kk" })
        {
            var words = Resources("Ncp.Api/Ui/Shared/Terms", language);
            var reasons = words.Keys.Where(k => k.StartsWith("QuarantineReason.", StringComparison.Ordinal)).ToArray();
            Assert.True(reasons.Length >= 18, $"{language}: {reasons.Length} quarantine reasons");
            Assert.All(reasons, reason => Assert.True(
                words.ContainsKey(reason.Replace("Reason.", "Advice.", StringComparison.Ordinal)), $"{language}: no advice for {reason}"));
        }
    }

    [Fact]
    public void Every_word_of_Terms_is_there_in_Russian_and_Kazakh()
    {
        var english = Resources("Ncp.Api/Ui/Shared/Terms", "en");
        foreach (var language in new[] { "ru", "kk" })
        {
            var translated = Resources("Ncp.Api/Ui/Shared/Terms", language);
            Assert.Empty(english.Keys.Except(translated.Keys));
            Assert.All(english, word => Assert.Equal(Slots(word.Value), Slots(translated[word.Key])));
        }
    }

    // The kinds are those the item page labels (ItemDetail "What.*"); each sentence in Russian and Kazakh names the same
    // facts as the English one, so that no translation drops a date or misspells a fact into a literal "{reasn}".
    [Fact]
    public void Every_timeline_kind_has_its_sentence_in_English_Russian_and_Kazakh_naming_the_same_facts()
    {
        var kinds = Resources("Ncp.Api/Ui/Items/ItemDetail", "en").Keys
            .Where(k => k.StartsWith("What.", StringComparison.Ordinal)).Select(k => k["What.".Length..]).ToArray();
        var english = Resources("Ncp.Api/Ui/Items/TimelineSentence", "en");
        Assert.NotEmpty(kinds);
        Assert.All(kinds, kind => Assert.True(
            english.ContainsKey(kind) || english.ContainsKey($"{kind}.in"), $"No sentence for the timeline kind {kind}"));
        foreach (var language in new[] { "ru", "kk" })
        {
            var translated = Resources("Ncp.Api/Ui/Items/TimelineSentence", language);
            Assert.Equal(english.Keys.Order(), translated.Keys.Order());
            Assert.All(english, sentence => Assert.Equal(Slots(sentence.Value), Slots(translated[sentence.Key])));
        }
    }

    private static string[] Slots(string sentence) =>
        [.. Regex.Matches(sentence, @"\{([A-Za-z0-9]+)\}").Select(m => m.Groups[1].Value).Order()];

    private static Dictionary<string, string> Resources(string component, string language)
    {
        var file = Path.Combine(TestServers.RepositoryRoot, $"{component}{(language == "en" ? "" : "." + language)}.resx");
        return XDocument.Load(file).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!);
    }
}
