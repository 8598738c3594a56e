namespace Conclave.Crypto.Tests;

/// <summary>
/// The audit log's file that fails as a full disk does (failure injection): while
/// <see cref="Full"/>, a write puts the first half of its bytes in the file and then throws
/// ENOSPC, as a write(2) cut short by the disk would.
/// </summary>
internal sealed class FullDiskFile(string path) : Stream
{
    private const int Enospc = 28;

    private readonly FileStream _file = new(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);

    private volatile bool _full;

    public bool Full
    {
        get => _full;
        set => _full = value;
    }

    /// <summary>Writes refused while <see cref="Full"/>.</summary>
    public int Refused { get; private set; }

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (_full)
        {
            _file.Write(buffer, offset, count / 2);
            Refused++;
            throw new IOException($"No space left on device : '{path}'", Enospc);
        }
        _file.Write(buffer, offset, count);
    }

    public override void Flush() => _file.Flush(flushToDisk: true);

    public override bool CanRead => false;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    public override void SetLength(long value) => _file.SetLength(value);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}
