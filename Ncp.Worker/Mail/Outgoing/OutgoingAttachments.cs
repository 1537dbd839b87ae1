using System.Text;
using MimeKit;
using Ncp.Contracts.Mail;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>The item's files that go with a mail: named so that no partner's system can misread the name, typed, counted.</summary>
public static class OutgoingAttachments
{
    private const int MaxNameLength = 100;

    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>The files' names as sent: no folders, no characters a file system refuses, none twice.</summary>
    public static IReadOnlyList<string> SafeNames(IReadOnlyList<MailAttachment>? attachments)
    {
        var names = new List<string>();
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (attachment, index) in (attachments ?? []).Select((a, i) => (a, i)))
        {
            var name = Unique(SafeName(attachment.FileName, index + 1), taken);
            taken.Add(name);
            names.Add(name);
        }

        return names;
    }

    public static long TotalBytes(IReadOnlyList<MailAttachment>? attachments) =>
        (attachments ?? []).Sum(a => (long)(a.Content?.Length ?? 0));

    /// <summary>The parts of a mail: the letter, then each file as a base64 attachment, so its bytes arrive as they are.</summary>
    public static MimeEntity Body(string text, IReadOnlyList<MailAttachment>? attachments)
    {
        var letter = new TextPart("plain") { Text = text };
        if (attachments is not { Count: > 0 })
        {
            return letter;
        }

        var mixed = new Multipart("mixed") { letter };
        foreach (var (attachment, name) in attachments.Zip(SafeNames(attachments)))
        {
            mixed.Add(new MimePart(TypeOf(attachment.ContentType))
            {
                Content = new MimeContent(new MemoryStream(attachment.Content ?? [], writable: false)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = name,
            });
        }

        return mixed;
    }

    // A file is a leaf: a type that would make the partner's client parse it as more MIME (multipart, message) is sent
    // as plain bytes instead.
    private static ContentType TypeOf(string? type) =>
        ContentType.TryParse(type ?? "", out var parsed) && !parsed.MediaType.Equals("multipart", StringComparison.OrdinalIgnoreCase)
            && !parsed.MediaType.Equals("message", StringComparison.OrdinalIgnoreCase)
            ? new ContentType(parsed.MediaType, parsed.MediaSubtype)
            : new ContentType("application", "octet-stream");

    private static string SafeName(string? given, int number)
    {
        var last = (given ?? "").Replace('\\', '/').Split('/')[^1];
        var kept = new StringBuilder();
        foreach (var c in last.Normalize(NormalizationForm.FormC))
        {
            var refused = char.IsControl(c) || c is '<' or '>' or ':' or '"' or '|' or '?' or '*' or ';';
            kept.Append(refused ? '_' : char.IsWhiteSpace(c) ? ' ' : c);
        }

        var name = string.Join(' ', kept.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)).Trim('.', ' ');
        if (name.Length == 0)
        {
            return $"attachment-{number}";
        }

        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        if (DeviceNames.Contains(stem))
        {
            stem = "_" + stem;
        }

        if (extension.Length > 20)
        {
            (stem, extension) = (stem + extension, "");
        }

        return Shortened(stem, MaxNameLength - extension.Length) + extension;
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        var (stem, extension) = (Path.GetFileNameWithoutExtension(name), Path.GetExtension(name));
        for (var n = 2; taken.Contains(name); n++)
        {
            name = $"{Shortened(stem, MaxNameLength - extension.Length - 5)} ({n}){extension}";
        }

        return name;
    }

    // Cut on a text element, never inside a surrogate pair or a combining sequence.
    private static string Shortened(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var cut = new StringBuilder();
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext() && cut.Length + elements.GetTextElement().Length <= length)
        {
            cut.Append(elements.GetTextElement());
        }

        return cut.ToString();
    }
}
