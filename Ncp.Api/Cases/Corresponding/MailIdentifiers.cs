using System.Globalization;
using System.Text.RegularExpressions;
using Ncp.Api.Cases.Registering;

namespace Ncp.Api.Cases.Corresponding;

/// <summary>What in a partner's mail is never an identifier of the matter: the partner's and our own addresses and phones.</summary>
public sealed record NotIdentifiers(IReadOnlyCollection<string> Addresses, IReadOnlyCollection<string> Phones)
{
    public static readonly NotIdentifiers None = new([], []);
}

/// <summary>
/// The identifiers a partner's mail names, read from its subject and text so that an item it opens meets our open items
/// that share them (<see cref="Linking.SameIdentifiers"/>). Each value passes the checks an officer's would
/// (<see cref="Identifiers.NormalFormOf"/>) and keeps the line it was read from. A mail in our own form (entries such as
/// <c>6.1 IP address: 203.0.113.7, port 443</c> over <c>Time: …</c>) is read exactly; free text is read by rules that
/// prefer missing an identifier to inventing one:
/// <list type="bullet">
/// <item>An IPv4 address needs support on its line: an IP label before it (IP, address, host, IP-адрес, адрес, сервер),
/// a port, or a time; and it is refused right after a version word (version, build, updated, версия, сборка) or after a
/// name that is not a label (capitalised or with digits: a product, "Chrome 120.0.0.1"). IPv6 is unambiguous.</item>
/// <item>An IP address takes the time on its line (or the next line that starts with a time label) only where the time
/// names its zone or offset: without one the instant is not known, so the address is kept without a time, and the line
/// shows what the partner wrote. A time in the future is not taken.</item>
/// <item>Phones are read in international form (+ or 00), or in national form after a phone label; a date never makes a
/// phone, nor does an offset (UTC+5). Cards need a card label or the 4-4-4-4 grouping, and the Luhn check; an IBAN its
/// check digits; a domain a domain label; a wallet a chain named on its line (BTC, ETH, ERC20, TRC20, USDT…).</item>
/// <item>The partner's and our own addresses and phones, domains of those addresses, and Message-ID lines are skipped.</item>
/// </list>
/// </summary>
public static partial class MailIdentifiers
{
    /// <summary>As many as one request may carry; a mail naming more is a list an officer attaches, not an item's identifiers.</summary>
    public const int MaxCount = Identifiers.MaxCount;

    private const int MaxLineShown = 300;

    /// <summary>The identifiers of the mail, the first of each key kept (one with a time preferred), at most <see cref="MaxCount"/>.</summary>
    public static ItemIdentifier[] Extract(string subject, string text, NotIdentifiers not, DateTimeOffset now)
    {
        var lines = (subject + "\n" + text).ReplaceLineEndings("\n").Split('\n').Select(Unquoted).ToArray();
        var excluded = Excluded.Of(not);
        var found = new List<ItemIdentifier>();
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(ItemIdentifier identifier)
        {
            if (excluded.Contains(identifier))
            {
                return;
            }

            var key = Identifiers.KeyOf(identifier);
            if (byKey.TryGetValue(key, out var at))
            {
                found[at] = found[at].At is null && identifier.At is not null ? identifier : found[at];
            }
            else if (found.Count < MaxCount)
            {
                byKey[key] = found.Count;
                found.Add(identifier);
            }
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (HeaderLine().IsMatch(lines[i]))
            {
                continue;
            }

            var next = i + 1 < lines.Length ? lines[i + 1] : "";
            if (FormEntry(lines[i], next, now) is { } entry)
            {
                Add(entry);
            }

            foreach (var identifier in FreeText(lines[i], next, now))
            {
                Add(identifier);
            }
        }

        return [.. found];
    }

    private static string Unquoted(string line) => QuotePrefix().Replace(line, "");

    private static string Shown(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length <= MaxLineShown ? trimmed : trimmed[..MaxLineShown] + "…";
    }

