namespace Conclave.Media.Load;

/// <summary>
/// One of the tool's own threads (a generator, the receiver): its Linux thread id is kept so its
/// CPU time can be read from /proc, and with a CPU given it pins itself there before it does
/// anything. <see cref="Start"/> returns once <see cref="Work"/> says it is ready; <see cref="Stop"/>
/// waits for it to end, and what it measured stays readable.
/// </summary>
internal abstract class ToolThread(string name, int cpu) : IDisposable
{
    private readonly ManualResetEventSlim _ready = new();
    private volatile bool _stopping;
    private Thread? _running;

    public int ThreadId { get; private set; }

    protected bool Stopping => _stopping;

    public void Start()
    {
        _running = new Thread(Run) { IsBackground = true, Name = name };
        _running.Start();
        _ready.Wait();
    }

    private void Run()
    {
        ThreadId = Native.CurrentThreadId();
        if (cpu >= 0) Native.PinThread(ThreadId, cpu);
        Work();
    }

    /// <summary>The thread's work, until <see cref="Stopping"/>; it calls <see cref="Ready"/> before its first packet.</summary>
    protected abstract void Work();

    protected void Ready() => _ready.Set();

    public void Stop()
    {
        _stopping = true;
        _running?.Join();
    }

    public virtual void Dispose()
    {
        Stop();
        _ready.Dispose();
    }
}
