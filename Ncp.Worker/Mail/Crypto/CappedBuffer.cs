namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// Where decrypted or decompressed content is written: a few kilobytes of a compression bomb (S/MIME CompressedData, an
/// OpenPGP compressed packet) expand to gigabytes, so the writing stops at <c>Mail:Limits:MaxExpandedBytes</c> and the mail
/// is held as too large, instead of the Worker running out of memory with every other mail in its hands.
/// </summary>
public sealed class CappedBuffer(long max, string what) : MemoryStream
{
    public override void Write(byte[] buffer, int offset, int count)
    {
        Check(count);
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check(buffer.Length);
        base.Write(buffer);
    }

    public override void WriteByte(byte value)
    {
        Check(1);
        base.WriteByte(value);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Check(count);
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check(buffer.Length);
        return base.WriteAsync(buffer, cancellationToken);
    }

    private void Check(int count)
    {
        if (Length + count > max)
        {
            throw new MailCryptoException("too-large", $"{what} expands to more than {max:N0} bytes, the limit: a compression bomb, or a mail far too large.");
        }
    }
}
