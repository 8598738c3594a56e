using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>Where a piece of a frame lies: bytes of one recorded packet.</summary>
internal readonly record struct RtpFragment(int PacketIndex, int Offset, int Length);

/// <summary>
/// One frame as the depacketizer found it: its fragments, RTP timestamp (the 32-bit wrap unrolled),
/// and the arrival of its earliest packet. <see cref="Complete"/> is false when a packet of it
/// is missing; <see cref="AfterLoss"/> when packets went missing between the frame before and this
/// one (whole frames may have been lost there, so a delta frame's references may be gone).
/// </summary>
internal readonly record struct AssembledFrame(long RtpTimestamp, ulong ArrivalMicroseconds, int FirstFragment, int FragmentCount, bool Complete, bool AfterLoss);

/// <summary>The frames of one RTP stream, in sequence order, and how many of its packets never arrived.</summary>
internal sealed record AssembledStream(uint Ssrc, RtpFragment[] Fragments, List<AssembledFrame> Frames, int PacketsLost)
{
    /// <summary>The sum of the frame's fragment lengths.</summary>
    public int FrameLength(in AssembledFrame frame)
    {
        int length = 0;
        for (int i = 0; i < frame.FragmentCount; i++) length += Fragments[frame.FirstFragment + i].Length;
        return length;
    }

    /// <summary>Copies the frame's fragments, in order, to the start of <paramref name="destination"/>.</summary>
    public void CopyFrame(IReadOnlyList<RecordedRtp> packets, in AssembledFrame frame, Span<byte> destination)
    {
        int offset = 0;
        for (int i = 0; i < frame.FragmentCount; i++)
        {
            var fragment = Fragments[frame.FirstFragment + i];
            packets[fragment.PacketIndex].RtpPacket.AsSpan(fragment.Offset, fragment.Length).CopyTo(destination[offset..]);
            offset += fragment.Length;
        }
    }
}
