using System.Buffers.Binary;
using System.Text;
using Ncp.Tests.Fixtures;
using Ncp.Tests.Fixtures.Crypto;

namespace Ncp.Tests.Worker.Mail.Incoming;

/// <summary>
/// Mail no one here made, with what hostile or careless senders put in it, reaches the gateway together with a good mail
/// in one fetch: the bad one is stored and judged on its own, and the good one behind it arrives on the Api.
/// </summary>
[Collection(NcpCollection.Name)]
public sealed class PoisonMailTests(NcpSystem ncp)
{
    private const string Inner = "Content-Type: text/plain; charset=utf-8\r\n\r\nHello from a partner.";

    private static TestPki Pki => MailGateway.Pki;

    // The shape, and the reason it is held for (null: read, and delivered or held for what it is, such as a bad signature).
    public static TheoryData<string, string?> Shapes() => new()
    {
        { "nul-in-subject", null },
        { "nul-in-from-name", null },
        { "invalid-bytes-in-headers", null },
        { "control-in-message-id", null },
        { "megabyte-header", "too-large" },
        { "broken-encodings", null },
        { "zip64-overflow", null },
        { "smime-compression-bomb", "too-large" },
        { "smime-compressed-twice", "too-deep" },
        { "openpgp-compression-bomb", "too-large" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task A_hostile_mail_is_stored_and_judged_alone_and_the_good_mail_beside_it_arrives(string shape, string? heldFor)
    {
        await ncp.PartnerAsync("fr");
        await ncp.PartnerAsync("de");
        var marker = $"poison-{Guid.NewGuid():N}";
        var good = $"good-{Guid.NewGuid():N}@partner.example";

        // Its own words: the same signed content twice (rows signed in the same second) would be held as a replay.
        await ncp.AppendRawAsync(Poison(shape, marker), Signed($"{Inner} {good}", "A good mail", new() { ["Message-ID"] = $"<{good}>" }));

        var arrived = await ncp.OutcomeAsync(good);
        Assert.True(arrived.Status == "delivered", $"{arrived.Status} {arrived.Reason}: {arrived.Detail}");
        await ncp.RecordedByApiAsync(arrived.Id);
        var poison = await NcpSystem.EventuallyAsync(
            () => ncp.QueryRowsAsync(
                $"select id, status, reason, detail from {ncp.WorkerSchema}.inbound_mail where position(convert_to(@marker, 'UTF8') in raw) > 0", ("marker", marker)),
            rows => rows is [[_, string status, ..]] && status != "new",
            TimeSpan.FromSeconds(60));
        var (id, status, reason) = ((Guid)poison[0][0]!, (string)poison[0][1]!, poison[0][2] as string);
        Assert.True(status is "delivered" or "quarantined", $"{status} {reason}: {poison[0][3]}");
        Assert.NotEqual("unprocessable", reason);
        if (heldFor is not null)
        {
            Assert.True(status == "quarantined" && reason == heldFor, $"{status} {reason}: {poison[0][3]}");
        }

        if (status == "delivered")
        {
            await ncp.RecordedByApiAsync(id);
        }
    }

    [Fact]
    public async Task A_mail_that_stopped_the_gateway_each_time_it_was_opened_is_held_as_unprocessable()
    {
        await ncp.PartnerAsync("de");
        var messageId = $"crashed-us-{Guid.NewGuid():N}@partner.example";
        var raw = Signed(Inner, "Stopped the gateway", new() { ["Message-ID"] = $"<{messageId}>" });
        // As left by three Workers that died while opening it: claimed three times, never judged.
        await ncp.QueryAsync<int>(
            $"""
            insert into {ncp.WorkerSchema}.inbound_mail (id, folder, uid_validity, uid, message_id, raw, size, received_at, status, attempts)
            values (@id, 'crashed', 1, 1, @messageId, @raw, @size, now(), 'new', 3)
            """,
            ("id", Guid.CreateVersion7()), ("messageId", messageId), ("raw", raw), ("size", raw.Length));

        var outcome = await ncp.OutcomeAsync(messageId);

        Assert.True(outcome is { Status: "quarantined", Reason: "unprocessable" }, $"{outcome.Status} {outcome.Reason}: {outcome.Detail}");
        Assert.Contains("3 attempts", outcome.Detail, StringComparison.Ordinal);
        await NcpSystem.EventuallyAsync(
            () => ncp.ClientFor("duty").GetJsonAsync("/api/quarantine"),
            list => list.GetProperty("mail").EnumerateArray().Any(m => m.Str("id") == outcome.Id.ToString() && m.Str("reason") == "unprocessable"));
    }

    // The marker travels in a header of its own, outside the encryption, so that the test finds the stored mail by it.
    private static byte[] Poison(string shape, string marker) => Patch(Make(shape), ("X-Marker", Encoding.ASCII.GetBytes($"X-Marker: {marker}\r\nX-Seen")));

    private static byte[] Make(string shape)
    {
        const string body = "Content-Type: text/plain; charset=utf-8\r\n\r\nA reference.";
        return shape switch
        {
            "nul-in-subject" => Signed(body, "x", new() { ["Subject"] = "=?utf-8?q?a=00b?=" }),
            "nul-in-from-name" => Signed(body, "x", new() { ["From"] = "=?utf-8?q?B=00KA?= <de@partner.example>" }),
            "invalid-bytes-in-headers" => Patch(
                Signed(body, "x", new() { ["Subject"] = "BAD1 subject", ["Message-ID"] = "<BAD2@partner.example>", ["From"] = "BAD3 <de@partner.example>" }),
                ("BAD1", [0xFF, 0xFE, 0xC3, 0x28]), ("BAD2", [0xC0, 0x80, 0xED, 0xA0, 0x80]), ("BAD3", [0xF8, 0x88, 0x80, 0x80, 0x80])),
            "control-in-message-id" => Signed(body, "x", new() { ["Message-ID"] = "<a\u0001b\u001bc\u007f@partner.example>" }),
            "megabyte-header" => Signed(body, "x", new()
            {
                ["Subject"] = string.Join("\r\n ", Enumerable.Repeat(new string('S', 70), 15_000)),
                ["X-Filler"] = string.Join("\r\n ", Enumerable.Repeat(new string('F', 70), 15_000)),
            }),
            "broken-encodings" => Signed(
                "Content-Type: text/plain; charset=x-no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!***not base64***\r\n",
                "x", new() { ["Subject"] = "=?utf-8?b?!!!*?= =?x-unknown?q?abc?= =?utf-8?q?=C3?=", ["From"] = "=?utf-8?b?////?= <de@partner.example>" }),
            "zip64-overflow" => Signed(
                "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nLogs.\r\n--z\r\n"
                + "Content-Type: application/zip\r\nContent-Disposition: attachment; filename=logs.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Convert.ToBase64String(Zip64ClaimingEverything(), Base64FormattingOptions.InsertLineBreaks) + "\r\n--z--\r\n",
                "Logs attached", []),
            "smime-compression-bomb" => Signed(OpenSslMail.Pkcs7Entity("compressed-data", Compressed(Zeros())), "Logs", []),
            "smime-compressed-twice" => Signed(
                OpenSslMail.Pkcs7Entity("compressed-data", Compressed(Encoding.ASCII.GetBytes(OpenSslMail.Pkcs7Entity("compressed-data", Compressed(Zeros()))))),
                "Logs", []),
            "openpgp-compression-bomb" => Pki.Gpg.EncryptedMail(
                Encoding.ASCII.GetString(Zeros()), "fr@partner.example", TestPki.NcpAddress, "Logs", headers: new Dictionary<string, string> { ["X-Marker"] = "none" }),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
    }

    // Signed by the partner, encrypted to us, as a well-behaved partner sends; the outer headers are the hostile part.
    private static byte[] Signed(string inner, string subject, Dictionary<string, string> headers)
    {
        var de = Pki.Partner("de");
        headers.TryAdd("X-Marker", "none");
        return OpenSslMail.SignThenEncrypt(inner, "de@partner.example", "ncp@ncp.example", subject, de.CertPem, de.KeyPem, Pki.NcpNext.CertPem, headers: headers);
    }

    // 20 MB of text that compresses to a few kilobytes: twice the test system's Mail:Limits:MaxExpandedBytes.
    private static byte[] Zeros() => [.. "Content-Type: text/plain\r\n\r\n"u8, .. Enumerable.Repeat((byte)'0', 20_000_000)];

    // S/MIME CompressedData (RFC 3274) made with BouncyCastle: Debian's openssl is built without zlib.
    private static byte[] Compressed(byte[] content) =>
        new Org.BouncyCastle.Cms.CmsCompressedDataGenerator()
            .Generate(new Org.BouncyCastle.Cms.CmsProcessableByteArray(content), Org.BouncyCastle.Cms.CmsCompressedDataGenerator.ZLib)
            .GetEncoded();

    private static byte[] Patch(byte[] mail, params (string Placeholder, byte[] Bytes)[] patches)
    {
        var result = mail;
        foreach (var (placeholder, bytes) in patches)
        {
            var at = result.AsSpan().IndexOf(Encoding.ASCII.GetBytes(placeholder));
            result = [.. result[..at], .. bytes, .. result[(at + placeholder.Length)..]];
        }

        return result;
    }

    // Two stored entries whose Zip64 fields claim the largest size there is: summing the claims overflows, and a reader
    // that believed them would think it held exabytes.
    private static byte[] Zip64ClaimingEverything()
    {
        var data = "hello"u8.ToArray();
        var crc = Crc32(data);
        using var zip = new MemoryStream();
        using var writer = new BinaryWriter(zip);
        var offsets = new List<long>();
        string[] names = ["a.txt", "b.txt"];
        foreach (var name in names)
        {
            offsets.Add(zip.Position);
            writer.Write(0x04034b50u);
            Header(writer, crc, name);
            writer.Write(Encoding.ASCII.GetBytes(name));
            Zip64Extra(writer, data.Length);
            writer.Write(data);
        }

        var central = zip.Position;
        for (var i = 0; i < names.Length; i++)
        {
            writer.Write(0x02014b50u);
            writer.Write((ushort)45);
            Header(writer, crc, names[i]);
            writer.Write((ushort)0); // comment
            writer.Write((ushort)0); // disk
            writer.Write((ushort)0); // internal attributes
            writer.Write(0u); // external attributes
            writer.Write((uint)offsets[i]);
            writer.Write(Encoding.ASCII.GetBytes(names[i]));
            Zip64Extra(writer, data.Length);
        }

        var size = zip.Position - central;
        writer.Write(0x06054b50u);
        writer.Write((ushort)0);
        writer.Write((ushort)0);
        writer.Write((ushort)names.Length);
        writer.Write((ushort)names.Length);
        writer.Write((uint)size);
        writer.Write((uint)central);
        writer.Write((ushort)0);
        writer.Flush();
        return zip.ToArray();

        static void Header(BinaryWriter w, uint crc, string name)
        {
            w.Write((ushort)45); // version needed: Zip64
            w.Write((ushort)0); // flags
            w.Write((ushort)0); // stored
            w.Write(0u); // time and date
            w.Write(crc);
            w.Write(uint.MaxValue); // sizes: see the Zip64 field
            w.Write(uint.MaxValue);
            w.Write((ushort)name.Length);
            w.Write((ushort)20);
        }

        static uint Crc32(byte[] bytes)
        {
            var crc = uint.MaxValue;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
                }
            }

            return ~crc;
        }

        static void Zip64Extra(BinaryWriter w, long compressed)
        {
            Span<byte> field = stackalloc byte[20];
            BinaryPrimitives.WriteUInt16LittleEndian(field, 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(field[2..], 16);
            BinaryPrimitives.WriteInt64LittleEndian(field[4..], long.MaxValue);
            BinaryPrimitives.WriteInt64LittleEndian(field[12..], compressed);
            w.Write(field);
        }
    }
}
