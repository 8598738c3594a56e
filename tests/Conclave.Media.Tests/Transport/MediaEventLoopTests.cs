using System.Net;
using System.Diagnostics;
using Conclave.Media.Diagnostics;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Transport;

/// <summary>The loop's own thread on a real UDP socket: when it ticks, when it sleeps, and what wakes it.</summary>
public sealed class MediaEventLoopTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly UdpDatagramSocket _socket = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CountingHandler _handler = new();
    private readonly MediaEventLoop _loop;

    public MediaEventLoopTests()
    {
        _loop = new MediaEventLoop(_socket, _handler, new DropCounters(), TimeProvider.System);
    }

    public void Dispose()
    {
        _loop.Dispose();
        _socket.Dispose();
    }

    [Fact]
    public async Task A_loop_with_nothing_to_time_does_not_tick_and_a_posted_command_still_runs_at_once()
    {
        _loop.Start();
        // Its first turn may tick; a loop waking every 10 ms would tick about 30 times meanwhile.
        await Task.Delay(300);
        Assert.InRange(_handler.Ticks, 0, 1);

        int threadId = await _loop.InvokeAsync(() => Environment.CurrentManagedThreadId).WaitAsync(Patience);

        Assert.Equal(_loop.ManagedThreadId, threadId);
    }

    [Fact]
    public async Task A_loop_with_nothing_to_time_still_receives_what_arrives()
    {
        _loop.Start();
        using var sender = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        Assert.True(sender.TrySendTo([1, 2, 3], _socket.LocalEndPoint.Serialize()));

        Assert.Equal(3, await _handler.FirstDatagramLength.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_loop_ticks_while_it_has_timers_and_stops_ticking_once_it_has_none()
    {
        _handler.HasTimers = true;
        _loop.Start();
        await Eventually(() => _handler.Ticks >= 5);

        // The loop sees the change at its next turn (within a tick); a command turns it.
        _handler.HasTimers = false;
        await _loop.InvokeAsync(() => 0).WaitAsync(Patience);
        int ticks = _handler.Ticks;
        await Task.Delay(300);

        Assert.InRange(_handler.Ticks - ticks, 0, 1);
    }

    [Fact]
    public async Task A_sleeping_loop_ends_its_thread_when_disposed_instead_of_waiting_out_the_join()
    {
        _loop.Start();
        await _loop.InvokeAsync(() => 0).WaitAsync(Patience);
        var disposing = Stopwatch.StartNew();

        _loop.Dispose();

        // Dispose gives the thread 2 s to end; a loop nobody woke would use all of them.
        Assert.True(disposing.Elapsed < TimeSpan.FromSeconds(1.5), $"Dispose took {disposing.ElapsedMilliseconds} ms");
    }

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

        public void Wake() { }

        public void Dispose()
        {
        }
    }

    private sealed class RecordingHandler(List<string> order) : IDatagramHandler
    {
        public Action? OnFirst { get; set; }

        public bool HasTimers => false;

        public void OnDatagram(Span<byte> datagram, SocketAddress from, long nowMs)
        {
            order.Add($"datagram {datagram[0]}");
            if (datagram[0] == 1) OnFirst?.Invoke();
        }

        public void OnTick(long nowMs)
        {
        }
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold in time");
            await Task.Delay(10);
        }
    }

    private sealed class CountingHandler : IDatagramHandler
    {
        private int _ticks;

        public volatile bool HasTimers;

        public int Ticks => Volatile.Read(ref _ticks);

        public TaskCompletionSource<int> FirstDatagramLength { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        bool IDatagramHandler.HasTimers => HasTimers;

        public void OnDatagram(Span<byte> datagram, SocketAddress from, long nowMs) => FirstDatagramLength.TrySetResult(datagram.Length);

        public void OnTick(long nowMs) => Interlocked.Increment(ref _ticks);
    }
}
