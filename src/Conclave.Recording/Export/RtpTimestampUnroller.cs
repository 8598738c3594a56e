namespace Conclave.Recording.Export;

/// <summary>
/// Unrolls 32-bit RTP timestamps (RFC 3550 §5.1) into a 64-bit timeline: each one is taken as
/// the nearest value to the one before, so a stream crosses 2^32 (13 hours at 90 kHz, 25 at
/// 48 kHz) without jumping back.
/// </summary>
internal struct RtpTimestampUnroller
{
    private long _last;
    private bool _started;

    public long Unroll(uint timestamp)
    {
        _last = _started ? Nearest(_last, timestamp) : timestamp;
        _started = true;
        return _last;
    }

    /// <summary>The 64-bit value with the low 32 bits <paramref name="timestamp"/> nearest to <paramref name="reference"/>.</summary>
    public static long Nearest(long reference, uint timestamp) => reference + (int)(timestamp - (uint)reference);
}
