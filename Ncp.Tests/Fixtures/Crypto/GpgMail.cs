using System.Globalization;
using System.Text;

namespace Ncp.Tests.Fixtures.Crypto;

/// <summary>
/// gpg 2.2 bound to one GnuPG home: makes PGP/MIME mail as a partner's client would (RFC 3156) and reads what the
/// gateway sends. Keys are named by address or fingerprint; trust is not modelled (every key in the home counts).
/// </summary>
public sealed class GpgMail
{
    private readonly string passphrase;
    private readonly string[] clock;

    public GpgMail(string home, string? passphrase = null)
        : this(home, passphrase ?? "", [])
    {
    }

    private GpgMail(string home, string passphrase, string[] clock)
    {
        Home = home;
        this.passphrase = passphrase;
        this.clock = clock;
    }

    public string Home { get; }

    /// <summary>
    /// The same gpg with its clock frozen at <paramref name="time"/>: the way to sign with a key that has since expired,
    /// as a partner whose key lapsed unnoticed would.
    /// </summary>
    public GpgMail At(DateTimeOffset time) =>
        new(Home, passphrase,
        [
            "--faked-system-time", time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'!'", CultureInfo.InvariantCulture),
            // Keys made today look created in that past's future; gpg would refuse to use them without these.
            "--ignore-time-conflict", "--ignore-valid-from",
        ]);

    /// <summary>Armored OpenPGP data encrypted to <paramref name="recipient"/>'s encryption subkey, signed when a signer is named.</summary>
    public string EncryptAndSign(byte[] content, string recipient, string? signer)
    {
        string[] signing = signer is null ? [] : ["--sign", "--local-user", signer];
        return Armored(content, ["--encrypt", "--recipient", recipient, .. signing]);
    }

    /// <summary>An armored detached signature over exactly <paramref name="content"/>.</summary>
    public string Sign(byte[] content, string signer) => Armored(content, "--detach-sign", "--local-user", signer);

    /// <summary>Clear-signed text (RFC 4880 7): the text readable as it is, the armored signature after it.</summary>
    public string ClearSign(byte[] content, string signer) => Armored(content, "--clearsign", "--local-user", signer);

    /// <summary>
    /// What gpg makes of <paramref name="content"/> with <paramref name="operation"/> (<c>--symmetric</c>, <c>--sign</c>…),
    /// armored; read as Latin-1, so that clear-signed text in any charset keeps its bytes.
    /// </summary>
    public string Armored(byte[] content, params string[] operation) => Tool.InScratch(folder =>
    {
        File.WriteAllBytes(Path.Combine(folder, "plain"), content);
        Run(["--armor", "--output", Path.Combine(folder, "out.asc"), .. operation, Path.Combine(folder, "plain")]);
        return File.ReadAllText(Path.Combine(folder, "out.asc"), Encoding.Latin1);
    });

    /// <summary>
    /// Inline OpenPGP as many clients still send it: <paramref name="text"/> in <paramref name="charset"/>, encrypted and
    /// signed (or clear-signed only, when <paramref name="encrypt"/> is false), armored as the whole text/plain body.
    /// </summary>
    public byte[] InlineMail(
        string text, string from, string to, string subject, bool encrypt = true, string charset = "utf-8",
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var bytes = Encoding.GetEncoding(charset).GetBytes(text);
        var signer = RawMime.AddressOf(from);
        var armored = encrypt ? EncryptAndSign(bytes, RawMime.AddressOf(to), signer) : ClearSign(bytes, signer);
        return InlineArmoredMail(armored, from, to, subject, charset, headers);
    }

    /// <summary>A mail whose whole text/plain body is <paramref name="armored"/> OpenPGP data, as inline OpenPGP is sent.</summary>
    public static byte[] InlineArmoredMail(
        string armored, string from, string to, string subject, string charset = "utf-8", IReadOnlyDictionary<string, string>? headers = null)
    {
        var entity = $"MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: 8bit\n\n{armored}";
        return RawMime.Message(from, to, subject, headers, RawMime.ToCrlf(Encoding.Latin1.GetBytes(entity)));
    }

