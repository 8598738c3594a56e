using System.Runtime.InteropServices;
using Conclave.Media.Sdp;

namespace Conclave.Media.Load;

/// <summary>One socket the receiver reads, and which generator stream its packets come from.</summary>
internal sealed record ReceivedStream(SubscriberSocket Socket, int Stream);

/// <summary>
/// Reads subscriber sockets with recvmmsg every millisecond and takes each RTP packet's kernel
/// receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME: on loopback taken when the sender's
/// datagram enters the receive path, socket(7)), so the receiver's own scheduling is not in the
/// latency. Only the RTP header is copied out (the rest is cut, MSG_TRUNC). The SFU forwards a
/// packet under the consumer's SSRC but with the publisher's sequence number (Consumer.SendRtp
/// rewrites only the SSRC), so the sequence number, extended (RFC 3550 §A.1), is the packet's
/// index at the generator.
/// </summary>
internal sealed unsafe class TimestampReceiver : ToolThread
{
    private const int MessagesPerCall = 64;
    private const int HeaderBytes = 64;
    private const int ControlBytes = 64;

    /// <summary>Stands for "not received" in <see cref="LatencyNs"/>.</summary>
    public const int NotReceived = int.MinValue;

    private readonly IReadOnlyList<ReceivedStream> _sockets;
    private readonly PacedGenerator _generator;
    private readonly int[][] _latencyNs;
    private readonly long[] _highestIndex;
    private readonly Native.MessageHeader* _messages;
    private readonly Native.IoVector* _vectors;
    private readonly byte* _headers;
    private readonly byte* _controls;

    /// <param name="cpu">The CPU the thread pins itself to; -1 for none.</param>
    public TimestampReceiver(IReadOnlyList<ReceivedStream> sockets, PacedGenerator generator, int cpu)
        : base("load-receiver", cpu)
    {
        _sockets = sockets;
        _generator = generator;
        _latencyNs = sockets.Select(socket =>
        {
            var latencies = new int[generator.SendNs(socket.Stream).Length];
            Array.Fill(latencies, NotReceived);
            return latencies;
        }).ToArray();
        _highestIndex = sockets.Select(socket => generator.FirstIndex(socket.Stream) - 1).ToArray();
        _messages = (Native.MessageHeader*)NativeMemory.AllocZeroed((nuint)(MessagesPerCall * sizeof(Native.MessageHeader)));
        _vectors = (Native.IoVector*)NativeMemory.AllocZeroed((nuint)(MessagesPerCall * sizeof(Native.IoVector)));
        _headers = (byte*)NativeMemory.AllocZeroed(MessagesPerCall * HeaderBytes);
        _controls = (byte*)NativeMemory.AllocZeroed(MessagesPerCall * ControlBytes);
        for (int i = 0; i < MessagesPerCall; i++)
        {
            _vectors[i] = new Native.IoVector { Base = _headers + i * HeaderBytes, Length = HeaderBytes };
            _messages[i].Vectors = &_vectors[i];
            _messages[i].VectorCount = 1;
        }
    }

    /// <summary>Send-to-receive time of each packet at socket <c>i</c>, by slot as in <see cref="PacedGenerator.SendNs"/>.</summary>
    public int[] LatencyNs(int socket) => _latencyNs[socket];

    /// <summary>RTP packets that matched no packet sent (nothing should).</summary>
    public long Unmatched { get; private set; }

    protected override void Work()
    {
        Ready();
        while (!Stopping)
        {
            DrainAll();
            Thread.Sleep(1);
        }
        DrainAll();
    }

    private void DrainAll()
    {
        for (int s = 0; s < _sockets.Count; s++)
        {
            int descriptor = _sockets[s].Socket.Descriptor;
            int received;
            do
            {
                for (int i = 0; i < MessagesPerCall; i++)
                {
                    _messages[i].Control = _controls + i * ControlBytes;
                    _messages[i].ControlLength = ControlBytes;
                }
                received = Native.ReceiveMessages(descriptor, _messages, MessagesPerCall, Native.MsgDontWait);
                for (int i = 0; i < received; i++) Take(s, i);
            } while (received == MessagesPerCall);
        }
    }

    private void Take(int socket, int message)
    {
        byte* header = _headers + message * HeaderBytes;
        // RTP (RFC 3550 §5.1) of the forwarded VP8 stream: not the consent checks or RTCP the SFU sends too.
        if (_messages[message].ReceivedLength < 12 || (header[0] & 0xC0) != 0x80 || (header[1] & 0x7F) != SdpCodecs.Vp8PayloadType) return;
        long receivedNs = ReceiveTimestamp(_messages[message]);
        ushort sequence = (ushort)((header[2] << 8) | header[3]);
        long highest = _highestIndex[socket];
        long index = highest + (short)(sequence - (ushort)highest);
        if (index > highest) _highestIndex[socket] = index;
        int stream = _sockets[socket].Stream;
        long slot = index - _generator.FirstIndex(stream);
        var sendNs = _generator.SendNs(stream);
        if (receivedNs == 0 || slot < 0 || slot >= sendNs.Length || sendNs[slot] == 0)
        {
            Unmatched++;
            return;
        }
        _latencyNs[socket][slot] = (int)Math.Clamp(receivedNs - sendNs[slot], int.MinValue + 1, int.MaxValue);
    }

    /// <summary>The SCM_TIMESTAMPNS control message's struct timespec; 0 when the kernel gave none.</summary>
    private static long ReceiveTimestamp(in Native.MessageHeader message)
    {
        byte* control = message.Control;
        nuint length = message.ControlLength;
        // struct cmsghdr of 64-bit Linux: cmsg_len (8), cmsg_level (4), cmsg_type (4), data 8-aligned.
        for (nuint offset = 0; offset + 16 <= length;)
        {
            nuint cmsgLength = *(nuint*)(control + offset);
            int level = *(int*)(control + offset + 8), type = *(int*)(control + offset + 12);
            if (level == SubscriberSocket.SolSocket && type == SubscriberSocket.SoTimestampNs && cmsgLength >= 32)
            {
                var time = (Native.Timespec*)(control + offset + 16);
                return time->Seconds * 1_000_000_000 + time->Nanoseconds;
            }
            if (cmsgLength < 16) break;
            offset += (cmsgLength + 7) & ~(nuint)7;
        }
        return 0;
    }

    public override void Dispose()
    {
        base.Dispose();
        NativeMemory.Free(_messages);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_headers);
        NativeMemory.Free(_controls);
    }
}
