using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using MimeKit;

namespace Ncp.Worker.Mail.Incoming;

/// <summary>
/// Reads a partner's text in whatever charset it came in. Declared charsets are believed once .NET knows them (windows-1251,
/// KOI8-R, ISO-8859-5… need the code-page provider); text that declares none, or UTF-8 or ASCII while it is not, is read
/// in the legacy charset its bytes make most sense in: old clients write raw windows-1251 or KOI8-R into headers and bodies
/// without saying so, and reading those as Latin-1 is what turns "Ответ на запрос" into "Îòâåò íà çàïðîñ".
/// </summary>
public static class MailCharsets
{
    // Enough text to tell charsets apart; a long body is not decoded four times over.
    private const int SampleBytes = 16 * 1024;

    // The charsets a partner's undeclared 8-bit text is tried in, the first winning a tie: the Cyrillic ones our partners
    // in the region use, then Western European for everyone else.
    private static readonly int[] Candidates = [1251, 20866, 28595, 1252];

    // Russian, with Ukrainian and Belarusian letters (Kazakh ones are in none of these charsets).
    private static readonly SearchValues<char> CommonCyrillic =
        SearchValues.Create("ЁЄІЇЎёєіїўҐґАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя");

    // .NET Core knows only UTF-8, UTF-16/32, ASCII and Latin-1 until the code pages are registered, and MimeKit (4.18)
    // neither registers them nor looks again: a charset it failed to find once it reads as Latin-1 for the process's life.
    // So they are registered when this assembly loads, before any mail can be parsed.
#pragma warning disable CA2255 // The Worker is an application; this is its start, wherever it is hosted (tests too).
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterCodePages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>
    /// Parses a raw mail; when raw 8-bit header text (a Subject, a display name, a file name) is not UTF-8, parses it again
    /// with that text read in the charset guessed from it, a charset the mail's text parts declare winning a tie.
    /// </summary>
    public static async Task<MimeMessage> LoadAsync(byte[] raw, int maxDepth, CancellationToken ct)
    {
        var options = new ParserOptions { MaxMimeDepth = maxDepth };
        var message = await MimeMessage.LoadAsync(options, new MemoryStream(raw), ct);
        var undeclared = EightBitHeaderText(message);
        if (undeclared.Length == 0 || IsUtf8(undeclared) || Guess(undeclared, Declared(message.Body)) is not { } legacy)
        {
            return message;
        }

        options.CharsetEncoding = legacy;
        return await MimeMessage.LoadAsync(options, new MemoryStream(raw), ct);
    }

    /// <summary>
    /// Parses content the gateway decrypted or took out of a signature (its protected headers, its parts' file names) as
    /// <see cref="LoadAsync"/> parses a mail: again, with raw 8-bit header text read in the charset guessed from it.
    /// </summary>
    public static MimeEntity LoadEntity(MemoryStream content, CancellationToken ct)
    {
        var start = content.Position;
        var entity = MimeEntity.Load(content, ct);
        var undeclared = EightBitHeaderText(entity);
        if (undeclared.Length == 0 || IsUtf8(undeclared) || Guess(undeclared, Declared(entity)) is not { } legacy)
        {
            return entity;
        }

        content.Position = start;
        return MimeEntity.Load(new ParserOptions { CharsetEncoding = legacy }, content, ct);
    }

    /// <summary>Options for reading a header block alone: its raw 8-bit text read in the charset guessed from it.</summary>
    public static ParserOptions ForHeaders(ReadOnlySpan<byte> headerBlock) =>
        !IsUtf8(headerBlock) && Guess(headerBlock, null) is { } legacy
            ? new ParserOptions { CharsetEncoding = legacy }
            : new ParserOptions();

