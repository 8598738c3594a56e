using System.Runtime.InteropServices;

namespace Conclave.Media.Load;

/// <summary>The few Linux calls the tool needs that .NET does not offer: clocks, sleeps, thread ids, recvmmsg.</summary>
internal static unsafe partial class Native
{
    // Linux: CLOCK_REALTIME, CLOCK_MONOTONIC (time.h), TIMER_ABSTIME, PR_SET_TIMERSLACK (prctl.h).
    private const int ClockRealtime = 0;
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const int PrSetTimerSlack = 29;
    private const int PrioProcess = 0;

    /// <summary>MSG_DONTWAIT: recvmmsg returns what waits, never blocks.</summary>
    public const int MsgDontWait = 0x40;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>struct iovec of 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct mmsghdr of 64-bit Linux: a 56-byte msghdr, then the length received, padded to 64.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct MessageHeader
    {
        [FieldOffset(0)] public byte* Name;
        [FieldOffset(8)] public uint NameLength;
        [FieldOffset(16)] public IoVector* Vectors;
        [FieldOffset(24)] public nuint VectorCount;
        [FieldOffset(32)] public byte* Control;
        [FieldOffset(40)] public nuint ControlLength;
        [FieldOffset(48)] public int Flags;
        [FieldOffset(56)] public uint ReceivedLength;
    }

    /// <summary>
    /// CLOCK_REALTIME in nanoseconds: the clock the kernel's SO_TIMESTAMPNS receive timestamps are
    /// in (socket(7)), so a send time taken here and a receive timestamp subtract directly.
    /// </summary>
    public static long RealtimeNs()
    {
        Timespec time;
        clock_gettime(ClockRealtime, &time);
        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }

    public static long MonotonicNs()
    {
        Timespec time;
        clock_gettime(ClockMonotonic, &time);
        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }

    /// <summary>Sleeps until CLOCK_MONOTONIC reads <paramref name="deadlineNs"/>; at once if it has passed.</summary>
    public static void SleepUntil(long deadlineNs)
    {
        var deadline = new Timespec { Seconds = deadlineNs / 1_000_000_000, Nanoseconds = deadlineNs % 1_000_000_000 };
        while (clock_nanosleep(ClockMonotonic, TimerAbsolute, &deadline, null) == 4) { } // EINTR: sleep on
    }

    /// <summary>
    /// Timers of the calling thread fire within 1 ns of their deadline rather than the default
    /// 50 µs of slack (prctl(2) PR_SET_TIMERSLACK): the paced generator sleeps between bursts a
    /// few hundred µs apart.
    /// </summary>
    public static void TightenTimerSlack() => prctl(PrSetTimerSlack, 1, 0, 0, 0);

    /// <summary>
    /// Sets the calling thread's nice value (setpriority(2) on a thread id: Linux schedules threads
    /// one by one); false when not permitted (a negative value needs CAP_SYS_NICE).
    /// </summary>
    public static bool SetThreadNice(int nice) => setpriority(PrioProcess, (uint)gettid(), nice) == 0;

    /// <summary>Lets thread <paramref name="threadId"/> of this process run on <paramref name="cpu"/> only (sched_setaffinity(2)).</summary>
    public static void PinThread(int threadId, int cpu)
    {
        ulong mask = 1UL << cpu;
        if (sched_setaffinity(threadId, sizeof(ulong), &mask) != 0) throw new InvalidOperationException($"thread {threadId} could not be pinned to CPU {cpu}");
    }

    /// <summary>The calling thread's kernel id: its CPU time is in /proc/self/task/&lt;tid&gt;/schedstat.</summary>
    public static int CurrentThreadId() => gettid();

    public static int ReceiveMessages(int socket, MessageHeader* messages, uint count, int flags) =>
        recvmmsg(socket, messages, count, flags, null);

    [LibraryImport("libc"), SuppressGCTransition]
    private static partial int clock_gettime(int clock, Timespec* time);

    [LibraryImport("libc")]
    private static partial int clock_nanosleep(int clock, int flags, Timespec* request, Timespec* remaining);

    [LibraryImport("libc")]
    private static partial int prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc")]
    private static partial int sched_setaffinity(int threadId, nuint maskBytes, ulong* mask);

    [LibraryImport("libc")]
    private static partial int setpriority(int which, uint who, int priority);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int recvmmsg(int socket, MessageHeader* messages, uint count, int flags, Timespec* timeout);
}