    private static ItemIdentifier Found(IdentifierType type, string value, string? qualifier, (DateTimeOffset At, string? Zone)? time,
        string line) => new(type, value, qualifier, time?.At, time?.Zone, [], null, Shown(line));

    // ---- Our own form: "6.1 IP address: 203.0.113.7, port 443" over "    Time: 2026-11-30 14:05:09 +05:00 (Asia/Almaty) = …".

    private static readonly Dictionary<string, IdentifierType> FormLabels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["IP address"] = IdentifierType.IpAddress, ["IP-адрес"] = IdentifierType.IpAddress, ["IP-мекенжай"] = IdentifierType.IpAddress,
        ["E-mail address"] = IdentifierType.Email, ["Адрес электронной почты"] = IdentifierType.Email,
        ["Электрондық пошта мекенжайы"] = IdentifierType.Email,
        ["Phone number"] = IdentifierType.Phone, ["Номер телефона"] = IdentifierType.Phone, ["Телефон нөмірі"] = IdentifierType.Phone,
        ["Account"] = IdentifierType.Account, ["Учётная запись"] = IdentifierType.Account, ["Есептік жазба"] = IdentifierType.Account,
        ["URL"] = IdentifierType.Url, ["URL-адрес"] = IdentifierType.Url, ["URL-мекенжай"] = IdentifierType.Url,
        ["Domain name"] = IdentifierType.Domain, ["Доменное имя"] = IdentifierType.Domain, ["Домендік атау"] = IdentifierType.Domain,
        ["Payment card"] = IdentifierType.PaymentCard, ["Платёжная карта"] = IdentifierType.PaymentCard,
        ["Төлем картасы"] = IdentifierType.PaymentCard, ["IBAN"] = IdentifierType.Iban,
        ["Crypto wallet"] = IdentifierType.CryptoWallet, ["Криптовалютный кошелёк"] = IdentifierType.CryptoWallet,
        ["Криптовалюта әмияны"] = IdentifierType.CryptoWallet, ["IMEI"] = IdentifierType.Imei, ["IMSI"] = IdentifierType.Imsi,
    };

    private static ItemIdentifier? FormEntry(string line, string next, DateTimeOffset now)
    {
        if (FormLine().Match(line) is not { Success: true } m || !FormLabels.TryGetValue(m.Groups["label"].Value.Trim(), out var type))
        {
            return null;
        }

        var qualifier = m.Groups["qualifier"].Success ? m.Groups["qualifier"].Value : null;
        qualifier = type is IdentifierType.IpAddress or IdentifierType.Account or IdentifierType.CryptoWallet ? qualifier : null;
        if (type == IdentifierType.IpAddress && qualifier is not null && !Port(qualifier, out qualifier))
        {
            qualifier = null;
        }

        if (type == IdentifierType.CryptoWallet && qualifier is not null)
        {
            qualifier = Identifiers.ChainOf(qualifier);
        }

        if (Identifiers.NormalFormOf(type, m.Groups["value"].Value, qualifier) is not { } value
            || (type is IdentifierType.Account or IdentifierType.CryptoWallet && qualifier is null))
        {
            return null;
        }

        var time = type == IdentifierType.IpAddress && TimeLabelLine().IsMatch(next) ? Times(next, now).FirstOrDefault().Time : null;
        return Found(type, value, qualifier, time, line);
    }

    private static bool Port(string text, out string? port)
    {
        port = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65535
            ? n.ToString(CultureInfo.InvariantCulture)
            : null;
        return port is not null;
    }

    // ---- Free text.

    private static IEnumerable<ItemIdentifier> FreeText(string line, string next, DateTimeOffset now)
    {
        var times = Times(line, now).ToList();
        if (times.Count == 0 && TimeLabelLine().IsMatch(next))
        {
            // "IP 203.0.113.7" over "Time: 2026-10-05 14:03:12 UTC": the time belongs to the address above.
            times = [.. Times(next, now).Select(t => t with { Index = line.Length })];
        }

        return [.. Ips(line, times), .. Emails(line), .. Phones(line), .. Urls(line), .. Domains(line), .. Ibans(line), .. Cards(line),
            .. Wallets(line)];
    }

    private static IEnumerable<ItemIdentifier> Ips(string line, List<TimeFound> times)
    {
        var ipLabelled = IpLabel().Match(line) is { Success: true } label ? label.Index : int.MaxValue;
        foreach (Match m in Ipv4().Matches(line))
        {
            var port = m.Groups["port"].Success && Port(m.Groups["port"].Value, out var p) ? p : null;
            if (Identifiers.NormalFormOf(IdentifierType.IpAddress, m.Groups["ip"].Value) is not { } ip || VetoedBefore(line[..m.Index])
                || (ipLabelled > m.Index && port is null && times.Count == 0))
            {
                continue;
            }

            yield return Found(IdentifierType.IpAddress, ip, port, Nearest(times, m.Index), line);
        }

        foreach (Match m in Ipv6().Matches(line))
        {
            var text = m.Groups["v6"].Value;
            if ((!text.Contains("::", StringComparison.Ordinal) && text.Count(c => c == ':') != 7)
                || text.Split(':').Count(g => g.Length > 0) < 2
                || Identifiers.NormalFormOf(IdentifierType.IpAddress, text) is not { } ip)
            {
                continue;
            }

            var port = m.Groups["port"].Success && Port(m.Groups["port"].Value, out var p) ? p : null;
            yield return Found(IdentifierType.IpAddress, ip, port, Nearest(times, m.Index), line);
        }
    }

    // A version word among the three words before, or a name right before ("Chrome 120.0.0.1", "Agent v2"): not an address.
    private static bool VetoedBefore(string before)
    {
        var words = WordBefore().Matches(before).Select(w => w.Value).TakeLast(3).ToArray();
        if (words.Any(w => VersionWord().IsMatch(w)))
        {
            return true;
        }

        var tail = before.TrimEnd(' ', '\t', ':', '=', '(', '[', '"', '\'', '«', '-', '–', '—');
        if (words.Length == 0 || !tail.EndsWith(words[^1], StringComparison.Ordinal))
        {
            return false;
        }

        var last = words[^1];
        return !IpLabel().IsMatch(last) && !LinkWord().IsMatch(last) && (char.IsUpper(last[0]) || last.Any(char.IsDigit));
    }

    private static (DateTimeOffset At, string? Zone)? Nearest(List<TimeFound> times, int index) =>
        times.Count == 0 ? null : times.MinBy(t => Math.Abs(t.Index - index)).Time;

    private static IEnumerable<ItemIdentifier> Emails(string line) =>
        from Match m in Email().Matches(line)
        let value = Identifiers.NormalFormOf(IdentifierType.Email, m.Value.TrimEnd('.', '-'))
        where value is not null
        select Found(IdentifierType.Email, value, null, null, line);

    private static IEnumerable<ItemIdentifier> Phones(string line)
    {
        var labelled = PhoneLabelled().Matches(line).Select(m => m.Groups["number"]);
        foreach (var g in Phone().Matches(line).Select(m => m.Groups["number"]).Concat(labelled))
        {
            if (!DateInside().IsMatch(g.Value) && Identifiers.NormalFormOf(IdentifierType.Phone, g.Value.Trim()) is { } phone)
            {
                yield return Found(IdentifierType.Phone, phone, null, null, line);
            }
        }
    }

    private static IEnumerable<ItemIdentifier> Urls(string line) =>
        from Match m in Url().Matches(line)
        let value = Identifiers.NormalFormOf(IdentifierType.Url, m.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"'))
        where value is not null
        select Found(IdentifierType.Url, value, null, null, line);

    private static IEnumerable<ItemIdentifier> Domains(string line) =>
        from Match m in DomainLabelled().Matches(line)
        let value = Identifiers.NormalFormOf(IdentifierType.Domain, m.Groups["domain"].Value.TrimEnd('.'))
        where value is not null
        select Found(IdentifierType.Domain, value, null, null, line);

    // An IBAN's last group may run into the next word in capitals: shorter readings are tried until the check digits agree.
    private static IEnumerable<ItemIdentifier> Ibans(string line)
    {
        foreach (Match m in Iban().Matches(line))
        {
            var groups = m.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            for (var count = groups.Count; count >= 1; count--)
            {
                if (Identifiers.NormalFormOf(IdentifierType.Iban, string.Join(' ', groups.Take(count))) is { } iban)
                {
                    yield return Found(IdentifierType.Iban, iban, null, null, line);
                    break;
                }
            }
        }
    }

    private static IEnumerable<ItemIdentifier> Cards(string line)
    {
        var labelled = CardLabel().IsMatch(line);
        var ibans = Iban().Matches(line).Select(i => (i.Index, End: i.Index + i.Length)).ToList();
        foreach (Match m in Card().Matches(line))
        {
            // Digits of an IBAN are its own, never a card beside it.
            if (!ibans.Any(i => m.Index < i.End && i.Index < m.Index + m.Length)
                && (labelled || Grouped4().IsMatch(m.Value)) && Identifiers.NormalFormOf(IdentifierType.PaymentCard, m.Value) is { } card)
            {
                yield return Found(IdentifierType.PaymentCard, card, null, null, line);
            }
        }
    }

    private static IEnumerable<ItemIdentifier> Wallets(string line)
    {
        var named = ChainWord().Matches(line).Select(m => m.Value.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        if (named.Count == 0)
        {
            yield break;
        }

        foreach (Match m in Wallet().Matches(line))
        {
            var chain = ChainOf(m.Value, named);
            if (chain is not null && Identifiers.NormalFormOf(IdentifierType.CryptoWallet, m.Value, chain) is { } wallet)
            {
                yield return Found(IdentifierType.CryptoWallet, wallet, chain, null, line);
            }
        }
    }

    // The chain the address's shape belongs to, only where its line names that chain (or a token that lives on it).
    private static string? ChainOf(string address, HashSet<string> named)
    {
        bool Any(params string[] words) => words.Any(named.Contains);
        return address switch
        {
            _ when address.StartsWith("0x", StringComparison.Ordinal) => Any("eth", "ethereum", "erc20", "erc-20", "usdt") ? "ethereum" : null,
            _ when address.StartsWith('T') => Any("tron", "trx", "trc20", "trc-20", "usdt") ? "tron" : null,
            _ => Any("btc", "bitcoin", "биткоин", "биткойн") ? "bitcoin" : null,
        };
    }

    // ---- Times.

    private readonly record struct TimeFound(int Index, (DateTimeOffset At, string? Zone)? Time);

    /// <summary>Each date and time on the line; <see cref="TimeFound.Time"/> null where it names no zone or offset (not an instant).</summary>
    private static IEnumerable<TimeFound> Times(string line, DateTimeOffset now)
    {
        foreach (Match m in DateAndTime().Matches(line))
        {
            yield return new(m.Index, InstantOf(m, now));
        }
    }

    private static (DateTimeOffset At, string? Zone)? InstantOf(Match m, DateTimeOffset now)
    {
        int Number(string a, string b) => int.Parse(m.Groups[a].Success ? m.Groups[a].Value : m.Groups[b].Value, CultureInfo.InvariantCulture);
        DateTime local;
        try
        {
            local = new DateTime(Number("y", "y2"), Number("mo", "mo2"), Number("d", "d2"), Number("h", "h"), Number("mi", "mi"),
                m.Groups["s"].Success ? Number("s", "s") : 0, DateTimeKind.Unspecified);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }

        TimeZoneInfo? zone = null;
        if (m.Groups["iana"].Success && Identifiers.TryFindZone(m.Groups["iana"].Value, out var named))
        {
            zone = named;
        }
        else if (m.Groups["msk"].Success)
        {
            Identifiers.TryFindZone("Europe/Moscow", out zone);
        }

        TimeSpan? offset = m.Groups["off"].Success ? OffsetOf(m.Groups["off"].Value)
            : m.Groups["utc"].Success ? TimeSpan.Zero
            : zone?.GetUtcOffset(local);
        if (offset is not { } o || o.Duration() > TimeSpan.FromHours(14))
        {
            return null;
        }

        var at = new DateTimeOffset(local, o);
        var zoneId = zone?.Id ?? (o == TimeSpan.Zero && m.Groups["utc"].Success ? "UTC" : null);
        return at > now + TimeSpan.FromMinutes(10) ? null : (at, zoneId);
    }

    private static TimeSpan? OffsetOf(string text)
    {
        var digits = text[1..].Replace(":", "", StringComparison.Ordinal);
        var (hours, minutes) = digits.Length <= 2 ? (int.Parse(digits, CultureInfo.InvariantCulture), 0)
            : (int.Parse(digits[..^2], CultureInfo.InvariantCulture), int.Parse(digits[^2..], CultureInfo.InvariantCulture));
        if (minutes > 59)
        {
            return null;
        }

        var span = new TimeSpan(hours, minutes, 0);
        return text[0] == '-' ? -span : span;
    }

    // ---- What is never an identifier of the matter.

    private sealed record Excluded(HashSet<string> Keys, HashSet<string> Domains)
    {
        public static Excluded Of(NotIdentifiers not)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var domains = new HashSet<string>(StringComparer.Ordinal);
            foreach (var address in not.Addresses)
            {
                if (Identifiers.NormalFormOf(IdentifierType.Email, address.Trim()) is { } email)
                {
                    keys.Add(Identifiers.KeyOf(new ItemIdentifier(IdentifierType.Email, email, null, null, null, [], null)));
                    domains.Add(email[(email.IndexOf('@', StringComparison.Ordinal) + 1)..]);
                }
            }

            foreach (var phone in not.Phones)
            {
                if (Identifiers.NormalFormOf(IdentifierType.Phone, phone) is { } normal)
                {
                    keys.Add(Identifiers.KeyOf(new ItemIdentifier(IdentifierType.Phone, normal, null, null, null, [], null)));
                }
            }

            return new(keys, domains);
        }

        public bool Contains(ItemIdentifier identifier) => Keys.Contains(Identifiers.KeyOf(identifier)) || identifier.Type switch
        {
            IdentifierType.Domain => IsOwn(identifier.Value),
            IdentifierType.Url => Uri.TryCreate(identifier.Value, UriKind.Absolute, out var uri) && IsOwn(uri.Host),
            _ => false,
        };

        // The partner's web site under its mail domain (www.bka.de for cyber247@bka.de) is its signature, not the matter.
        private bool IsOwn(string host) => Domains.Any(d => host == d || host.EndsWith("." + d, StringComparison.Ordinal));
    }

    // ---- Patterns.

    [GeneratedRegex(@"^(\s*>)+\s?")]
    private static partial Regex QuotePrefix();

    [GeneratedRegex(@"^\s*(message-id|in-reply-to|references)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^\s*\d{1,2}\.\d{1,3}\s+(?<label>[^:]{2,40}):\s*(?<value>[^,\s]+)(?:,\s*\S+\s+(?<qualifier>\S+))?\s*$")]
    private static partial Regex FormLine();

    [GeneratedRegex(@"^\s*(time|время|уақыты|at|seen)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex TimeLabelLine();

    [GeneratedRegex(@"(?<![\w.])(?<ip>(?:\d{1,3}\.){3}\d{1,3})(?::(?<port>\d{1,5}))?(?!\w|\.\d)")]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"(?<![\w:.])\[?(?<v6>[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?:\](?::(?<port>\d{1,5}))?)?(?![\w:])")]
    private static partial Regex Ipv6();

    [GeneratedRegex(@"\b(ip(v4|v6)?|ip-?address(es)?|addresse?s?|host|server|source|ip-?адрес\w*|адрес\w*|хост\w*|сервер\w*)\b",
        RegexOptions.IgnoreCase)]
    private static partial Regex IpLabel();

    [GeneratedRegex(@"^(v|ver|version|versions|release|build|firmware|fw|rev|revision|update[sd]?|upgraded?|patch|версия|версии|"
        + @"сборка|сборки|прошивка|релиз|обновлен\w*|обновление)$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionWord();

    [GeneratedRegex(@"^(from|at|by|via|and|or|of|to|on|for|with|is|was|и|или|с|со|от|на|по|через|для|из|в)$", RegexOptions.IgnoreCase)]
    private static partial Regex LinkWord();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}_-]*")]
    private static partial Regex WordBefore();

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[\p{L}\d](?:[\p{L}\d-]*[\p{L}\d])?(?:\.[\p{L}\d](?:[\p{L}\d-]*[\p{L}\d])?)+")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![\w+])(?<number>\+[1-9](?:[\s.-]?\(?\d{1,4}\)?){2,7})(?![\d:])")]
    private static partial Regex Phone();

    [GeneratedRegex(@"\b(phone|tel|telephone|mobile|mob|тел|телефон\w*|моб\w*)\b\.?(?:\s+[\p{L}№.]+){0,2}\s*[:.]?\s*"
        + @"(?<number>(?:8|00[1-9])(?:[\s.-]?\(?\d{1,4}\)?){2,6})(?![\d:])", RegexOptions.IgnoreCase)]
    private static partial Regex PhoneLabelled();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{4}")]
    private static partial Regex DateInside();

    [GeneratedRegex(@"\b(?:https?|ftp)://[^\s<>""'«»]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\b(domain|domain name|website|web site|site|домен\w*|сайт\w*)\s*[:\-–]?\s*(?<domain>[\p{L}\d][\p{L}\d-]*(?:\.[\p{L}\d-]+)*\.[\p{L}]{2,})(?![\w@/])",
        RegexOptions.IgnoreCase)]
    private static partial Regex DomainLabelled();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])")]
    private static partial Regex Iban();

    [GeneratedRegex(@"(?<![\w.,+/-])\d(?:[ -]?\d){12,18}(?!\d|[.,]\d|-\d)")]
    private static partial Regex Card();

    [GeneratedRegex(@"^\d{4}([ -])\d{4}\1\d{4}\1\d{4}$")]
    private static partial Regex Grouped4();

    [GeneratedRegex(@"\b(card|cards|pan|visa|mastercard|maestro|карт\w*|мир)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CardLabel();

    [GeneratedRegex(@"(?<![\w-])(btc|bitcoin|eth|ethereum|erc-?20|usdt|tron|trx|trc-?20|биткоин|биткойн)(?![\w-])", RegexOptions.IgnoreCase)]
    private static partial Regex ChainWord();

    [GeneratedRegex(@"(?<!\w)(0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{8,87}|[13][1-9A-HJ-NP-Za-km-z]{25,34}|T[1-9A-HJ-NP-Za-km-z]{33})(?!\w)")]
    private static partial Regex Wallet();

    // 2026-10-05 14:03:12, 2026-10-05T14:03:12Z, 05.10.2026 в 14:03; then up to two of: Z, UTC/GMT with or without an
    // offset, +05:00, (Asia/Almaty), МСК.
    [GeneratedRegex(@"(?:(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})|(?<d2>\d{2})\.(?<mo2>\d{2})\.(?<y2>\d{4}))(?:[T ]|\s+(?:at|в)\s+|,\s*)"
        + @"(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2}))?(?:[.,]\d{1,7})?"
        + @"(?:\s*\(?(?:(?<utc>Z|UTC|GMT)(?<off>[+-]\d{1,2}(?::?\d{2})?)?|(?<off>[+-]\d{2}:?\d{2})|(?<iana>[A-Z][A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)"
        + @"|(?<msk>MSK|МСК|мск))\)?(?![\w/])){0,2}")]
    private static partial Regex DateAndTime();
}
