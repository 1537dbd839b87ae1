using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// Writes our signed-and-encrypted OpenPGP mail (RFC 3156 PGP/MIME around RFC 4880 version 4 packets, which RFC 9580
/// keeps) with .NET's AES, SHA and RSA, all OpenSSL underneath; BouncyCastle is used only for Curve25519 arithmetic.
/// Why: MimeKit's <see cref="OpenPgpContext"/> does the public-key step to a partner's RSA key with BouncyCastle's
/// BigInteger arithmetic, which with our Curve25519 work and the compression it always applies made an OpenPGP mail
/// cost several times an S/MIME one. The keys partners use most (RSA, and Curve25519 as gpg makes by default) are
/// written here; any other kind (NIST or Brainpool curves, ElGamal, version 6 keys) still goes through MimeKit.
/// What it writes: a public-key encrypted session key per recipient, then one symmetrically encrypted and integrity
/// protected packet (AES-256, modification detection code) holding, compressed, a one-pass signature, the literal data
/// (the MIME entity) and the signature (SHA-256).
/// </summary>
public static class NativeOpenPgp
{
    private const byte Aes256 = (byte)SymmetricKeyAlgorithmTag.Aes256;
    private const byte Sha256 = (byte)HashAlgorithmTag.Sha256;
    private const byte RsaGeneral = 1;
    private const byte RsaEncryptOnly = 2;
    private const byte Ecdh = 18;
    private const byte EdDsaLegacy = 22;

    // The curves as OpenPGP names them (RFC 9580 9.2): legacy Ed25519 for signing, Curve25519 for ECDH.
    private const string Ed25519Oid = "1.3.6.1.4.1.11591.15.1";
    private const string Curve25519Oid = "1.3.6.1.4.1.3029.1.5.1";

    private static readonly ConditionalWeakTable<PgpSecretKey, StrongBox<Signer?>> Signers = new();
    private static readonly ConditionalWeakTable<PgpPublicKey, StrongBox<Recipient?>> Recipients = new();
    private static readonly byte[] AnonymousSender = "Anonymous Sender    "u8.ToArray();

    /// <summary>Our signing key, ready for native use; <c>null</c> when its kind is not one written here.</summary>
    public static Signer? SignerFor(PgpSecretKey key, string passphrase) =>
        Signers.GetValue(key, k => new StrongBox<Signer?>(Signer.From(k, passphrase))).Value;

    /// <summary>
    /// A recipient's encryption key (<paramref name="key"/>, of the key whose primary is <paramref name="primary"/>), ready
    /// for native use; <c>null</c> when its kind is not one written here.
    /// </summary>
    public static Recipient? RecipientFor(PgpPublicKey primary, PgpPublicKey key) =>
        Recipients.GetValue(key, k => new StrongBox<Recipient?>(Recipient.From(k, primary.GetFingerprint()))).Value;

