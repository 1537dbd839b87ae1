using System.Globalization;
using System.Text;

namespace Ncp.Tests.Fixtures.Crypto;

/// <summary>
/// S/MIME mail made and read by `openssl cms` (openssl 3.0), as a partner's mail client would. Certificates and keys
/// are PEM file paths (see <see cref="SmimeIdentity"/>); inner entities are MIME text such as
/// <c>"Content-Type: text/plain; charset=utf-8\r\n\r\nHello"</c>. <c>cms</c> rather than <c>smime</c> throughout,
/// because only <c>cms</c> reads every layer a gateway may produce (AES-GCM auth-enveloped data among them).
/// </summary>
public static class OpenSslMail
{
    /// <summary>
    /// Signed inside encrypted, as Outlook sends: enveloped-data holding opaque signed-data, or multipart/signed when
    /// <paramref name="detached"/>. <paramref name="headers"/> add to or replace From, To, Subject, Date and Message-ID.
    /// <paramref name="cipher"/> is openssl's name; an AEAD one (<c>aes-256-gcm</c>) makes authEnveloped-data (RFC 5083).
    /// <paramref name="digest"/> is the hash signed over (openssl's <c>-md</c>).
    /// </summary>
    public static byte[] SignThenEncrypt(
        string innerEntity, string from, string to, string subject, string signerCertPem, string signerKeyPem, string recipientCertPem,
        bool detached = false, IReadOnlyDictionary<string, string>? headers = null, string cipher = "aes-256-cbc", string digest = "sha256") =>
        SignThenEncrypt(Encoding.UTF8.GetBytes(innerEntity), from, to, subject, signerCertPem, signerKeyPem, recipientCertPem, detached, headers, cipher,
            digest);

    /// <summary>The same of an inner entity given as bytes (raw 8-bit header text in a legacy charset, say).</summary>
    public static byte[] SignThenEncrypt(
        byte[] innerEntity, string from, string to, string subject, string signerCertPem, string signerKeyPem, string recipientCertPem,
        bool detached = false, IReadOnlyDictionary<string, string>? headers = null, string cipher = "aes-256-cbc", string digest = "sha256") =>
        Make(from, to, subject, headers, folder =>
            Encrypt(folder, Sign(folder, RawMime.ToCrlf(innerEntity), signerCertPem, signerKeyPem, detached, digest), recipientCertPem, cipher));

    /// <summary>
    /// The bare CMS (DER, no MIME) that <c>openssl cms -encrypt</c> makes of <paramref name="content"/>, with
    /// <paramref name="options"/> such as <c>-keyopt rsa_padding_mode:oaep</c> after the recipient.
    /// </summary>
    public static byte[] EncryptToDer(byte[] content, string cipher, string recipientCertPem, params string[] options) =>
        Tool.InScratch(folder =>
        {
            var (input, output) = Files(folder, content);
            OpenSsl(["-encrypt", $"-{cipher}", "-in", input, "-out", output, "-outform", "DER", "-recip", recipientCertPem, .. options])
                .OrThrow();
            return File.ReadAllBytes(output);
        });

    /// <summary>
    /// CMS EncryptedData (RFC 5652 8) under a shared key, with no recipient: what a "password-protected" mail holds, and a
    /// form the gateway cannot read.
    /// </summary>
    public static byte[] EncryptWithSharedKeyToDer(byte[] content) => Tool.InScratch(folder =>
    {
        var (input, output) = Files(folder, content);
        const string key = "000102030405060708090A0B0C0D0E0F";
        OpenSsl("-EncryptedData_encrypt", "-aes-128-cbc", "-secretkey", key, "-in", input, "-outform", "DER", "-out", output).OrThrow();
        return File.ReadAllBytes(output);
    });

    /// <summary>An application/pkcs7-mime entity around CMS <paramref name="der"/>, with the smime-type given (none when null).</summary>
    public static string Pkcs7Entity(string? smimeType, byte[] der) =>
        $"Content-Type: application/pkcs7-mime; name=smime.p7m{(smimeType is null ? "" : $"; smime-type={smimeType}")}\r\n"
        + $"Content-Transfer-Encoding: base64\r\n\r\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)}\r\n";

