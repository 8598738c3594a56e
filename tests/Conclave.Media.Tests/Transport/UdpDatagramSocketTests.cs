using System.Net;
using System.Net.Sockets;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Transport;

/// <summary>The one part of the media path that needs the kernel: the UDP socket itself.</summary>
public sealed class UdpDatagramSocketTests : IDisposable
{
    private readonly UdpDatagramSocket _a = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly UdpDatagramSocket _b = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public void A_datagram_arrives_whole_with_its_senders_address_and_then_nothing_waits()
    {
        Assert.True(_a.TrySendTo([1, 2, 3, 4, 5], _b.LocalEndPoint.Serialize()));

        Assert.True(_b.WaitToReceive(1000));
        var buffer = new byte[64];
        var from = new SocketAddress(_b.LocalEndPoint.AddressFamily);
        Assert.True(_b.TryReceiveFrom(buffer, from, out int length));
        Assert.Equal([1, 2, 3, 4, 5], buffer[..length]);
        Assert.Equal(_a.LocalEndPoint.Serialize(), from);
        Assert.False(_b.TryReceiveFrom(buffer, from, out _));
    }

    [Fact]
    public void An_empty_datagram_is_taken_rather_than_left_waiting_forever()
    {
        Assert.True(_a.TrySendTo([], _b.LocalEndPoint.Serialize()));

        Assert.True(_b.WaitToReceive(1000));
        var from = new SocketAddress(_b.LocalEndPoint.AddressFamily);
        Assert.True(_b.TryReceiveFrom(new byte[64], from, out int length));
        Assert.Equal(0, length);
        Assert.False(_b.WaitToReceive(0));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_run_of_segments_arrives_as_the_datagrams_it_holds_in_their_order(bool segmentationOffload)
    {
        using var sender = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), segmentationOffload);
        const int segmentBytes = 1116;
        int[] lengths = [.. Enumerable.Repeat(segmentBytes, 10), 301];
        var run = new byte[lengths.Sum()];
        for (int i = 0, offset = 0; i < lengths.Length; offset += lengths[i++]) run.AsSpan(offset, lengths[i]).Fill((byte)(i + 1));

        Assert.True(sender.TrySendSegments(run, segmentBytes, _b.LocalEndPoint.Serialize()));

        var buffer = new byte[65536];
        var from = new SocketAddress(_b.LocalEndPoint.AddressFamily);
        for (int i = 0; i < lengths.Length; i++)
        {
            Assert.True(_b.WaitToReceive(1000));
            Assert.True(_b.TryReceiveFrom(buffer, from, out int length));
            Assert.Equal(lengths[i], length);
            Assert.All(buffer[..length], b => Assert.Equal(i + 1, b));
            Assert.Equal(sender.LocalEndPoint.Serialize(), from);
        }
        Assert.False(_b.WaitToReceive(50));
        // Loopback segments in software: the kernel took the offload and nothing fell back.
        Assert.Equal(segmentationOffload, sender.SegmentationOffload);
    }

    [Fact]
    public async Task A_wake_ends_a_wait_without_a_timeout_and_is_not_taken_for_a_datagram()
    {
        var waiting = Task.Run(() => _b.WaitToReceive(Timeout.Infinite));
        Assert.False(waiting.IsCompleted);

        _b.Wake();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(_b.TryReceiveFrom(new byte[8], new SocketAddress(AddressFamily.InterNetwork), out _));
    }

    [Fact]
    public async Task A_wake_before_the_wait_ends_the_next_wait_and_datagrams_still_arrive_after_it()
    {
        _b.Wake();
        _b.Wake();   // twice before a wait is once

        Assert.False(await Task.Run(() => _b.WaitToReceive(Timeout.Infinite)).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(_b.WaitToReceive(0));
        Assert.True(_a.TrySendTo([7], _b.LocalEndPoint.Serialize()));
        Assert.True(_b.WaitToReceive(1000));
        var buffer = new byte[8];
        Assert.True(_b.TryReceiveFrom(buffer, new SocketAddress(AddressFamily.InterNetwork), out int length));
        Assert.Equal([7], buffer[..length]);
    }

    [Fact]
    public void A_wake_after_the_socket_is_closed_does_nothing()
    {
        using var closed = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        closed.Dispose();

        closed.Wake();

        Assert.Throws<ObjectDisposedException>(() => closed.WaitToReceive(0));
    }

    [Fact]
    public void On_a_shared_port_a_steered_remote_arrives_only_at_the_socket_that_steered_it_and_anywhere_once_let_go()
    {
        using var first = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), sharedPort: true);
        using var second = UdpDatagramSocket.Bind(first.LocalEndPoint, sharedPort: true);
        var remote = _a.LocalEndPoint.Serialize();
        second.Steer(remote);
        second.Steer(remote);   // twice is once
        Assert.Equal(1, second.SteeredCount);

        for (byte i = 0; i < 20; i++) Assert.True(_a.TrySendTo([i], first.LocalEndPoint.Serialize()));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)i), Drain(second, remote));
        Assert.Empty(Drain(first, remote));
        // Replies leave from the shared port, whichever socket sends them.
        Assert.True(first.TrySendTo([42], remote));
        Assert.True(_a.WaitToReceive(1000));
        var from = new SocketAddress(AddressFamily.InterNetwork);
        Assert.True(_a.TryReceiveFrom(new byte[8], from, out _));
        Assert.Equal(first.LocalEndPoint.Serialize(), from);

        second.Unsteer(remote);
        for (byte i = 0; i < 20; i++) Assert.True(_a.TrySendTo([i], first.LocalEndPoint.Serialize()));
        Assert.Equal(20, Drain(first, remote).Count + Drain(second, remote).Count);
        Assert.Equal(0, second.SteeredCount);
    }

    [Fact]
    public void A_port_not_shared_steers_nothing_and_cannot_be_shared_by_another_socket()
    {
        _b.Steer(_a.LocalEndPoint.Serialize());
        Assert.Equal(0, _b.SteeredCount);
        Assert.Throws<SocketException>(() => UdpDatagramSocket.Bind(_b.LocalEndPoint, sharedPort: true));
    }

    /// <summary>The first byte of every datagram waiting at <paramref name="socket"/>, each checked to come from <paramref name="remote"/>.</summary>
    private static List<byte> Drain(UdpDatagramSocket socket, SocketAddress remote)
    {
        var firstBytes = new List<byte>();
        var buffer = new byte[64];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (socket.WaitToReceive(100))
        {
            while (socket.TryReceiveFrom(buffer, from, out int length))
            {
                Assert.Equal(remote, from);
                firstBytes.Add(buffer[0]);
            }
        }
        return firstBytes;
    }
}
