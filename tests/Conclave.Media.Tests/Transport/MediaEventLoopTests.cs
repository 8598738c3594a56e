using System.Net;
using Conclave.Media.Diagnostics;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Transport;

public sealed class MediaEventLoopTests
{
    /// <summary>
    /// Another thread posts a command (a room's new MLS epoch) and a datagram that depends on it
    /// arrives afterwards — while the loop waits, and while it handles an earlier datagram of the
    /// same wake-up: the command runs first both times.
    /// </summary>
    [Fact]
    public void A_command_posted_before_a_datagram_arrives_runs_before_that_datagram_is_handled()
    {
        var order = new List<string>();
        var socket = new ScriptedSocket();
        var handler = new RecordingHandler(order);
        using var loop = new MediaEventLoop(socket, handler, new DropCounters(), TimeProvider.System);
        socket.DuringWait = () =>
        {
            loop.Post(() => order.Add("epoch 1"));
            socket.Arrive(1);
        };
        handler.OnFirst = () =>
        {
            loop.Post(() => order.Add("epoch 2"));
            socket.Arrive(2);
        };

        loop.RunOnce(waitMs: 0);

        Assert.Equal(["epoch 1", "datagram 1", "epoch 2", "datagram 2"], order);
    }

    /// <summary>A socket whose datagrams arrive when the test says, one byte each.</summary>
    private sealed class ScriptedSocket : IDatagramSocket
    {
        private readonly Queue<byte> _waiting = new();

        public Action? DuringWait { get; set; }

        public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 5004);

        public void Arrive(byte mark) => _waiting.Enqueue(mark);

        public bool WaitToReceive(int timeoutMs)
        {
            DuringWait?.Invoke();
            return _waiting.Count > 0;
        }

        public bool TryReceiveFrom(Span<byte> buffer, SocketAddress from, out int length)
        {
            length = _waiting.Count > 0 ? 1 : 0;
            if (length == 0) return false;
            buffer[0] = _waiting.Dequeue();
            return true;
        }

        public bool TrySendTo(ReadOnlySpan<byte> datagram, SocketAddress to) => true;

        public void Dispose()
        {
        }
    }

    private sealed class RecordingHandler(List<string> order) : IDatagramHandler
    {
        public Action? OnFirst { get; set; }

        public void OnDatagram(Span<byte> datagram, SocketAddress from, long nowMs)
        {
            order.Add($"datagram {datagram[0]}");
            if (datagram[0] == 1) OnFirst?.Invoke();
        }

        public void OnTick(long nowMs)
        {
        }
    }
}
