namespace Ncp.Api.Reports.Exports;

/// <summary>
/// A write-only stream that keeps what is written until <see cref="DrainAsync"/> sends it on: for writers that write
/// only synchronously (the zip, the Open XML SDK) to a response, which takes only asynchronous writes. Not seekable, so a
/// zip written to it puts each entry's sizes after the entry's data.
/// </summary>
public sealed class PendingBytes : Stream
{
    private readonly MemoryStream pending = new();
    private long written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => written;
        set => throw new NotSupportedException();
    }

    /// <summary>Sends what was written since the last call, and forgets it.</summary>
    public async ValueTask DrainAsync(Stream to, CancellationToken ct)
    {
        if (pending.Length == 0)
        {
            return;
        }

        await to.WriteAsync(pending.GetBuffer().AsMemory(0, (int)pending.Length), ct);
        pending.SetLength(0);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        pending.Write(buffer);
        written += buffer.Length;
    }

    // Asynchronous writes (the zip's, when an entry is disposed asynchronously) are kept like the others: nothing waits.
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pending.Dispose();
        }

        base.Dispose(disposing);
    }
}