    /// <summary>
    /// Gives each text part shown as the mail's text (not an attached file) that declares no charset, one .NET does not
    /// know, or UTF-8 or ASCII while its bytes are not, the charset its bytes read best in, so that MimeKit's
    /// <c>TextBody</c> and <c>HtmlBody</c> read it right.
    /// </summary>
    public static void Mend(MimeEntity? entity)
    {
        MendParameters(entity);
        foreach (var part in Leaves(entity).OfType<TextPart>())
        {
            var declaredLegacy = part.ContentType.Charset is not null && !IsUnicodeOrAscii(part.ContentType.CharsetEncoding);
            if (part.Content is null || part.IsAttachment || declaredLegacy)
            {
                continue;
            }

            using var bytes = new MemoryStream();
            part.Content.DecodeTo(bytes);
            if (!IsUtf8(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)) && Guess(bytes.ToArray(), null) is { } legacy)
            {
                part.ContentType.Charset = legacy.WebName;
            }
        }
    }

    // Decrypted content is parsed in the one charset guessed from all its raw 8-bit header text (LoadEntity); a file name
    // in another charset than its neighbours' is read again here, in the charset guessed from it alone.
    private static void MendParameters(MimeEntity? entity)
    {
        foreach (var part in Entities(entity))
        {
            foreach (var header in part.Headers.ToList())
            {
                if (header.Id is not (HeaderId.ContentType or HeaderId.ContentDisposition) || IsUtf8(header.RawValue)
                    || Guess(header.RawValue, null) is not { } legacy)
                {
                    continue;
                }

                var options = new ParserOptions { CharsetEncoding = legacy };
                if (header.Id == HeaderId.ContentDisposition && ContentDisposition.TryParse(options, header.RawValue, out var disposition))
                {
                    part.ContentDisposition = disposition;
                }
                else if (header.Id == HeaderId.ContentType && ContentType.TryParse(options, header.RawValue, out var type))
                {
                    part.ContentType.Parameters.Clear();
                    foreach (var parameter in type.Parameters)
                    {
                        part.ContentType.Parameters.Add(parameter.Name, parameter.Value);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Text the gateway decodes itself (decrypted inline OpenPGP): UTF-8 when it is valid UTF-8, else the declared charset
    /// when .NET knows it, else the legacy charset it reads best in.
    /// </summary>
    public static string Decode(byte[] bytes, Encoding? declared) =>
        IsUtf8(bytes) ? Encoding.UTF8.GetString(bytes)
        : (!IsUnicodeOrAscii(declared) ? declared! : Guess(bytes, null) ?? Encoding.Latin1).GetString(bytes);

    /// <summary>
    /// The legacy charset in which <paramref name="eightBit"/> reads most like words (null for pure ASCII): runs of letters
    /// of one script and a likely case, lower case more likely than upper, against symbols, control characters, mixed
    /// scripts and mixed case. <paramref name="declared"/> is tried first and wins a tie.
    /// </summary>
    public static Encoding? Guess(ReadOnlySpan<byte> eightBit, Encoding? declared)
    {
        if (eightBit.IndexOfAnyInRange((byte)0x80, (byte)0xff) < 0)
        {
            return null;
        }

        eightBit = eightBit[..Math.Min(eightBit.Length, SampleBytes)];
        var candidates = Candidates.Select(Encoding.GetEncoding);
        if (declared is not null && !IsUnicodeOrAscii(declared))
        {
            candidates = candidates.Prepend(declared);
        }

        Encoding? best = null;
        var bestScore = double.MinValue;
        foreach (var candidate in candidates)
        {
            var score = Score(candidate.GetString(eightBit));
            if (score > bestScore)
            {
                (best, bestScore) = (candidate, score);
            }
        }

        return best;
    }

    private static double Score(string text)
    {
        double score = 0;
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetter(c))
            {
                word.Append(c);
                continue;
            }

            // Control characters and box drawing are what a wrong charset makes of letters.
            score += WordScore(word.ToString())
                + (c is >= '\u0080' and <= '\u009f' or '\ufffd' ? -2 : c is >= '\u2500' and <= '\u25ff' ? -1 : 0);
            word.Clear();
        }

        return score;
    }

    // Only words with a letter outside ASCII tell charsets apart; the others read alike in all of them.
    private static double WordScore(string word)
    {
        if (word.All(char.IsAscii))
        {
            return 0;
        }

        var cyrillic = word.Count(c => c is >= '\u0400' and <= '\u04ff');
        var latin = word.Count(c => c is >= 'A' and <= 'z' or >= '\u00c0' and <= '\u024f');
        var accented = word.Count(c => c is >= '\u00c0' and <= '\u024f');
        var plausible = (cyrillic == word.Length || latin == word.Length)
            // Serbian and Macedonian letters are what Russian in one Cyrillic charset becomes when read in another.
            && word.All(c => c is < '\u0400' or > '\u04ff' || CommonCyrillic.Contains(c))
            // A Western word is mostly ASCII letters; one made of accented letters alone is Cyrillic read as Latin-1.
            && !(latin == word.Length && word.Length >= 3 && accented * 2 > word.Length)
            && (word.All(char.IsLower) || word.All(char.IsUpper) || (char.IsUpper(word[0]) && word[1..].All(char.IsLower)));
        var weight = word.Sum(c => char.IsLower(c) ? 1.0 : 0.25);
        return plausible ? weight : -word.Length;
    }

    // Every header value holding a byte above 127, of the message and of each of its parts, as MimeKit kept them.
    private static byte[] EightBitHeaderText(MimeMessage message) => EightBit(message.Headers.Concat(HeadersOf(message.Body)));

    // Of content: its parts' headers, and those of a message wrapped in it (protected headers, RFC 8551 3.1).
    private static byte[] EightBitHeaderText(MimeEntity entity) => EightBit(HeadersOf(entity));

    private static byte[] EightBit(IEnumerable<Header> headers) =>
        [.. headers.Where(h => h.RawValue.Any(b => b >= 0x80)).SelectMany(h => h.RawValue)];

    private static IEnumerable<Header> HeadersOf(MimeEntity? entity) => Entities(entity).SelectMany(e => e is MessagePart { Message: { } wrapped }
        ? e.Headers.Concat(wrapped.Headers).Concat(HeadersOf(wrapped.Body))
        : e.Headers);

    private static Encoding? Declared(MimeEntity? body) =>
        Leaves(body).OfType<TextPart>().Select(p => p.ContentType.CharsetEncoding)
            .FirstOrDefault(e => e is not null && !IsUnicodeOrAscii(e));

    private static bool IsUnicodeOrAscii(Encoding? encoding) => encoding is null or UTF8Encoding or ASCIIEncoding or UnicodeEncoding;

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private static IEnumerable<MimeEntity> Entities(MimeEntity? entity) => entity switch
    {
        null => [],
        Multipart multipart => multipart.SelectMany(Entities).Prepend(multipart),
        _ => [entity],
    };

    private static IEnumerable<MimeEntity> Leaves(MimeEntity? entity) => Entities(entity).Where(e => e is not Multipart);
}
