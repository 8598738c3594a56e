using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Tls;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// BouncyCastle's view of the participant's UDP socket during the DTLS handshake: the
/// participant's receive loop queues the DTLS records it sorts out (RFC 7983), sends go
/// straight to the appliance's candidate.
/// </summary>
internal sealed class HandshakeTransport(Socket socket, EndPoint appliance) : DatagramTransport
{
    /// <summary>Chromium's DTLS MTU; BouncyCastle fragments its flights to fit.</summary>
    private const int SendLimitBytes = 1200;
    private const int ReceiveLimitBytes = 1500;

    private readonly BlockingCollection<byte[]> _queue = new(64);

    public void Enqueue(ReadOnlySpan<byte> datagram)
    {
        if (!_queue.IsAddingCompleted) _queue.TryAdd(datagram.ToArray());
    }

    public int GetReceiveLimit() => ReceiveLimitBytes;

    public int GetSendLimit() => SendLimitBytes;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        // -1 is BouncyCastle's "nothing yet": its retransmission timer runs (RFC 6347 §4.2.4).
        if (!_queue.TryTake(out var datagram, waitMillis)) return _queue.IsCompleted ? throw new IOException("the participant stopped the handshake") : -1;
        int length = Math.Min(buffer.Length, datagram.Length);
        datagram.AsSpan(0, length).CopyTo(buffer);
        return length;
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer) => socket.SendTo(buffer, SocketFlags.None, appliance);

    public void Close() => _queue.CompleteAdding();
}
