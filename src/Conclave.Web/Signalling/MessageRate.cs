namespace Conclave.Web.Signalling;

/// <summary>
/// A token bucket over one socket's messages: <c>perSecond</c> on average, twice that at
/// once (a renegotiation's answer and a burst of trickled candidates arrive together).
/// </summary>
internal struct MessageRate(int perSecond)
{
    private readonly double _capacity = 2.0 * perSecond;
    private double _tokens = 2.0 * perSecond;
    private long _lastMs = -1;

    public bool TryTake(long nowMs)
    {
        if (_lastMs >= 0) _tokens = Math.Min(_capacity, _tokens + (nowMs - _lastMs) * perSecond / 1000.0);
        _lastMs = nowMs;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