    /// <summary>The entity signed and encrypted to every recipient, as the two-part multipart/encrypted of RFC 3156.</summary>
    public static MultipartEncrypted SignAndEncrypt(MimeEntity entity, Signer signer, IReadOnlyList<Recipient> recipients, DateTimeOffset now)
    {
        // What is signed is the entity as it will be read: seven-bit clean and with CRLF line ends (RFC 3156, section 3).
        entity.Prepare(EncodingConstraint.SevenBit, 78);
        using var content = new MemoryStream();
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        entity.WriteTo(options, content);

        var armored = Armor(Message(content.GetBuffer().AsSpan(0, (int)content.Length), signer, recipients, now));
        var encrypted = new MultipartEncrypted();
        encrypted.ContentType.Parameters["protocol"] = "application/pgp-encrypted";
        var version = new ApplicationPgpEncrypted();
        version.Headers[HeaderId.ContentDescription] = "PGP/MIME version identification";
        encrypted.Add(version);
        encrypted.Add(new MimePart("application", "octet-stream")
        {
            FileName = "encrypted.asc",
            ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = "encrypted.asc" },
            ContentDescription = "OpenPGP encrypted message",
            ContentTransferEncoding = ContentEncoding.SevenBit,
            Content = new MimeContent(new MemoryStream(armored, writable: false)),
        });
        return encrypted;
    }

    /// <summary>The binary OpenPGP message: a session key packet per recipient, then the encrypted, signed literal data.</summary>
    public static byte[] Message(ReadOnlySpan<byte> content, Signer signer, IReadOnlyList<Recipient> recipients, DateTimeOffset now)
    {
        Span<byte> sessionKey = stackalloc byte[32];
        Span<byte> keyBlock = stackalloc byte[35];
        RandomNumberGenerator.Fill(sessionKey);
        try
        {
            // RFC 4880 5.1: the cipher, the key, and a two-octet checksum of the key.
            keyBlock[0] = Aes256;
            sessionKey.CopyTo(keyBlock[1..]);
            var sum = 0;
            foreach (var b in sessionKey)
            {
                sum += b;
            }

            BinaryPrimitives.WriteUInt16BigEndian(keyBlock[33..], (ushort)sum);

            var output = new PacketWriter(content.Length + 1024);
            foreach (var recipient in recipients)
            {
                var body = new PacketWriter(600);
                body.Byte(3);
                body.UInt64(recipient.KeyId);
                body.Byte(recipient.Algorithm);
                recipient.WriteEncryptedKey(keyBlock, body);
                output.Packet(1, body.Written);
            }

            output.Packet(18, Encrypted(Compressed(SignedLiteral(content, signer, recipients, now)), sessionKey));
            return output.Written.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
            CryptographicOperations.ZeroMemory(keyBlock);
        }
    }

    // One-pass signature, literal data, signature (RFC 4880 11.3): a reader verifies while it reads.
    private static byte[] SignedLiteral(ReadOnlySpan<byte> content, Signer signer, IReadOnlyList<Recipient> recipients, DateTimeOffset now)
    {
        var created = (uint)now.ToUnixTimeSeconds();

        // Signed subpackets: creation time (2), issuer fingerprint (33) and each intended recipient's fingerprint (35, RFC
        // 9580 5.2.3.36), so that a partner who forwards our signed text encrypted to someone else cannot pass it off as
        // ours to them; unsigned: issuer key id (16), for old readers.
        var intended = recipients.Select(r => r.PrimaryFingerprint).DistinctBy(Convert.ToHexString).ToArray();
        var hashed = new PacketWriter(64 + 23 * intended.Length);
        hashed.Byte(4);
        hashed.Byte(0x00); // a signature of a binary document
        hashed.Byte(signer.Algorithm);
        hashed.Byte(Sha256);
        hashed.UInt16(6 + 23 + 23 * intended.Length);
        hashed.Byte(5);
        hashed.Byte(2);
        hashed.UInt32(created);
        hashed.Byte(22);
        hashed.Byte(33);
        hashed.Byte(4);
        hashed.Bytes(signer.Fingerprint);
        foreach (var fingerprint in intended)
        {
            hashed.Byte(22);
            hashed.Byte(35);
            hashed.Byte(4);
            hashed.Bytes(fingerprint);
        }

        Span<byte> trailer = stackalloc byte[6];
        trailer[0] = 4;
        trailer[1] = 0xFF;
        BinaryPrimitives.WriteUInt32BigEndian(trailer[2..], (uint)hashed.Written.Length);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(content);
        sha.AppendData(hashed.Written);
        sha.AppendData(trailer);
        Span<byte> digest = stackalloc byte[32];
        sha.GetHashAndReset(digest);

        var signature = new PacketWriter(600);
        signature.Bytes(hashed.Written);
        signature.UInt16(10);
        signature.Byte(9);
        signature.Byte(16);
        signature.UInt64(signer.KeyId);
        signature.Bytes(digest[..2]);
        signer.WriteSignature(digest, signature);

        var onePass = new PacketWriter(16);
        onePass.Byte(3);
        onePass.Byte(0x00);
        onePass.Byte(Sha256);
        onePass.Byte(signer.Algorithm);
        onePass.UInt64(signer.KeyId);
        onePass.Byte(1); // not nested: the signature that follows is the only one

        var literal = new PacketWriter(content.Length + 8);
        literal.Byte((byte)'b');
        literal.Byte(0); // no file name
        literal.UInt32(created);
        literal.Bytes(content);

        var inner = new PacketWriter(content.Length + 700);
        inner.Packet(4, onePass.Written);
        inner.Packet(11, literal.Written);
        inner.Packet(2, signature.Written);
        return inner.Written.ToArray();
    }

    // A compressed data packet (RFC 4880 5.6) around the signed literal, as gpg and MimeKit send: a letter's text and
    // base64 halve, and every later step (armor, SMTP, the ledger, the Sent copy) handles fewer octets.
    private static byte[] Compressed(byte[] packets)
    {
        using var body = new MemoryStream(packets.Length / 2 + 64);
        body.WriteByte(1); // ZIP: raw deflate (RFC 1951)
        using (var deflate = new DeflateStream(body, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(packets);
        }

        var packet = new PacketWriter((int)body.Length + 6);
        packet.Packet(8, body.GetBuffer().AsSpan(0, (int)body.Length));
        return packet.Written.ToArray();
    }

    // Symmetrically encrypted integrity protected data, version 1 (RFC 4880 5.13): AES-256 in CFB mode with a zero IV
    // over a random block (its last two octets repeated), the packets, and a SHA-1 modification detection code.
    private static byte[] Encrypted(byte[] inner, ReadOnlySpan<byte> sessionKey)
    {
        var plainLength = 18 + inner.Length + 22;
        var padded = new byte[(plainLength + 15) / 16 * 16];
        RandomNumberGenerator.Fill(padded.AsSpan(0, 16));
        padded[16] = padded[14];
        padded[17] = padded[15];
        inner.CopyTo(padded, 18);
        padded[18 + inner.Length] = 0xD3;
        padded[19 + inner.Length] = 0x14;
        SHA1.HashData(padded.AsSpan(0, 20 + inner.Length), padded.AsSpan(20 + inner.Length, 20));

        using var aes = Aes.Create();
        aes.SetKey(sessionKey); // no copy of the session key left behind on the heap
        var cipher = aes.EncryptCfb(padded, new byte[16], PaddingMode.None, 128);
        CryptographicOperations.ZeroMemory(padded);

        // CFB is a stream mode: the zeros added to fill the last block are cut off again.
        var body = new byte[1 + plainLength];
        body[0] = 1;
        cipher.AsSpan(0, plainLength).CopyTo(body.AsSpan(1));
        return body;
    }

    // ASCII armor (RFC 4880 6.2) with its CRC-24, which older readers still insist on.
    private static byte[] Armor(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> head = "-----BEGIN PGP MESSAGE-----\n\n"u8;
        ReadOnlySpan<byte> tail = "-----END PGP MESSAGE-----\n"u8;
        const int perLine = 48; // octets per line of 64 characters
        var lines = (data.Length + perLine - 1) / perLine;
        var output = new byte[head.Length + ((data.Length + 2) / 3 * 4) + lines + 6 + tail.Length];
        head.CopyTo(output);
        var at = head.Length;
        for (var i = 0; i < data.Length; i += perLine)
        {
            System.Buffers.Text.Base64.EncodeToUtf8(data.Slice(i, Math.Min(perLine, data.Length - i)), output.AsSpan(at), out _, out var written);
            at += written;
            output[at++] = (byte)'\n';
        }

        var crc = 0xB704CEu;
        foreach (var b in data)
        {
            crc = ((crc << 8) ^ Crc24Table[(int)(((crc >> 16) ^ b) & 0xFF)]) & 0xFFFFFF;
        }

        output[at++] = (byte)'=';
        System.Buffers.Text.Base64.EncodeToUtf8([(byte)(crc >> 16), (byte)(crc >> 8), (byte)crc], output.AsSpan(at), out _, out var crcWritten);
        at += crcWritten;
        output[at++] = (byte)'\n';
        tail.CopyTo(output.AsSpan(at));
        return output;
    }

    // CRC-24 (RFC 4880 6.1), a byte at a time.
    private static readonly uint[] Crc24Table = Enumerable.Range(0, 256).Select(i =>
    {
        var crc = (uint)i << 16;
        for (var bit = 0; bit < 8; bit++)
        {
            crc <<= 1;
            if ((crc & 0x1000000) != 0)
            {
                crc ^= 0x1864CFB;
            }
        }

        return crc & 0xFFFFFF;
    }).ToArray();

    /// <summary>Our OpenPGP signing key, unlocked once: RSA through .NET, Ed25519 (gpg's default) through BouncyCastle.</summary>
    public abstract class Signer
    {
        private protected Signer(PgpPublicKey key)
        {
            KeyId = (ulong)key.KeyId;
            Algorithm = (byte)key.Algorithm;
            Fingerprint = key.GetFingerprint();
        }

        internal ulong KeyId { get; }

        internal byte Algorithm { get; }

        internal byte[] Fingerprint { get; }

        internal abstract void WriteSignature(ReadOnlySpan<byte> digest, PacketWriter into);

        internal static Signer? From(PgpSecretKey secret, string passphrase)
        {
            var key = secret.PublicKey;
            if (key.Version != 4 || secret.IsPrivateKeyEmpty)
            {
                return null;
            }

            var algorithm = (byte)key.Algorithm;
            var oid = (key.PublicKeyPacket.Key as ECPublicBcpgKey)?.CurveOid;
            var characters = passphrase.ToCharArray();
            try
            {
                return (algorithm, secret.ExtractPrivateKey(characters).Key) switch
                {
                    (RsaGeneral, RsaPrivateCrtKeyParameters rsa) => new RsaSigner(key, rsa),
                    (EdDsaLegacy, Ed25519PrivateKeyParameters ed) when oid?.Id == Ed25519Oid => new Ed25519Signer(key, ed),
                    _ => null,
                };
            }
            finally
            {
                Array.Clear(characters);
            }
        }
    }

    /// <summary>A recipient's encryption key: RSA through .NET, Curve25519 (gpg's default) through BouncyCastle.</summary>
    public abstract class Recipient
    {
        private protected Recipient(PgpPublicKey key, byte[] primaryFingerprint)
        {
            KeyId = (ulong)key.KeyId;
            Algorithm = (byte)key.Algorithm;
            PrimaryFingerprint = primaryFingerprint;
        }

        internal ulong KeyId { get; }

        internal byte Algorithm { get; }

        internal byte[] PrimaryFingerprint { get; }

        internal abstract void WriteEncryptedKey(ReadOnlySpan<byte> keyBlock, PacketWriter into);

        internal static Recipient? From(PgpPublicKey key, byte[] primaryFingerprint)
        {
            if (key.Version != 4 || primaryFingerprint.Length != 20)
            {
                return null;
            }

            return key.PublicKeyPacket.Key switch
            {
                RsaPublicBcpgKey rsa when (byte)key.Algorithm is RsaGeneral or RsaEncryptOnly => new RsaRecipient(key, primaryFingerprint, rsa),
                ECDHPublicBcpgKey ecdh when (byte)key.Algorithm == Ecdh && ecdh.CurveOid.Id == Curve25519Oid
                    && KdfHash(ecdh.HashAlgorithm) is not null && KekLength(ecdh.SymmetricKeyAlgorithm) > 0
                    => new X25519Recipient(key, primaryFingerprint, ecdh),
                _ => null,
            };
        }
    }

    private sealed class RsaSigner : Signer
    {
        private readonly RSA rsa;

        public RsaSigner(PgpPublicKey key, RsaPrivateCrtKeyParameters p)
            : base(key)
        {
            var n = p.Modulus.ToByteArrayUnsigned();
            var half = (n.Length + 1) / 2;
            var parameters = new RSAParameters
            {
                Modulus = n,
                Exponent = p.PublicExponent.ToByteArrayUnsigned(),
                D = Fixed(p.Exponent.ToByteArrayUnsigned(), n.Length),
                P = Fixed(p.P.ToByteArrayUnsigned(), half),
                Q = Fixed(p.Q.ToByteArrayUnsigned(), half),
                DP = Fixed(p.DP.ToByteArrayUnsigned(), half),
                DQ = Fixed(p.DQ.ToByteArrayUnsigned(), half),
                InverseQ = Fixed(p.QInv.ToByteArrayUnsigned(), half),
            };
            rsa = RSA.Create(parameters);

            // OpenSSL holds its own copy now; the private parts left in these arrays would linger on the heap until reused.
            foreach (var secret in new[] { parameters.D, parameters.P, parameters.Q, parameters.DP, parameters.DQ, parameters.InverseQ })
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }

        internal override void WriteSignature(ReadOnlySpan<byte> digest, PacketWriter into) =>
            into.Mpi(rsa.SignHash(digest.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        // .NET wants the private parts at their full width, leading zeros kept.
        private static byte[] Fixed(byte[] value, int length)
        {
            if (value.Length >= length)
            {
                return value;
            }

            var wide = new byte[length];
            value.CopyTo(wide, length - value.Length);
            CryptographicOperations.ZeroMemory(value);
            return wide;
        }
    }

    private sealed class Ed25519Signer(PgpPublicKey key, Ed25519PrivateKeyParameters secret) : Signer(key)
    {
        // Legacy EdDSA in OpenPGP signs the digest, and writes R and S as two numbers.
        internal override void WriteSignature(ReadOnlySpan<byte> digest, PacketWriter into)
        {
            var signature = new byte[Ed25519.SignatureSize];
            secret.Sign(Ed25519.Algorithm.Ed25519, null, digest.ToArray(), 0, digest.Length, signature, 0);
            into.Mpi(signature.AsSpan(0, 32));
            into.Mpi(signature.AsSpan(32, 32));
        }
    }

    private sealed class RsaRecipient : Recipient
    {
        private readonly RSA rsa;

        public RsaRecipient(PgpPublicKey key, byte[] primaryFingerprint, RsaPublicBcpgKey p)
            : base(key, primaryFingerprint) =>
            rsa = RSA.Create(new RSAParameters { Modulus = p.Modulus.ToByteArrayUnsigned(), Exponent = p.PublicExponent.ToByteArrayUnsigned() });

        internal override void WriteEncryptedKey(ReadOnlySpan<byte> keyBlock, PacketWriter into) =>
            into.Mpi(rsa.Encrypt(keyBlock, RSAEncryptionPadding.Pkcs1)); // from the span: no copy of the session key made
    }

    // ECDH on Curve25519 as RFC 6637 and gpg do it: an ephemeral key agreed with the recipient's, a key-encryption key
    // derived from the shared secret and the recipient's fingerprint, and the session key wrapped with AES (RFC 3394).
    private sealed class X25519Recipient : Recipient
    {
        private readonly byte[] point;
        private readonly byte[] kdfParameters;
        private readonly HashAlgorithmName hash;
        private readonly int kekLength;

        public X25519Recipient(PgpPublicKey key, byte[] primaryFingerprint, ECDHPublicBcpgKey ecdh)
            : base(key, primaryFingerprint)
        {
            var encoded = ecdh.EncodedPoint.ToByteArrayUnsigned();
            if (encoded.Length != 33 || encoded[0] != 0x40)
            {
                throw new PgpException($"The Curve25519 key {key.KeyId:X16} is not in the native form (0x40 and 32 octets).");
            }

            point = encoded[1..];
            hash = KdfHash(ecdh.HashAlgorithm)!.Value;
            kekLength = KekLength(ecdh.SymmetricKeyAlgorithm);
            var oid = ecdh.CurveOid.GetEncoded()[1..]; // the length octet and the identifier, without the DER tag
            var parameters = new PacketWriter(64);
            parameters.Bytes(oid);
            parameters.Byte(Ecdh);
            parameters.Byte(3);
            parameters.Byte(1);
            parameters.Byte((byte)ecdh.HashAlgorithm);
            parameters.Byte((byte)ecdh.SymmetricKeyAlgorithm);
            parameters.Bytes(AnonymousSender);
            parameters.Bytes(key.GetFingerprint());
            kdfParameters = parameters.Written.ToArray();
        }

        internal override void WriteEncryptedKey(ReadOnlySpan<byte> keyBlock, PacketWriter into)
        {
            var ephemeral = new byte[X25519.ScalarSize];
            var ephemeralPoint = new byte[X25519.PointSize];
            var shared = new byte[X25519.PointSize];
            RandomNumberGenerator.Fill(ephemeral);
            X25519.GeneratePublicKey(ephemeral, 0, ephemeralPoint, 0);
            if (!X25519.CalculateAgreement(ephemeral, 0, point, 0, shared, 0))
            {
                throw new PgpException($"The Curve25519 key {KeyId:X16} gives no shared secret (a low-order point).");
            }

            // KDF (RFC 6637 7): one round of the hash over a counter of 1, the shared secret and the parameters.
            using var digest = IncrementalHash.CreateHash(hash);
            digest.AppendData([0, 0, 0, 1]);
            digest.AppendData(shared);
            digest.AppendData(kdfParameters);
            Span<byte> derived = stackalloc byte[64];
            var kek = derived[..digest.GetHashAndReset(derived)][..kekLength];

            // The key block padded PKCS#5-style to a multiple of 8 octets, then wrapped.
            var pad = 8 - keyBlock.Length % 8;
            var padded = new byte[keyBlock.Length + pad];
            keyBlock.CopyTo(padded);
            padded.AsSpan(keyBlock.Length).Fill((byte)pad);
            var wrapped = KeyWrap.Wrap(kek, padded);
            CryptographicOperations.ZeroMemory(padded);
            CryptographicOperations.ZeroMemory(ephemeral);
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(derived);

            into.Mpi([0x40, .. ephemeralPoint]);
            into.Byte((byte)wrapped.Length);
            into.Bytes(wrapped);
        }
    }

    private static HashAlgorithmName? KdfHash(HashAlgorithmTag tag) => tag switch
    {
        HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
        HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
        HashAlgorithmTag.Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    private static int KekLength(SymmetricKeyAlgorithmTag tag) => tag switch
    {
        SymmetricKeyAlgorithmTag.Aes128 => 16,
        SymmetricKeyAlgorithmTag.Aes192 => 24,
        SymmetricKeyAlgorithmTag.Aes256 => 32,
        _ => 0,
    };

    /// <summary>AES key wrap (RFC 3394) with the default initial value, as OpenPGP's ECDH uses it.</summary>
    internal static class KeyWrap
    {
        public static byte[] Wrap(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> plain)
        {
            if (plain.Length % 8 != 0 || plain.Length < 16)
            {
                throw new ArgumentException("Key wrap takes a multiple of 8 octets, at least 16.", nameof(plain));
            }

            var n = plain.Length / 8;
            var output = new byte[plain.Length + 8];
            output.AsSpan(0, 8).Fill(0xA6);
            plain.CopyTo(output.AsSpan(8));
            using var aes = Aes.Create();
            aes.SetKey(kek);
            Span<byte> block = stackalloc byte[16];
            for (var j = 0; j < 6; j++)
            {
                for (var i = 1; i <= n; i++)
                {
                    output.AsSpan(0, 8).CopyTo(block);
                    output.AsSpan(i * 8, 8).CopyTo(block[8..]);
                    aes.EncryptEcb(block, block, PaddingMode.None);
                    var t = (ulong)(n * j + i);
                    BinaryPrimitives.WriteUInt64BigEndian(output, BinaryPrimitives.ReadUInt64BigEndian(block) ^ t);
                    block[8..].CopyTo(output.AsSpan(i * 8, 8));
                }
            }

            CryptographicOperations.ZeroMemory(block);
            return output;
        }
    }

    /// <summary>Growing buffer with OpenPGP's encodings: big-endian numbers, MPIs and new-format packet headers.</summary>
    internal sealed class PacketWriter(int capacity)
    {
        private byte[] buffer = new byte[Math.Max(capacity, 16)];
        private int length;

        public ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

        public void Byte(byte value) => Room(1)[0] = value;

        public void UInt16(int value) => BinaryPrimitives.WriteUInt16BigEndian(Room(2), (ushort)value);

        public void UInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Room(4), value);

        public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Room(8), value);

        public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Room(value.Length));

        /// <summary>A multiprecision integer (RFC 4880 3.2): its length in bits, then its octets without leading zeros.</summary>
        public void Mpi(ReadOnlySpan<byte> bigEndian)
        {
            var start = 0;
            while (start < bigEndian.Length && bigEndian[start] == 0)
            {
                start++;
            }

            var value = bigEndian[start..];
            var bits = value.IsEmpty ? 0 : (value.Length - 1) * 8 + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)value[0]));
            UInt16(bits);
            Bytes(value);
        }

        /// <summary>A packet in the new format (RFC 4880 4.2.2) with its body's length given in full.</summary>
        public void Packet(int tag, ReadOnlySpan<byte> body)
        {
            Byte((byte)(0xC0 | tag));
            switch (body.Length)
            {
                case < 192:
                    Byte((byte)body.Length);
                    break;
                case < 8384:
                    Byte((byte)(((body.Length - 192) >> 8) + 192));
                    Byte((byte)(body.Length - 192));
                    break;
                default:
                    Byte(0xFF);
                    UInt32((uint)body.Length);
                    break;
            }

            Bytes(body);
        }

        private Span<byte> Room(int count)
        {
            if (length + count > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + count));
            }

            var room = buffer.AsSpan(length, count);
            length += count;
            return room;
        }
    }
}
