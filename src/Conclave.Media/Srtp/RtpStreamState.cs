namespace Conclave.Media.Srtp;

/// <summary>
/// Per-SSRC SRTP state: the rollover counter, the highest sequence number seen
/// (s_l) and the replay window (RFC 3711 §3.2.1, §3.3.1).
/// </summary>
internal sealed class RtpStreamState
{
    private uint _rolloverCounter;
    private ushort _highestSequence;
    private bool _started;
    public ReplayWindow Window;

    /// <summary>
    /// The packet index a sequence number most likely belongs to (RFC 3711 §3.3.1 and
    /// Appendix A): the candidate ROC−1, ROC or ROC+1 whose index lies closest to s_l.
    /// Negative when the packet predates the stream's first ROC.
    /// </summary>
    public long EstimateIndex(ushort sequence)
    {
        if (!_started) return sequence;
        long roc = _rolloverCounter;
        long guess;
        if (_highestSequence < 32768)
        {
            guess = sequence - _highestSequence > 32768 ? roc - 1 : roc;
        }
        else
        {
            guess = _highestSequence - 32768 > sequence ? roc + 1 : roc;
        }
        return (guess << 16) | sequence;
    }

    /// <summary>Records an authenticated (or, sending, a protected) index.</summary>
    public void Commit(ulong index)
    {
        ulong highest = ((ulong)_rolloverCounter << 16) | _highestSequence;
        if (!_started || index > highest)
        {
            _rolloverCounter = (uint)(index >> 16);
            _highestSequence = (ushort)index;
            _started = true;
        }
        Window.Accept(index);
    }
}

/// <summary>Per-SSRC SRTCP state: the next index to send and the replay window of those received.</summary>
internal sealed class RtcpStreamState
{
    /// <summary>RFC 3711 §3.4: the SRTCP index is 31 bits.</summary>
    public const uint MaxIndex = 0x7FFFFFFF;

    public uint NextIndex;
    public ReplayWindow Window;
}
