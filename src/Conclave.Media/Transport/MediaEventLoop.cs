using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Conclave.Media.Diagnostics;

namespace Conclave.Media.Transport;

/// <summary>
/// The one thread that owns all media state (as mediasoup's worker does): it receives
/// every datagram of the shared UDP port, runs timers and executes commands posted by
/// other threads, so the packet path needs no locks.
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

    private readonly Socket _socket;                 // Allocated by this.
    private readonly IDatagramHandler _handler;      // Passed by argument.
    private readonly DropCounters _drops;            // Passed by argument.
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferBytes, pinned: true);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _lastTickMs;

    public MediaEventLoop(Socket socket, IDatagramHandler handler, DropCounters drops)
    {
        _socket = socket;
        _handler = handler;
        _drops = drops;
        _thread = new Thread(Run) { IsBackground = true, Name = "media-loop" };
    }

    /// <summary>Raised on the loop thread when a handler or command threw; the loop goes on.</summary>
    public event Action<Exception>? Faulted;

    public static long NowMs => Stopwatch.GetTimestamp() * 1000 / Stopwatch.Frequency;

    public int ManagedThreadId => _thread.ManagedThreadId;

    public bool IsOnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    public void Start() => _thread.Start();

    /// <summary>Runs <paramref name="command"/> on the loop thread, soon.</summary>
    public void Post(Action command) => _commands.Enqueue(command);

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

    /// <summary>Sends one datagram; safe from any thread (the kernel serialises sends).</summary>
    public bool TrySend(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
            return true;
        }
        catch (SocketException)
        {
            _drops.Count(DropReason.SendFailed);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private void Run()
    {
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_stopping)
        {
            RunCommands();
            long now = NowMs;
            if (now - _lastTickMs >= TickMs)
            {
                _lastTickMs = now;
                try { _handler.OnTick(now); }
                catch (Exception e) { Faulted?.Invoke(e); }
            }
            bool readable;
            try { readable = _socket.Poll(TickMs * 1000, SelectMode.SelectRead); }
            catch (ObjectDisposedException) { return; }
            if (!readable) continue;
            ReceiveAvailable(from);
        }
    }

    private void ReceiveAvailable(SocketAddress from)
    {
        for (int i = 0; i < MaxDatagramsPerWakeup && !_stopping; i++)
        {
            int received;
            try
            {
                if (_socket.Available == 0 && i > 0) return;
                received = _socket.ReceiveFrom(_receiveBuffer, SocketFlags.None, from);
            }
            catch (SocketException)
            {
                // Linux reports an earlier send's ICMP port-unreachable on the next
                // receive (ECONNREFUSED); the datagram it refers to is already gone.
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (received > MaxDatagramBytes)
            {
                _drops.Count(DropReason.Oversized);
                continue;
            }
            try
            {
                _handler.OnDatagram(_receiveBuffer.AsSpan(0, received), from, NowMs);
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
        if (_thread.IsAlive && !IsOnLoopThread) _thread.Join(TimeSpan.FromSeconds(2));
    }
}
