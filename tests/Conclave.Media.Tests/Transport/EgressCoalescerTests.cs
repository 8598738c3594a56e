using System.Net;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Transport;

public sealed class EgressCoalescerTests
{
    private readonly SendLog _socket = new();
    private readonly SocketAddress _alice = new IPEndPoint(IPAddress.Loopback, 4001).Serialize();
    private readonly SocketAddress _bob = new IPEndPoint(IPAddress.Loopback, 4002).Serialize();
    private int _failed;

    private EgressCoalescer NewCoalescer() => new(_socket, count => _failed += count);

    private static byte[] Datagram(int length, byte mark) => Enumerable.Repeat(mark, length).ToArray();

    [Fact]
    public void A_frames_packets_to_each_subscriber_go_out_as_one_run_per_subscriber_in_order()
    {
        var egress = NewCoalescer();
        for (byte packet = 1; packet <= 5; packet++)
        {
            int length = packet == 5 ? 400 : 1100;   // the frame's last packet is shorter
            egress.Add(Datagram(length, packet), _alice);
            egress.Add(Datagram(length, packet), _bob);
        }
        Assert.Empty(_socket.Sends);

        egress.Flush();

        Assert.Equal(2, _socket.Sends.Count);
        foreach (var (send, to) in _socket.Sends.Zip([_alice, _bob]))
        {
            Assert.Same(to, send.To);
            Assert.Equal(1100, send.SegmentBytes);
            Assert.Equal([1, 2, 3, 4, 5], send.FirstMarks());
            Assert.Equal(4 * 1100 + 400, send.Bytes.Length);
        }
        Assert.Equal((10L, 2L), (egress.DatagramsSent, egress.SendCalls));
    }

    [Fact]
    public void A_datagram_that_cannot_join_the_run_sends_the_run_first_keeping_the_order()
    {
        var egress = NewCoalescer();
        egress.Add(Datagram(1000, 1), _alice);
        egress.Add(Datagram(600, 2), _alice);    // shorter: ends the run
        egress.Add(Datagram(600, 3), _alice);    // nothing may follow a shorter last segment
        egress.Add(Datagram(1200, 4), _alice);   // longer than the run's segments
        egress.Flush();

        Assert.Equal([(1000, new byte[] { 1, 2 }), (600, [3]), (1200, [4])],
            _socket.Sends.Select(s => (s.SegmentBytes, s.FirstMarks())).ToArray());
    }

    [Fact]
    public void A_run_ends_at_the_kernels_segment_limit_and_at_one_sends_byte_limit()
    {
        var egress = NewCoalescer();
        for (int i = 0; i < EgressCoalescer.MaxSegments + 1; i++) egress.Add(Datagram(100, 1), _alice);
        for (int i = 0; i < 60; i++) egress.Add(Datagram(1200, 2), _bob);
        egress.Flush();

        var counts = _socket.Sends.Select(s => (s.To == _alice ? "alice" : "bob", s.Bytes.Length / s.SegmentBytes + (s.Bytes.Length % s.SegmentBytes > 0 ? 1 : 0))).ToArray();
        int bobPerRun = EgressCoalescer.MaxRunBytes / 1200;
        Assert.Equal([("alice", EgressCoalescer.MaxSegments), ("bob", bobPerRun), ("alice", 1), ("bob", 60 - bobPerRun)], counts);
        Assert.All(_socket.Sends, s => Assert.True(s.Bytes.Length <= EgressCoalescer.MaxRunBytes));
    }

    [Fact]
    public void More_addresses_than_it_holds_sends_what_it_held_and_a_refused_send_counts_every_datagram_in_it()
    {
        var egress = NewCoalescer();
        var addresses = Enumerable.Range(0, EgressCoalescer.MaxAddresses + 1)
            .Select(i => new IPEndPoint(IPAddress.Loopback, 5000 + i).Serialize()).ToArray();
        foreach (var address in addresses) egress.Add(Datagram(10, 1), address);
        Assert.Equal(EgressCoalescer.MaxAddresses, _socket.Sends.Count);

        _socket.Refuse = true;
        egress.Add(Datagram(10, 2), addresses[^1]);
        egress.Flush();
        Assert.Equal(2, _failed);
    }

    /// <summary>Records each send instead of sending; refuses them when told to (a full kernel buffer).</summary>
    private sealed class SendLog : IDatagramSocket
    {
        public List<(byte[] Bytes, int SegmentBytes, SocketAddress To)> Sends { get; } = new();
        public bool Refuse { get; set; }
        public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 4000);
        public bool WaitToReceive(int timeoutMs) => false;
        public void Wake() { }
        public bool TryReceiveFrom(Span<byte> buffer, SocketAddress from, out int length) => (length = 0) != 0;
        public bool TrySendTo(ReadOnlySpan<byte> datagram, SocketAddress to) => TrySendSegments(datagram, datagram.Length, to);

        public bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentBytes, SocketAddress to)
        {
            Sends.Add((segments.ToArray(), segmentBytes, to));
            return !Refuse;
        }

        public void Dispose() { }
    }
}

internal static class RecordedSendExtensions
{
    /// <summary>The first byte of each datagram in a recorded send: each test datagram is filled with one mark.</summary>
    public static byte[] FirstMarks(this (byte[] Bytes, int SegmentBytes, SocketAddress To) send) =>
        [.. send.Bytes.Chunk(send.SegmentBytes).Select(chunk => chunk[0])];
}
