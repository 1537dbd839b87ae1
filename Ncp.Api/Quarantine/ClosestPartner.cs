using Ncp.Api.Partners;

namespace Ncp.Api.Quarantine;

/// <summary>
/// The partner a mail from an unknown address most likely comes from, and why: <c>same-domain</c> (another address of the
/// partner's domain), <c>same-parent-domain</c> (a sibling or child domain: mail.bka.de beside bka.de) or
/// <c>similar-address</c> (a few letters apart: a typing slip, or a look-alike meant to deceive; the screen says both).
/// </summary>
public sealed record ClosestPartner(string Code, string Name, string Address, string Likeness);

public static class ClosestPartners
{
    private const int MaxAddressLength = 320;

    public static ClosestPartner? Find(string from, IEnumerable<PartnerDirectoryEntry> partners)
    {
        if (Split(from) is not { } sender)
        {
            return null;
        }

        return partners
            .SelectMany(p => p.Profile.Addresses.Select(a => (Partner: p, Address: a, Parts: Split(a))))
            .Where(c => c.Parts is not null)
            .Select(c => (c.Partner, c.Address, Rank: Rank(sender, c.Parts!.Value)))
            .Where(c => c.Rank is not null)
            .OrderBy(c => c.Rank!.Value.Order).ThenBy(c => c.Rank!.Value.Distance).ThenBy(c => !c.Partner.Active).ThenBy(c => c.Partner.Code, StringComparer.Ordinal)
            .Select(c => new ClosestPartner(c.Partner.Code, c.Partner.Profile.Name, c.Address, c.Rank!.Value.Likeness))
            .FirstOrDefault();
    }

    private static (int Order, int Distance, string Likeness)? Rank((string Local, string Domain) sender, (string Local, string Domain) known)
    {
        if (sender.Domain == known.Domain)
        {
            return (0, Distance(sender.Local, known.Local), "same-domain");
        }

        if (Parent(sender.Domain) == Parent(known.Domain))
        {
            return (1, Distance(sender.Local, known.Local), "same-parent-domain");
        }

        var whole = $"{sender.Local}@{sender.Domain}";
        var distance = Distance(whole, $"{known.Local}@{known.Domain}");
        return distance <= Math.Max(3, whole.Length / 4) ? (2, distance, "similar-address") : null;
    }

    private static (string Local, string Domain)? Split(string address)
    {
        var a = address.Trim().Trim('<', '>').ToLowerInvariant();
        var at = a.LastIndexOf('@');
        return at <= 0 || at == a.Length - 1 || a.Length > MaxAddressLength ? null : (a[..at], a[(at + 1)..]);
    }

    // The registered domain: the last two labels, three under a country's shared second level (police.gov.kz, not gov.kz,
    // so that two agencies under gov.kz are no siblings).
    private static string Parent(string domain)
    {
        var labels = domain.Split('.');
        var shared = labels.Length >= 3 && labels[^1].Length == 2 && SharedSecondLevels.Contains(labels[^2]);
        return string.Join('.', labels.TakeLast(shared ? 3 : 2));
    }

    private static readonly HashSet<string> SharedSecondLevels = ["gov", "gob", "gouv", "govt", "com", "co", "org", "ac", "edu", "net", "mil", "police"];

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