    /// <summary>application/pkcs7-mime; smime-type=signed-data.</summary>
    public static byte[] SignOpaque(
        string innerEntity, string from, string to, string subject, string signerCertPem, string signerKeyPem,
        IReadOnlyDictionary<string, string>? headers = null) =>
        Make(from, to, subject, headers, folder => Sign(folder, RawMime.ToCrlf(innerEntity), signerCertPem, signerKeyPem, detached: false));

    /// <summary>multipart/signed with an application/pkcs7-signature part.</summary>
    public static byte[] SignDetached(
        string innerEntity, string from, string to, string subject, string signerCertPem, string signerKeyPem,
        IReadOnlyDictionary<string, string>? headers = null) =>
        Make(from, to, subject, headers, folder => Sign(folder, RawMime.ToCrlf(innerEntity), signerCertPem, signerKeyPem, detached: true));

    /// <summary>application/pkcs7-mime; smime-type=enveloped-data, unsigned.</summary>
    public static byte[] EncryptOnly(
        string innerEntity, string from, string to, string subject, string recipientCertPem, IReadOnlyDictionary<string, string>? headers = null) =>
        Make(from, to, subject, headers, folder => Encrypt(folder, RawMime.ToCrlf(innerEntity), recipientCertPem));

    /// <summary>Encrypted inside signed: the enveloped-data entity signed opaquely, or as multipart/signed when <paramref name="detached"/>.</summary>
    public static byte[] EncryptThenSign(
        string innerEntity, string from, string to, string subject, string signerCertPem, string signerKeyPem, string recipientCertPem,
        bool detached = false, IReadOnlyDictionary<string, string>? headers = null) =>
        Make(from, to, subject, headers, folder =>
            Sign(folder, Encrypt(folder, RawMime.ToCrlf(innerEntity), recipientCertPem), signerCertPem, signerKeyPem, detached));

    /// <summary>
    /// Takes a complete S/MIME mail apart layer by layer, as a receiving client does: enveloped data is decrypted with the
    /// recipient's key, signatures (opaque or multipart/signed) are verified against <paramref name="caPem"/> with the
    /// S/MIME signing purpose. Throws when a layer cannot be decrypted; a signature that fails is reported, not thrown.
    /// </summary>
    public static SmimeReading DecryptAndVerify(byte[] mail, string recipientCertPem, string recipientKeyPem, string caPem) =>
        Tool.InScratch(folder =>
        {
            var entity = mail;
            var layers = new List<string>();
            var diagnostics = new StringBuilder();
            var verified = true;
            string? signer = null;
            while (true)
            {
                var input = Path.Combine(folder, $"{layers.Count}.eml");
                var output = Path.Combine(folder, $"{layers.Count}.out");
                File.WriteAllBytes(input, entity);
                var layer = LayerOf(entity, input);
                if (layer is null)
                {
                    var signed = layers.Exists(l => l is "signed-data" or "multipart/signed");
                    return new SmimeReading(RawMime.Utf8(entity), layers, signed && verified, signer, diagnostics.ToString());
                }

                if (layer.EndsWith("enveloped-data", StringComparison.Ordinal))
                {
                    OpenSsl("-decrypt", "-in", input, "-recip", recipientCertPem, "-inkey", recipientKeyPem, "-out", output).OrThrow();
                }
                else
                {
                    var signerFile = Path.Combine(folder, $"{layers.Count}.signer.pem");
                    var check = OpenSsl("-verify", "-in", input, "-CAfile", caPem, "-purpose", "smimesign", "-signer", signerFile, "-out", output);
                    diagnostics.Append(check.Errors);
                    // openssl writes no content when verification fails; -noverify -nosigs takes it out regardless.
                    var ok = check.ExitCode == 0 && check.Errors.Contains("Verification successful", StringComparison.Ordinal);
                    if (!ok)
                    {
                        OpenSsl("-verify", "-noverify", "-nosigs", "-in", input, "-signer", signerFile, "-out", output).OrThrow();
                    }

                    verified &= ok;
                    signer = File.Exists(signerFile) ? File.ReadAllText(signerFile) : signer;
                }

                layers.Add(layer);
                entity = File.ReadAllBytes(output);
            }
        });

