using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Conclave.Media.Transport;

/// <summary>
/// A Linux epoll set (epoll(7)), level-triggered: what a media loop waits on when its port is
/// one socket plus a connected socket per steered remote. After a wait, the ready sockets are
/// read in turn until each says EAGAIN; one still readable is reported again by the next wait.
/// An eventfd (eventfd(2)) in the set lets another thread end a wait early (<see cref="Wake"/>),
/// so an idle loop can wait without a timeout and still run a command posted to it at once.
/// </summary>
internal sealed unsafe partial class Epoll : IDisposable
{
    private const int MaxEvents = 64;
    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const uint EpollIn = 0x001;
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;

    /// <summary>
    /// struct epoll_event: a u32 of events then the u64 data, packed on x86-64 (12 bytes) and
    /// naturally aligned elsewhere (16).
    /// </summary>
    private static readonly int EventBytes = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventBytes - sizeof(ulong);

    private readonly int _descriptor;
    /// <summary>The eventfd; a SafeHandle, so a <see cref="Wake"/> racing <see cref="Dispose"/> never writes to a reused descriptor.</summary>
    private readonly SafeFileHandle _wakeup;
    private readonly int _wakeupDescriptor;
    private readonly byte[] _events = GC.AllocateArray<byte>(MaxEvents * 16, pinned: true);
    private int _readyCount;
    private int _readyIndex;
    private volatile bool _disposed;

    public Epoll()
    {
        _descriptor = epoll_create1(EpollCloexec);
        if (_descriptor < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        _wakeupDescriptor = eventfd(0, EfdCloexec | EfdNonblock);
        if (_wakeupDescriptor < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            close(_descriptor);
            throw new SocketException(error);
        }
        _wakeup = new SafeFileHandle(_wakeupDescriptor, ownsHandle: true);
        Add(_wakeupDescriptor);
    }

    /// <summary>Adds a socket; closing the socket takes it out again.</summary>
    public void Add(Socket socket) => Add((int)socket.SafeHandle.DangerousGetHandle());

    private void Add(int descriptor)
    {
        byte* change = stackalloc byte[16];
        *(uint*)change = EpollIn;
        *(ulong*)(change + DataOffset) = (ulong)descriptor;
        if (epoll_ctl(_descriptor, EpollCtlAdd, descriptor, change) != 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>Ends a <see cref="Wait"/> in progress, or the next one, early. Any thread; nothing after <see cref="Dispose"/>.</summary>
    public void Wake()
    {
        ulong one = 1;
        try
        {
            // The counter only grows until the waiter reads it; EAGAIN (it is full) still wakes.
            write(_wakeup, &one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: nobody waits any more.
        }
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
        TakeWakeup();
        return _readyCount > 0;
    }

    /// <summary>Resets the eventfd if it was among the ready, and leaves only sockets in the list.</summary>
    private void TakeWakeup()
    {
        for (int i = 0; i < _readyCount; i++)
        {
            if (DescriptorAt(i) != _wakeupDescriptor) continue;
            ulong count;
            read(_wakeup, &count, sizeof(ulong));
            // The last event takes its place: the order sockets are read in does not matter.
            int last = --_readyCount;
            _events.AsSpan(last * EventBytes, EventBytes).CopyTo(_events.AsSpan(i * EventBytes, EventBytes));
            return;
        }
    }

    private int DescriptorAt(int index) => (int)BitConverter.ToUInt64(_events, index * EventBytes + DataOffset);

    /// <summary>The socket to read next, until <see cref="NextReady"/> moves past it.</summary>
    public bool TryPeekReady(out int descriptor)
    {
        if (_readyIndex >= _readyCount)
        {
            descriptor = -1;
            return false;
        }
        descriptor = DescriptorAt(_readyIndex);
        return true;
    }

    /// <summary>The socket peeked is drained (or gone).</summary>
    public void NextReady() => _readyIndex++;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        close(_descriptor);
        _wakeup.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int operation, int descriptor, byte* change);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epoll, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int descriptor);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int eventfd(uint initialValue, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(SafeFileHandle descriptor, void* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(SafeFileHandle descriptor, void* buffer, nuint length);
}
