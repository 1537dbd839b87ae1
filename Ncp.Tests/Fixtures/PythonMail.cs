using System.Text;
using System.Text.Json;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// Mail in legacy charsets made by Python's <c>email</c> package, an implementation independent of MimeKit: RFC 2047
/// encoded words (B or Q; Q cut inside a character too, as some clients do), raw 8-bit headers as old clients write them,
/// text bodies in base64, quoted-printable or raw 8 bits with their charset declared or not, RFC 2231 file names.
/// </summary>
public static class PythonMail
{
    /// <summary>A subject: <paramref name="Form"/> is <c>b</c>, <c>q</c> (encoded words), <c>q-midchar</c> (Q words cut
    /// every 5 bytes, inside characters) or <c>raw</c> (the charset's bytes in the header, no encoded word).</summary>
    public sealed record Subject(string Text, string Charset, string Form);

    /// <summary>A text/plain body: <paramref name="Cte"/> is <c>base64</c>, <c>quoted-printable</c> or <c>8bit</c>;
    /// <paramref name="Declared"/> false leaves the charset out of its Content-Type.</summary>
    public sealed record Body(string Text, string Charset, string Cte = "quoted-printable", bool Declared = true);

    /// <summary>An attachment whose name is written as RFC 2231 <c>filename*=charset''…</c>.</summary>
    public sealed record Attachment(string Name, string Charset, string Content);

    public static byte[] Message(
        string from, string to, Subject subject, Body body, IReadOnlyDictionary<string, string>? headers = null,
        params Attachment[] files) =>
        Run(new
        {
            from, to, subject = Of(subject), body = Of(body), headers = headers ?? new Dictionary<string, string>(),
            attachments = files.Select(Of),
        });

    /// <summary>The MIME entity alone (for openssl to sign and encrypt); ASCII, as its parts are base64 or quoted-printable.</summary>
    public static string Entity(Body body, params Attachment[] files)
    {
        var entity = Run(new { entityOnly = true, body = Of(body), attachments = files.Select(Of) });
        Assert.True(entity.All(b => b < 0x80), "An entity handed to openssl as text must be ASCII: use base64 or quoted-printable.");
        return Encoding.ASCII.GetString(entity);
    }

    /// <summary>The Subject header's value as a client in that charset writes it (encoded words, or raw bytes).</summary>
    public static byte[] SubjectValue(Subject subject) => Run(new { subjectOnly = true, subject = Of(subject) });

    private static object Of(Subject s) => new { text = s.Text, charset = s.Charset, form = s.Form };

    private static object Of(Body b) => new { text = b.Text, charset = b.Charset, cte = b.Cte, declare = b.Declared };

    private static object Of(Attachment f) => new { name = f.Name, charset = f.Charset, content = f.Content };

    private static byte[] Run(object spec) => Tool.Run("python3", ["-c", Script, JsonSerializer.Serialize(spec)]).OrThrow().Output;

    // Python's compat32 API keeps the charset it is given (the modern policy rewrites RFC 2231 parameters as UTF-8); the
    // subject is put in afterwards, as bytes, so that raw and deliberately cut forms are exactly what is asked for.
    private const string Script = """
        import json
        import sys
        from email import policy
        from email.charset import BASE64, QP, Charset
        from email.header import Header
        from email.mime.application import MIMEApplication
        from email.mime.multipart import MIMEMultipart
        from email.mime.text import MIMEText
        from email.utils import formatdate, make_msgid

        spec = json.loads(sys.argv[1])


        def subject_bytes(subject):
            words, encoding, form = subject["text"], subject["charset"], subject["form"]
            if form == "raw":
                return words.encode(encoding)
            if form == "q-midchar":
                data = words.encode(encoding)
                chunks = [data[i:i + 5] for i in range(0, len(data), 5)]
                return b"\r\n ".join(b"=?" + encoding.encode() + b"?Q?" + b"".join(b"=%02X" % c for c in w) + b"?=" for w in chunks)
            header_charset = Charset(encoding)
            header_charset.header_encoding = QP if form == "q" else BASE64
            return Header(words, header_charset, maxlinelen=40).encode(linesep="\r\n").encode("ascii")


        if spec.get("subjectOnly"):
            sys.stdout.buffer.write(subject_bytes(spec["subject"]))
            sys.exit(0)

        body = spec["body"]
        charset = Charset(body["charset"])
        charset.body_encoding = {"base64": BASE64, "quoted-printable": QP, "8bit": None}[body["cte"]]
        text = MIMEText(body["text"], "plain", charset)
        if not body.get("declare", True):
            text.replace_header("Content-Type", "text/plain")
        files = spec.get("attachments", [])
        msg = MIMEMultipart("mixed", _subparts=[text]) if files else text
        for file in files:
            part = MIMEApplication(file["content"].encode("utf-8"), "octet-stream")
            part.add_header("Content-Disposition", "attachment", filename=(file["charset"], "", file["name"]))
            msg.attach(part)
        if not spec.get("entityOnly"):
            msg["From"] = spec["from"]
            msg["To"] = spec["to"]
            msg["Date"] = formatdate()
            msg["Message-ID"] = make_msgid(domain="partner.example")
            for name, value in spec.get("headers", {}).items():
                del msg[name]
                msg[name] = value
            msg["Subject"] = "SUBJECT-PLACEHOLDER"

        raw = msg.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))
        if not spec.get("entityOnly"):
            raw = raw.replace(b"SUBJECT-PLACEHOLDER", subject_bytes(spec["subject"]), 1)
        sys.stdout.buffer.write(raw)
        """;
}
