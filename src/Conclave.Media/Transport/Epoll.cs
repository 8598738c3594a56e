using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Conclave.Media.Transport;

/// <summary>
/// A Linux epoll set (epoll(7)), level-triggered: what a media loop waits on when its port is
/// one socket plus a connected socket per steered remote. After a wait, the ready sockets are
/// read in turn until each says EAGAIN; one still readable is reported again by the next wait.
/// </summary>
internal sealed unsafe partial class Epoll : IDisposable
{
    private const int MaxEvents = 64;
    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const uint EpollIn = 0x001;

    /// <summary>
    /// struct epoll_event: a u32 of events then the u64 data, packed on x86-64 (12 bytes) and
    /// naturally aligned elsewhere (16).
    /// </summary>
    private static readonly int EventBytes = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventBytes - sizeof(ulong);

    private readonly int _descriptor;
    private readonly byte[] _events = GC.AllocateArray<byte>(MaxEvents * 16, pinned: true);
    private int _readyCount;
    private int _readyIndex;
    private volatile bool _disposed;

    public Epoll()
    {
        _descriptor = epoll_create1(EpollCloexec);
        if (_descriptor < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>Adds a socket; closing the socket takes it out again.</summary>
    public void Add(Socket socket)
    {
        int descriptor = (int)socket.SafeHandle.DangerousGetHandle();
        byte* change = stackalloc byte[16];
        *(uint*)change = EpollIn;
        *(ulong*)(change + DataOffset) = (ulong)descriptor;
        if (epoll_ctl(_descriptor, EpollCtlAdd, descriptor, change) != 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>Blocks up to <paramref name="timeoutMs"/> until a socket is readable; false when none is.</summary>
    public bool Wait(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int ready;
        fixed (byte* events = _events)
        {
            ready = epoll_wait(_descriptor, events, MaxEvents, timeoutMs);
        }
        // Interrupted by a signal (EINTR), or closed under the loop: nothing ready this turn.
        ObjectDisposedException.ThrowIf(_disposed, this);
        _readyCount = Math.Max(ready, 0);
        _readyIndex = 0;
        return _readyCount > 0;
    }

    /// <summary>The socket to read next, until <see cref="NextReady"/> moves past it.</summary>
    public bool TryPeekReady(out int descriptor)
    {
        if (_readyIndex >= _readyCount)
        {
            descriptor = -1;
            return false;
        }
        descriptor = (int)BitConverter.ToUInt64(_events, _readyIndex * EventBytes + DataOffset);
        return true;
    }

    /// <summary>The socket peeked is drained (or gone).</summary>
    public void NextReady() => _readyIndex++;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        close(_descriptor);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int operation, int descriptor, byte* change);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epoll, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int descriptor);
}
