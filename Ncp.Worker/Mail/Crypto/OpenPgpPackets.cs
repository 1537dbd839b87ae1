using MimeKit;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// Why an OpenPGP message that failed to open is in a form we cannot read, told from its packet headers (RFC 4880 4.2,
/// RFC 9580): encrypted to a passphrase rather than to a key, AEAD packets of newer implementations, or signed without
/// being encrypted. A message of a form we read that still fails is left to the caller: a key not ours, or damage.
/// </summary>
internal static class OpenPgpPackets
{
    private const int MaxSessionKeyPacket = 64 * 1024;

    /// <summary>Runs <paramref name="decrypt"/>; when it fails on a form we cannot read, says so instead.</summary>
    public static T Naming<T>(MimeEntity? encrypted, Func<T> decrypt) =>
        Naming(() => encrypted is MimePart { Content: { } content } ? content.Open() : null, decrypt);

    /// <inheritdoc cref="Naming{T}(MimeEntity?, Func{T})"/>
    public static T Naming<T>(byte[] encrypted, Func<T> decrypt) => Naming(() => new MemoryStream(encrypted, writable: false), decrypt);

    private static T Naming<T>(Func<Stream?> encrypted, Func<T> decrypt)
    {
        try
        {
            return decrypt();
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailCryptoException && encrypted() is { } message
                                  && Unreadable(message) is { } form)
        {
            throw new MailCryptoException("unsupported", $"{form}: a form the gateway cannot read.", e);
        }
    }

    /// <summary>What makes the message (armored or binary) unreadable to us, or null when its form is one we read.</summary>
    public static string? Unreadable(Stream message)
    {
        try
        {
            using var packets = PgpUtilities.GetDecoderStream(message);
            return Judge(packets);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? Judge(Stream packets)
    {
        var sessionKeys = new List<(int Tag, int Version)>();
        while (Header(packets) is var (tag, length))
        {
            var version = packets.ReadByte();
            switch (tag)
            {
                case 1 or 3 or 10 when length is > 0 and <= MaxSessionKeyPacket:
                    sessionKeys.Add((tag, version));
                    packets.ReadExactly(new byte[length - 1]);
                    continue;
                case 20:
                    return "OpenPGP packet AEAD encrypted data (tag 20, GnuPG's OCB mode)";
                case 18 when version != 1:
                    return $"OpenPGP packet symmetrically encrypted integrity protected data version {version} (RFC 9580 AEAD)";
                case 9 or 18:
                    return SessionKeys(sessionKeys);
                case 2 or 4 or 8 or 11:
                    return $"OpenPGP message signed or compressed but not encrypted (it begins with a {Name(tag)} packet)";
                default:
                    return $"OpenPGP packet of tag {tag} where an encrypted message begins";
            }
        }

        return null;
    }

    private static string? SessionKeys(List<(int Tag, int Version)> keys)
    {
        var publicKeys = keys.Where(k => k.Tag == 1).ToArray();
        if (publicKeys.Length == 0)
        {
            return keys.Any(k => k.Tag == 3)
                ? "OpenPGP message encrypted to a passphrase (symmetric-key session key packets only), to no key"
                : "OpenPGP encrypted data without any session key packet";
        }

        return publicKeys.All(k => k.Version != 3)
            ? $"OpenPGP packet public-key encrypted session key version {publicKeys[0].Version} (RFC 9580)"
            : null;
    }

    // The tag and body length of the next packet, old or new format; null at the end. A partial or indeterminate length
    // (streamed data) counts as long: only the session key packets before the data are ever skipped.
    private static (int Tag, long Length)? Header(Stream packets)
    {
        var first = packets.ReadByte();
        if (first < 0)
        {
            return null;
        }

        if ((first & 0x80) == 0)
        {
            throw new IOException("Not an OpenPGP packet header.");
        }

        if ((first & 0x40) == 0)
        {
            var octets = (first & 0x03) switch { 0 => 1, 1 => 2, 2 => 4, _ => 0 };
            return ((first >> 2) & 0x0F, octets == 0 ? long.MaxValue : Number(packets, octets));
        }

        var length = packets.ReadByte() switch
        {
            < 0 => throw new EndOfStreamException(),
            < 192 and var one => one,
            < 224 and var two => ((two - 192) << 8) + packets.ReadByte() + 192,
            255 => Number(packets, 4),
            _ => long.MaxValue,
        };
        return (first & 0x3F, length);
    }

    private static long Number(Stream packets, int octets)
    {
        long value = 0;
        for (var i = 0; i < octets; i++)
        {
            value = (value << 8) | (uint)packets.ReadByte();
        }

        return value;
    }

    private static string Name(int tag) => tag switch
    {
        2 => "signature",
        4 => "one-pass signature",
        8 => "compressed data",
        _ => "literal data",
    };
}
