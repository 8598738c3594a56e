using System.Collections.Concurrent;
using System.Net;
using Conclave.Media.Diagnostics;

namespace Conclave.Media.Transport;

/// <summary>
/// The one thread that owns all media state (as mediasoup's worker does): it receives
/// every datagram of the shared media port, runs timers and executes commands posted by
/// other threads, so the packet path needs no locks. With no timers to run (no peers) it
/// sleeps until a datagram or a command arrives: an idle loop costs no CPU.
/// </summary>
public sealed class MediaEventLoop : IDisposable
{
    /// <summary>Timer resolution: TWCC feedback wants ~50 ms, so 10 ms keeps it honest.</summary>
    public const int TickMs = 10;

    /// <summary>
    /// The largest datagram accepted. Browsers keep RTP under ~1,200 bytes (path MTU);
    /// 1,500 is Ethernet's MTU, so anything larger is not from a well-behaved peer.
    /// </summary>
    public const int MaxDatagramBytes = 1500;

    // Loopback MTU is 64 KiB; a buffer that large means the kernel never truncates,
    // so an oversized datagram is seen, counted and dropped rather than silently cut.
    private const int ReceiveBufferBytes = 65536;
    private const int MaxDatagramsPerWakeup = 256;

    private readonly IDatagramSocket _socket;        // Passed by argument.
    private readonly IDatagramHandler _handler;      // Passed by argument.
    private readonly DropCounters _drops;            // Passed by argument.
    private readonly TimeProvider _time;             // Passed by argument.
    private readonly EgressCoalescer _egress;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferBytes, pinned: true);
    private readonly SocketAddress _from;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _lastTickMs;

    public MediaEventLoop(IDatagramSocket socket, IDatagramHandler handler, DropCounters drops, TimeProvider time)
    {
        _socket = socket;
        _handler = handler;
        _drops = drops;
        _time = time;
        _from = new SocketAddress(socket.LocalEndPoint.AddressFamily);
        _egress = new EgressCoalescer(socket, count => drops.Count(DropReason.SendFailed, count));
        _thread = new Thread(Run) { IsBackground = true, Name = "media-loop" };
    }

    /// <summary>Raised on the loop thread when a handler or command threw; the loop goes on.</summary>
    public event Action<Exception>? Faulted;

    /// <summary>The loop's clock: every timer and every datagram's arrival is read from it.</summary>
    public long NowMs => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    public int ManagedThreadId => _thread.ManagedThreadId;

    public bool IsOnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    public void Start() => _thread.Start();

    /// <summary>Runs <paramref name="command"/> on the loop thread, soon (at once if it sleeps).</summary>
    public void Post(Action command)
    {
        _commands.Enqueue(command);
        // The loop runs its commands before it next waits, so only another thread must wake it.
        if (!IsOnLoopThread) _socket.Wake();
    }

    /// <summary>Runs <paramref name="command"/> on the loop thread and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<T> command)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { completion.SetResult(command()); }
            catch (Exception e) { completion.SetException(e); }
        });
        return completion.Task;
    }

    /// <summary>Sends one datagram; safe from any thread. A refused send is counted, not thrown.</summary>
    public bool TrySend(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            if (_socket.TrySendTo(datagram, to)) return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        _drops.Count(DropReason.SendFailed);
        return false;
    }

    /// <summary>
    /// Sends a media datagram at the end of this turn of the loop, with the others to the same
    /// address in as few sends as segmentation offload allows (<see cref="EgressCoalescer"/>).
    /// Loop thread only; <paramref name="to"/> must not change afterwards.
    /// </summary>
    public void SendMedia(ReadOnlySpan<byte> datagram, SocketAddress to) => _egress.Add(datagram, to);

    /// <summary>Media datagrams sent, and the socket calls that carried them: their ratio is the batching achieved.</summary>
    public (long Datagrams, long SendCalls) EgressCounts => (_egress.DatagramsSent, _egress.SendCalls);

    /// <summary>Sends the media held for this turn (the loop does it before it waits and after each burst).</summary>
    internal void FlushMedia() => _egress.Flush();

    private void Run()
    {
        while (!_stopping && RunOnce(_handler.HasTimers ? TickMs : Timeout.Infinite)) { }
    }

    /// <summary>
    /// One turn of the loop: posted commands, the timers when due, then the datagrams that
    /// arrive within <paramref name="waitMs"/>. False once the socket is closed. Tests turn
    /// the loop themselves instead of starting its thread.
    /// </summary>
    internal bool RunOnce(int waitMs)
    {
        RunCommands();
        long now = NowMs;
        if (now - _lastTickMs >= TickMs)
        {
            _lastTickMs = now;
            try { _handler.OnTick(now); }
            catch (Exception e) { Faulted?.Invoke(e); }
        }
        try
        {
            FlushMedia();
            if (_socket.WaitToReceive(waitMs))
            {
                ReceiveAvailable();
                FlushMedia();
            }
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private void ReceiveAvailable()
    {
        for (int i = 0; i < MaxDatagramsPerWakeup && !_stopping; i++)
        {
            if (!_socket.TryReceiveFrom(_receiveBuffer, _from, out int received)) return;
            // What was posted before this datagram arrived takes effect before it: a room's new
            // MLS epoch is posted before any member hears of it (DeliveryService), so a frame
            // sealed under that epoch is never judged by the one before (SFrameShape).
            RunCommands();
            if (received > MaxDatagramBytes)
            {
                _drops.Count(DropReason.Oversized);
                continue;
            }
            try
            {
                _handler.OnDatagram(_receiveBuffer.AsSpan(0, received), _from, NowMs);
            }
            catch (Exception e)
            {
                // A bug must cost one datagram, not every meeting on the box.
                Faulted?.Invoke(e);
            }
        }
    }

    private void RunCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            try { command(); }
            catch (Exception e) { Faulted?.Invoke(e); }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Wake();
        if (_thread.IsAlive && !IsOnLoopThread) _thread.Join(TimeSpan.FromSeconds(2));
    }
}
