namespace Conclave.Recording.Recorder;

/// <summary>
/// A preallocated byte ring between the threads that append records and the one writer that
/// drains them: positions only grow (index = position mod capacity), producers advance the
/// head (serialised by the caller's lock), the writer alone advances the tail. The writer
/// reads between tail and head without the lock: producers never write there.
/// </summary>
internal sealed class RecordRing(int capacity)
{
    private readonly byte[] _buffer = new byte[capacity];
    private long _head;
    private long _tail;

    public long Head => Volatile.Read(ref _head);

    public long Tail => Volatile.Read(ref _tail);

    /// <summary>What producers may still write (callers hold their lock).</summary>
    public long FreeBytes => _buffer.Length - (_head - Tail);

    /// <summary>Appends the three parts as one run; callers hold one lock and have checked <see cref="FreeBytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third)
    {
        long length = (long)first.Length + second.Length + third.Length;
        if (length > FreeBytes) throw new InvalidOperationException($"{length} bytes do not fit the ring's {FreeBytes} free");
        long position = _head;
        Copy(first, ref position);
        Copy(second, ref position);
        Copy(third, ref position);
        // Publishes the bytes before the position that covers them (a release write).
        Volatile.Write(ref _head, position);
    }

    /// <summary>Copies bytes from <paramref name="position"/> on (the writer's side).</summary>
    public void Read(long position, Span<byte> destination)
    {
        int start = Index(position);
        int untilEnd = Math.Min(destination.Length, _buffer.Length - start);
        _buffer.AsSpan(start, untilEnd).CopyTo(destination);
        _buffer.AsSpan(0, destination.Length - untilEnd).CopyTo(destination[untilEnd..]);
    }

    /// <summary>Writes <paramref name="length"/> bytes from <paramref name="position"/> on to <paramref name="output"/> (the writer's side).</summary>
    public void CopyTo(long position, int length, Stream output)
    {
        int start = Index(position);
        int untilEnd = Math.Min(length, _buffer.Length - start);
        output.Write(_buffer, start, untilEnd);
        output.Write(_buffer, 0, length - untilEnd);
    }

    /// <summary>Gives the bytes before <paramref name="position"/> back to the producers.</summary>
    public void Release(long position) => Volatile.Write(ref _tail, position);

    private void Copy(ReadOnlySpan<byte> source, ref long position)
    {
        int start = Index(position);
        int untilEnd = Math.Min(source.Length, _buffer.Length - start);
        source[..untilEnd].CopyTo(_buffer.AsSpan(start));
        source[untilEnd..].CopyTo(_buffer);
        position += source.Length;
    }

    private int Index(long position) => (int)(position % _buffer.Length);
}