    /// <summary>
    /// A complete RFC 3156 multipart/encrypted mail from <paramref name="from"/> to <paramref name="to"/>, signed and
    /// encrypted in one OpenPGP message (RFC 3156 6.2) unless <paramref name="sign"/> is false.
    /// <paramref name="headers"/> add to or replace From, To, Subject, Date and Message-ID.
    /// </summary>
    public byte[] EncryptedMail(
        string innerEntity, string from, string to, string subject, bool sign = true, IReadOnlyDictionary<string, string>? headers = null)
    {
        var armored = EncryptAndSign(RawMime.ToCrlf(innerEntity), RawMime.AddressOf(to), sign ? RawMime.AddressOf(from) : null);
        return PgpMimeMail(armored, from, to, subject, headers);
    }

    /// <summary>A complete RFC 3156 multipart/encrypted mail around <paramref name="armored"/> OpenPGP data.</summary>
    public static byte[] PgpMimeMail(string armored, string from, string to, string subject, IReadOnlyDictionary<string, string>? headers = null)
    {
        var boundary = Boundary();
        var entity = $"""
            MIME-Version: 1.0
            Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="{boundary}"

            This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)
            --{boundary}
            Content-Type: application/pgp-encrypted
            Content-Description: PGP/MIME version identification

            Version: 1


            """ + ArmoredPart(boundary, "application/octet-stream", "encrypted.asc", "OpenPGP encrypted message", "inline", armored);
        return RawMime.Message(from, to, subject, headers, RawMime.ToCrlf(entity));
    }

    /// <summary>A complete RFC 3156 multipart/signed mail: <paramref name="innerEntity"/> in canonical CRLF form, signed detached.</summary>
    public byte[] SignedMail(string innerEntity, string from, string to, string subject, IReadOnlyDictionary<string, string>? headers = null)
    {
        var signed = RawMime.ToCrlf(innerEntity);
        var signature = Sign(signed, RawMime.AddressOf(from));
        var boundary = Boundary();
        var head = RawMime.ToCrlf($"""
            MIME-Version: 1.0
            Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="{boundary}"

            This is an OpenPGP/MIME signed message (RFC 4880 and 3156)
            --{boundary}

            """);
        var tail = RawMime.ToCrlf(
            "\n" + ArmoredPart(boundary, "application/pgp-signature", "signature.asc", "OpenPGP digital signature", "attachment", signature));
        return RawMime.Message(from, to, subject, headers, [.. head, .. signed, .. tail]);
    }

    /// <summary>
    /// Reads a complete PGP/MIME mail as a partner would: decrypts multipart/encrypted, verifies multipart/signed (also
    /// one found inside), and reports gpg's status lines. Throws when the mail cannot be decrypted at all.
    /// </summary>
    public PgpReading DecryptAndVerify(byte[] mail) => Tool.InScratch(folder =>
    {
        var entity = RawMime.ToCrlf(mail);
        var layers = new List<string>();
        var status = new List<string>();
        var diagnostics = new StringBuilder();
        for (var type = RawMime.ContentTypeOf(entity); ; type = RawMime.ContentTypeOf(entity))
        {
            var step = Path.Combine(folder, layers.Count.ToString(CultureInfo.InvariantCulture));
            ToolRun run;
            if (type.IsMimeType("multipart", "encrypted"))
            {
                var data = RawMime.Parts(entity).FirstOrDefault(p => RawMime.ContentTypeOf(p).IsMimeType("application", "octet-stream"))
                    ?? throw new InvalidOperationException("The multipart/encrypted has no application/octet-stream part.");
                File.WriteAllBytes(step + ".asc", RawMime.Body(data));
                run = Invoke(["--output", step, "--decrypt", step + ".asc"]);
                if (!StatusOf(run).Contains("DECRYPTION_OKAY"))
                {
                    run.OrThrow();
                    throw new InvalidOperationException($"gpg decrypted nothing:{Environment.NewLine}{run.Errors}");
                }

                entity = RawMime.ToCrlf(File.ReadAllBytes(step));
            }
            else if (type.IsMimeType("multipart", "signed"))
            {
                var parts = RawMime.Parts(entity);
                File.WriteAllBytes(step, parts[0]);
                File.WriteAllBytes(step + ".sig", RawMime.Body(parts[1]));
                run = Invoke(["--verify", step + ".sig", step]);
                entity = parts[0];
            }
            else
            {
                return new PgpReading(RawMime.Utf8(entity), layers, status, diagnostics.ToString());
            }

            layers.Add(type.MimeType);
            status.AddRange(StatusOf(run));
            diagnostics.Append(run.Errors);
        }
    });

