using System.Globalization;
using System.Text;
using MimeKit;

namespace Ncp.Tests.Fixtures.Crypto;

/// <summary>
/// Just enough MIME to wrap and unwrap what the tools produce and consume. It works on raw bytes on purpose: a detached
/// signature covers the exact bytes of the signed part, which a parse-and-reserialise round trip could change.
/// </summary>
internal static class RawMime
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    // RFC 5322 and the canonical form of RFC 3156 and RFC 8551 want CRLF; the tools write bare LF in places.
    public static byte[] ToCrlf(byte[] bytes)
    {
        using var result = new MemoryStream(bytes.Length + bytes.Length / 32);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))
            {
                result.WriteByte((byte)'\r');
            }

            result.WriteByte(bytes[i]);
        }

        return result.ToArray();
    }

    public static byte[] ToCrlf(string text) => ToCrlf(Encoding.UTF8.GetBytes(text));

    public static byte[] Message(string from, string to, string subject, IReadOnlyDictionary<string, string>? headers, byte[] entity)
    {
        var fields = new List<(string Name, string Value)>
        {
            ("From", from),
            ("To", to),
            ("Subject", EncodeWords(subject)),
            ("Date", DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)),
            ("Message-ID", $"<{Guid.NewGuid():N}@{DomainOf(from)}>"),
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            fields.RemoveAll(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            fields.Add((name, value));
        }

        var head = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetBytes(head.ToString()), .. ToCrlf(entity)];
    }

    public static ContentType ContentTypeOf(byte[] entity) =>
        Header(entity, "Content-Type") is { } value && ContentType.TryParse(value, out var type)
            ? type
            : new ContentType("text", "plain");

    public static string? Header(byte[] entity, string name)
    {
        string? found = null;
        foreach (var line in HeaderLines(entity))
        {
            if (found is not null && line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                found += line;
            }
            else if (found is not null)
            {
                return found.Trim();
            }
            else if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            {
                found = line[(name.Length + 1)..];
            }
        }

        return found?.Trim();
    }

    // The body with its transfer encoding undone; only base64 matters for what the tools and gateways produce here.
    public static byte[] Body(byte[] entity)
    {
        var body = entity[BodyStart(entity)..];
        return string.Equals(Header(entity, "Content-Transfer-Encoding"), "base64", StringComparison.OrdinalIgnoreCase)
            ? Convert.FromBase64String(new string(Encoding.ASCII.GetString(body).Where(c => !char.IsWhiteSpace(c)).ToArray()))
            : body;
    }

    // Each part's bytes from after its delimiter line up to, not including, the CRLF that belongs to the next delimiter
    // (RFC 2046 5.1.1): exactly what a multipart/signed signature covers.
    public static IReadOnlyList<byte[]> Parts(byte[] entity)
    {
        var boundary = ContentTypeOf(entity).Boundary
            ?? throw new InvalidOperationException("The entity is not multipart: it has no boundary.");
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var parts = new List<byte[]>();
        var partStart = -1;
        var lineStart = BodyStart(entity);
        while (lineStart < entity.Length)
        {
            var lineEnd = entity.AsSpan(lineStart).IndexOf(Crlf);
            lineEnd = lineEnd < 0 ? entity.Length : lineStart + lineEnd;
            var line = entity.AsSpan(lineStart, lineEnd - lineStart);
            if (line.StartsWith(delimiter))
            {
                var rest = line[delimiter.Length..];
                var closing = rest.StartsWith("--"u8);
                if (closing || rest.Trim((byte)' ').Trim((byte)'\t').IsEmpty)
                {
                    if (partStart >= 0)
                    {
                        parts.Add(entity[partStart..Math.Max(partStart, lineStart - Crlf.Length)]);
                    }

                    if (closing)
                    {
                        return parts;
                    }

                    partStart = Math.Min(lineEnd + Crlf.Length, entity.Length);
                }
            }

            lineStart = lineEnd + Crlf.Length;
        }

        throw new InvalidOperationException($"The multipart has no closing delimiter --{boundary}--.");
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static IEnumerable<string> HeaderLines(byte[] entity) =>
        Encoding.UTF8.GetString(entity, 0, BodyStart(entity)).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    private static int BodyStart(byte[] entity)
    {
        var crlf = entity.AsSpan().IndexOf("\r\n\r\n"u8);
        var lf = entity.AsSpan().IndexOf("\n\n"u8);
        return (crlf, lf) switch
        {
            (< 0, < 0) => entity.Length,
            (< 0, _) => lf + 2,
            (_, < 0) => crlf + 4,
            _ => Math.Min(crlf + 4, lf + 2),
        };
    }

    public static string AddressOf(string mailbox) =>
        mailbox.LastIndexOf('<') is var open and >= 0 && mailbox.IndexOf('>', open) is var close and > 0
            ? mailbox[(open + 1)..close].Trim()
            : mailbox.Trim();

    private static string DomainOf(string mailbox) =>
        AddressOf(mailbox).Split('@') is [_, .., var domain] ? domain : "test.example";

    // RFC 2047 encoded words for non-ASCII subjects (Kazakh and Russian ones are common here), cut on character
    // boundaries so that every word decodes on its own.
    private static string EncodeWords(string text)
    {
        if (text.All(char.IsAscii))
        {
            return text;
        }

        var words = new List<string>();
        var chunk = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Encoding.UTF8.GetByteCount(chunk.ToString()) + rune.Utf8SequenceLength > 45)
            {
                words.Add(chunk.ToString());
                chunk.Clear();
            }

            chunk.Append(rune.ToString());
        }

        words.Add(chunk.ToString());
        return string.Join("\r\n ", words.Select(w => $"=?utf-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(w))}?="));
    }
}
