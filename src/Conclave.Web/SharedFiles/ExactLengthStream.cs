namespace Conclave.Web.SharedFiles;

/// <summary>
/// Reads a request body that must hold exactly <c>length</c> bytes: reading past it, or the body
/// (or its connection) ending before it, is an <see cref="IncompleteUploadException"/>. Sealing reads
/// it synchronously, so a thread of its own waits on the network rather than the request's.
/// </summary>
internal sealed class ExactLengthStream(Stream body, long length) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        // One byte more than remains is asked for, so a body longer than declared shows.
        int wanted = (int)Math.Min(buffer.Length, length - _read + 1);
        int read;
        try
        {
            read = body.Read(buffer[..wanted]);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            throw new IncompleteUploadException($"the upload's connection failed after {_read} of {length} bytes", e);
        }
        _read += read;
        if (_read > length) throw new IncompleteUploadException($"the body is longer than the {length} bytes its Content-Length declares");
        return read;
    }

    /// <summary>After the body ended: it held every declared byte.</summary>
    public void CheckComplete()
    {
        if (_read != length) throw new IncompleteUploadException($"the body ended after {_read} of the {length} bytes its Content-Length declares");
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
