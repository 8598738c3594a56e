using Conclave.Media.Rtp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>
/// Rebuilds VP8 frames from one stream's packets in sequence order (RFC 7741 §4): each payload
/// less its payload descriptor, a frame starting at S=1 with PID=0 and ending at the marker bit
/// (§4.1), every packet of it sharing the RTP timestamp. A frame whose start, middle or end is
/// missing is kept as incomplete so the export can skip it and what depends on it.
/// </summary>
internal static class Vp8FrameAssembler
{
    public static AssembledStream Assemble(IReadOnlyList<RecordedRtp> packets, OrderedRtpStream stream)
    {
        var fragments = new RtpFragment[stream.Count];
        var frames = new List<AssembledFrame>();
        var frame = new OpenFrame();
        var unroller = new RtpTimestampUnroller();
        int lost = 0;
        bool lossBeforeNextFrame = false;
        for (int i = 0; i < stream.Count; i++)
        {
            int missing = i == 0 ? 0 : (int)(stream.ExtendedSequences[i] - stream.ExtendedSequences[i - 1] - 1);
            var recorded = packets[stream.PacketIndices[i]];
            RtpPacket.TryParse(recorded.RtpPacket, out var rtp);
            if (!Vp8PayloadDescriptor.TryParse(rtp.Payload, out var descriptor))
            {
                // A payload too short for its own descriptor is no use: as good as lost.
                missing++;
                lost += missing;
                if (frame.IsOpen) frame.Broken = true;
                else lossBeforeNextFrame = true;
                continue;
            }
            lost += missing;
            long timestamp = unroller.Unroll(rtp.Timestamp);
            bool continuesFrame = frame.IsOpen && !descriptor.StartsFrame && timestamp == frame.RtpTimestamp;
            if (missing > 0)
            {
                // Inside one frame the loss is that frame's; at a boundary whole frames may be gone too.
                if (continuesFrame) frame.Broken = true;
                else lossBeforeNextFrame = true;
            }
            if (frame.IsOpen && !continuesFrame) frames.Add(frame.Close(complete: false));
            if (!frame.IsOpen)
            {
                frame.Start(i, timestamp, recorded.ArrivalUs, broken: !descriptor.StartsFrame, afterLoss: lossBeforeNextFrame);
                lossBeforeNextFrame = false;
            }
            else if (recorded.ArrivalUs < frame.ArrivalMicroseconds)
            {
                frame.ArrivalMicroseconds = recorded.ArrivalUs;
            }
            int payloadOffset = rtp.HeaderLength + descriptor.Length;
            fragments[i] = new RtpFragment(stream.PacketIndices[i], payloadOffset, rtp.Payload.Length - descriptor.Length);
            frame.FragmentCount = i + 1 - frame.FirstFragment;
            if (rtp.Marker) frames.Add(frame.Close(complete: !frame.Broken));
        }
        // The recording stopped before this frame's last packet.
        if (frame.IsOpen) frames.Add(frame.Close(complete: false));
        return new AssembledStream(stream.Ssrc, fragments, frames, lost);
    }

    private struct OpenFrame
    {
        public bool IsOpen;
        public bool Broken;
        public int FirstFragment;
        public int FragmentCount;
        public long RtpTimestamp;
        public ulong ArrivalMicroseconds;
        private bool _afterLoss;

        public void Start(int firstFragment, long rtpTimestamp, ulong arrivalMicroseconds, bool broken, bool afterLoss)
        {
            IsOpen = true;
            Broken = broken;
            FirstFragment = firstFragment;
            FragmentCount = 0;
            RtpTimestamp = rtpTimestamp;
            ArrivalMicroseconds = arrivalMicroseconds;
            _afterLoss = afterLoss;
        }

        public AssembledFrame Close(bool complete)
        {
            IsOpen = false;
            return new AssembledFrame(RtpTimestamp, ArrivalMicroseconds, FirstFragment, FragmentCount, complete, _afterLoss);
        }
    }
}
