namespace Conclave.Web.Signalling;

/// <summary>
/// At most <c>perSecond</c> messages in any one second, exactly: the times of the last
/// <c>perSecond</c> accepted are kept, and a message is accepted only when the oldest of them
/// is a second old. (A token bucket would let twice as many through across a second's edge.)
/// </summary>
internal sealed class DataMessageRate
{
    private readonly long[] _acceptedMs;
    private int _oldest;

    public DataMessageRate(int perSecond)
    {
        _acceptedMs = new long[perSecond];
        Array.Fill(_acceptedMs, long.MinValue / 2);
    }

    public bool TryTake(long nowMs)
    {
        if (nowMs - _acceptedMs[_oldest] < 1000) return false;
        _acceptedMs[_oldest] = nowMs;
        _oldest = (_oldest + 1) % _acceptedMs.Length;
        return true;
    }
}
