using System.Net;
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
}
