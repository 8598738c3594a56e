using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace Conclave.Media.Dtls;

/// <summary>
/// BouncyCastle's view of the shared media socket for one peer: datagrams the media
/// loop queued for this session come out of <see cref="Receive(byte[], int, int, int)"/>;
/// sends go straight to the socket through the caller's delegate.
/// </summary>
internal sealed class QueuedDatagramTransport : DatagramTransport
{
    /// <summary>A handshake flight is a handful of datagrams; more queued means a flood.</summary>
    public const int QueueCapacity = 64;

    /// <summary>Chromium's path MTU for DTLS; BouncyCastle fragments its flights to fit.</summary>
    private const int SendLimitBytes = 1200;
    private const int ReceiveLimitBytes = 1500;

    private readonly BlockingCollection<byte[]> _queue = new(QueueCapacity);
    private readonly Action<ReadOnlyMemory<byte>> _send;
    private readonly CancellationTokenSource _closed = new();

    public QueuedDatagramTransport(Action<ReadOnlyMemory<byte>> send) => _send = send;

    public bool TryEnqueue(ReadOnlySpan<byte> datagram)
    {
        if (_closed.IsCancellationRequested) return false;
        try
        {
            return _queue.TryAdd(datagram.ToArray());
        }
        catch (InvalidOperationException)
        {
            return false; // completed while we were adding
        }
    }

    /// <summary>Next datagram, or null after <paramref name="waitMillis"/>; throws once closed.</summary>
    public byte[]? Take(int waitMillis)
    {
        try
        {
            return _queue.TryTake(out var datagram, waitMillis, _closed.Token) ? datagram : null;
        }
        catch (OperationCanceledException)
        {
            throw new IOException("the DTLS session is closed");
        }
    }

    public int GetReceiveLimit() => ReceiveLimitBytes;

    public int GetSendLimit() => SendLimitBytes;

    public int Receive(byte[] buf, int off, int len, int waitMillis)
    {
        var datagram = Take(waitMillis);
        if (datagram is null) return -1; // BouncyCastle reads -1 as "nothing yet": its retransmission timer runs
        int length = Math.Min(len, datagram.Length);
        datagram.AsSpan(0, length).CopyTo(buf.AsSpan(off));
        return length;
    }

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        var datagram = Take(waitMillis);
        if (datagram is null) return -1;
        int length = Math.Min(buffer.Length, datagram.Length);
        datagram.AsSpan(0, length).CopyTo(buffer);
        return length;
    }

    public void Send(byte[] buf, int off, int len) => _send(buf.AsMemory(off, len).ToArray());

    public void Send(ReadOnlySpan<byte> buffer) => _send(buffer.ToArray());

    public void Close()
    {
        if (_closed.IsCancellationRequested) return;
        _closed.Cancel();
        _queue.CompleteAdding();
    }
}