    /// <summary>gpg's listing of the packets of OpenPGP data (armored or binary); what it can decrypt, it lists inside too.</summary>
    public string ListPackets(byte[] data) => Tool.InScratch(folder =>
    {
        File.WriteAllBytes(Path.Combine(folder, "data"), data);
        return Invoke(["--list-packets", Path.Combine(folder, "data")]).OutputText;
    });

    /// <summary>The packets inside the encryption of an OpenPGP message (gpg --unwrap): what was signed, and the signature.</summary>
    public byte[] Unwrap(byte[] data) => Tool.InScratch(folder =>
    {
        File.WriteAllBytes(Path.Combine(folder, "data"), data);
        Run(["--output", Path.Combine(folder, "inner"), "--decrypt", "--unwrap", Path.Combine(folder, "data")]);
        return File.ReadAllBytes(Path.Combine(folder, "inner"));
    });

    /// <summary>gpg's colon listing of the keys in an armored file, without importing them.</summary>
    public IReadOnlyList<string> ShowKeys(string armoredFile) =>
        Invoke(["--with-colons", "--show-keys", armoredFile]).OrThrow().OutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    internal IReadOnlyList<string> Run(string[] arguments) => StatusOf(Invoke(arguments).OrThrow());

    // Loopback pinentry with the passphrase on the command line, no network (no WKD look-up of an unknown or expired
    // address) and every key trusted: the tests model a partner's client, not a web of trust.
    private ToolRun Invoke(string[] arguments) => Tool.Run("gpg",
    [
        "--homedir", Home, "--batch", "--yes", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", passphrase,
        "--trust-model", "always", "--disable-dirmngr", "--digest-algo", "SHA256", "--status-fd", "2", .. clock, .. arguments,
    ]);

    private static List<string> StatusOf(ToolRun run) =>
        run.Errors.Split('\n')
            .Where(line => line.StartsWith("[GNUPG:] ", StringComparison.Ordinal))
            .Select(line => line["[GNUPG:] ".Length..].TrimEnd('\r'))
            .ToList();

    // The last part of both RFC 3156 shapes: armored OpenPGP data, then the closing delimiter.
    private static string ArmoredPart(string boundary, string type, string file, string description, string disposition, string armored) => $"""
        --{boundary}
        Content-Type: {type}; name="{file}"
        Content-Description: {description}
        Content-Disposition: {disposition}; filename="{file}"

        {armored.TrimEnd()}
        --{boundary}--

        """;

    private static string Boundary() => $"=_ncp_{Guid.NewGuid():N}";
}

/// <summary>What gpg made of a mail: the innermost entity, the layers taken off (outermost first) and the status lines.</summary>
public sealed record PgpReading(string Content, IReadOnlyList<string> Layers, IReadOnlyList<string> Status, string Diagnostics)
{
    public bool DecryptionOkay => Status.Contains("DECRYPTION_OKAY");

    public bool GoodSignature => Status.Any(s => s.StartsWith("GOODSIG ", StringComparison.Ordinal));

    // VALIDSIG ends with the primary key's fingerprint, whichever of its keys made the signature.
    public string? SignerFingerprint => Status.Select(s => s.Split(' ')).FirstOrDefault(f => f[0] == "VALIDSIG")?[^1];
}
