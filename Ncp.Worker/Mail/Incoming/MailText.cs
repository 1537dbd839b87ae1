using System.Text;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// Text taken from a partner's mail made safe to store and to carry: PostgreSQL's text and jsonb refuse NUL and
/// Npgsql refuses a lone UTF-16 surrogate, so one hostile header would otherwise fail the write of every mail beside it.
/// The raw bytes are kept untouched; only the copies shown and searched are cleaned.
/// </summary>
public static class MailText
{
    /// <summary>Longest header value kept for listing (the whole header stays in the raw mail).</summary>
    public const int MaxHeader = 2_000;

    /// <summary>A header value on one line: control characters (CR and LF included) become spaces, cut at <paramref name="max"/>.</summary>
    public static string? Header(string? value, int max = MaxHeader) => value is null ? null : Clean(value, max, keepLines: false);

    /// <summary>A body: line breaks and tabs kept, other control characters dropped.</summary>
    public static string Body(string value) => Clean(value, int.MaxValue, keepLines: true);

    private static string Clean(string value, int max, bool keepLines)
    {
        if (value.Length <= max && !NeedsCleaning(value, keepLines))
        {
            return value;
        }

        var text = new StringBuilder(Math.Min(value.Length, max));
        for (var i = 0; i < value.Length && text.Length < max; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (text.Length + 2 > max)
                {
                    break;
                }

                text.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                text.Append('\uFFFD');
            }
            else if (c is '\t' or '\r' or '\n')
            {
                text.Append(keepLines ? c : ' ');
            }
            else if (!char.IsControl(c))
            {
                text.Append(c);
            }
            else if (!keepLines)
            {
                text.Append(' ');
            }
        }

        return keepLines ? text.ToString() : text.ToString().Trim();
    }

    private static bool NeedsCleaning(string value, bool keepLines)
    {
        foreach (var c in value)
        {
            if (char.IsSurrogate(c) || (char.IsControl(c) && !(keepLines && c is '\t' or '\r' or '\n')))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The header block of a raw mail, measured before MimeKit reads it: MimeKit's header parser takes time that grows with
/// the square of a folded header's length (24 s for a 1 MB Subject on these machines), so a header larger than the limit
/// is never handed to it whole.
/// </summary>
public static class RawHeaders
{
    /// <summary>Bytes up to the blank line that ends the header block (the whole mail when there is none).</summary>
    public static int Length(ReadOnlySpan<byte> raw)
    {
        var crlf = raw.IndexOf("\r\n\r\n"u8);
        var lf = raw.IndexOf("\n\n"u8);
        return crlf < 0 && lf < 0 ? raw.Length : crlf < 0 ? lf : lf < 0 ? crlf : Math.Min(crlf, lf);
    }

    /// <summary>The first <paramref name="max"/> bytes of the header block (cut at a line's end), for listing only.</summary>
    public static MimeKit.HeaderList Load(byte[] raw, int max)
    {
        var length = Length(raw);
        if (length > max)
        {
            length = raw.AsSpan(0, max).LastIndexOf((byte)'\n') + 1;
        }

        using var head = new MemoryStream(length + 2);
        head.Write(raw, 0, length);
        head.Write("\r\n"u8);
        head.Position = 0;
        return MimeKit.HeaderList.Load(MailCharsets.ForHeaders(raw.AsSpan(0, length)), head);
    }
}