    /// <summary>openssl's print-out of the outermost CMS structure of an S/MIME mail: its algorithms and recipients, by name.</summary>
    public static string Structure(byte[] mail) =>
        Tool.InScratch(folder =>
        {
            var input = Path.Combine(folder, "mail.eml");
            File.WriteAllBytes(input, mail);
            return OpenSsl("-cmsout", "-print", "-noout", "-in", input).OrThrow().OutputText;
        });

    // The layer's name: the smime-type of application/pkcs7-mime (asked of openssl when a sender left it out), or
    // multipart/signed; null for content that is neither.
    private static string? LayerOf(byte[] entity, string file)
    {
        var type = RawMime.ContentTypeOf(entity);
        if (type.IsMimeType("multipart", "signed"))
        {
            return "multipart/signed";
        }

        if (!type.IsMimeType("application", "pkcs7-mime") && !type.IsMimeType("application", "x-pkcs7-mime"))
        {
            return null;
        }

        if (type.Parameters["smime-type"] is { Length: > 0 } smimeType)
        {
            return smimeType.ToLowerInvariant();
        }

        var printed = OpenSsl("-cmsout", "-print", "-noout", "-in", file).OrThrow().OutputText;
        return printed.Contains("pkcs7-envelopedData", StringComparison.Ordinal) ? "enveloped-data"
            : printed.Contains("id-smime-ct-authEnvelopedData", StringComparison.Ordinal) ? "authenveloped-data"
            : "signed-data";
    }

    private static byte[] Make(
        string from, string to, string subject, IReadOnlyDictionary<string, string>? headers, Func<string, byte[]> entity) =>
        RawMime.Message(from, to, subject, headers, Tool.InScratch(entity));

    private static byte[] Sign(string folder, byte[] entity, string certPem, string keyPem, bool detached, string digest = "sha256")
    {
        var (input, output) = Files(folder, entity);
        string[] mode = detached ? [] : ["-nodetach"];
        OpenSsl(["-sign", .. mode, "-md", digest, "-signer", certPem, "-inkey", keyPem, "-in", input, "-out", output, "-crlfeol"]).OrThrow();
        return RawMime.ToCrlf(File.ReadAllBytes(output));
    }

    private static byte[] Encrypt(string folder, byte[] entity, string recipientCertPem, string cipher = "aes-256-cbc")
    {
        var (input, output) = Files(folder, entity);
        OpenSsl("-encrypt", $"-{cipher}", "-in", input, "-out", output, "-crlfeol", recipientCertPem).OrThrow();
        return RawMime.ToCrlf(File.ReadAllBytes(output));
    }

    private static (string Input, string Output) Files(string folder, byte[] entity)
    {
        var n = Directory.GetFiles(folder).Length.ToString(CultureInfo.InvariantCulture);
        var input = Path.Combine(folder, $"{n}.in");
        File.WriteAllBytes(input, entity);
        return (input, Path.Combine(folder, $"{n}.out"));
    }

    // -crlfeol only makes openssl end its header lines with CRLF; base64 bodies still end in bare LF, hence ToCrlf.
    private static ToolRun OpenSsl(params string[] arguments) => Tool.Run("openssl", ["cms", .. arguments]);
}

/// <summary>
/// What openssl made of a mail: the innermost entity, the layers taken off (outermost first: "enveloped-data",
/// "signed-data", "multipart/signed"), whether there was a signature and every one verified, the last signer's
/// certificate as PEM, and openssl's messages.
/// </summary>
public sealed record SmimeReading(string Content, IReadOnlyList<string> Layers, bool Verified, string? SignerCertPem, string Diagnostics);
