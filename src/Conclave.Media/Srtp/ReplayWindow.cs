namespace Conclave.Media.Srtp;

/// <summary>
/// The sliding replay window of RFC 3711 §3.3.2 over 48-bit SRTP or 31-bit SRTCP
/// indices: the highest accepted index and a 64-bit map of the ones just below it.
/// Checked before, and moved only after, a packet authenticates.
/// </summary>
internal struct ReplayWindow
{
    /// <summary>RFC 3711 §3.3.2 asks for at least 64; libsrtp and pion use 64 too.</summary>
    public const int WindowPackets = 64;

    private ulong _highest;
    private ulong _seen; // bit i: index (_highest - i) was accepted
    private bool _started;

    public readonly SrtpStatus Check(ulong index)
    {
        if (!_started || index > _highest) return SrtpStatus.Ok;
        ulong age = _highest - index;
        if (age >= WindowPackets) return SrtpStatus.TooOld;
        return (_seen & (1UL << (int)age)) != 0 ? SrtpStatus.Replayed : SrtpStatus.Ok;
    }

    public void Accept(ulong index)
    {
        if (!_started)
        {
            _started = true;
            _highest = index;
            _seen = 1;
            return;
        }
        if (index > _highest)
        {
            ulong shift = index - _highest;
            _seen = shift >= WindowPackets ? 1 : (_seen << (int)shift) | 1;
            _highest = index;
            return;
        }
        _seen |= 1UL << (int)(_highest - index);
    }
}
