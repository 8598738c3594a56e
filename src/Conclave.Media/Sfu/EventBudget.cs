namespace Conclave.Media.Sfu;

/// <summary>
/// At most <c>limit</c> events in any <c>windowMs</c>: the times of the last <c>limit</c>
/// events taken, kept in a ring. Exact where a counter reset at fixed window boundaries is
/// not: that one lets twice the limit through across a boundary.
/// NOTE: runs on the media loop thread; allocates only at construction.
/// </summary>
internal sealed class EventBudget(int limit, long windowMs)
{
    private readonly long[] _takenAtMs = new long[limit];
    private int _taken;   // events recorded, up to the ring's length
    private int _next;    // where the next event goes; once the ring is full, the oldest event's slot

    /// <summary>Records one event at <paramref name="nowMs"/>; false, recording nothing, when the window already holds the limit.</summary>
    public bool TryTake(long nowMs)
    {
        if (_taken == _takenAtMs.Length)
        {
            if (nowMs - _takenAtMs[_next] < windowMs) return false;
        }
        else
        {
            _taken++;
        }
        _takenAtMs[_next] = nowMs;
        _next = (_next + 1) % _takenAtMs.Length;
        return true;
    }
}
