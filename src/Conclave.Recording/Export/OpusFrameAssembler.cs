using Conclave.Media.Rtp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>Opus over RTP carries one frame per packet, the whole payload (RFC 7587 §4.2).</summary>
internal static class OpusFrameAssembler
{
    public static AssembledStream Assemble(IReadOnlyList<RecordedRtp> packets, OrderedRtpStream stream)
    {
        var fragments = new RtpFragment[stream.Count];
        var frames = new List<AssembledFrame>(stream.Count);
        var unroller = new RtpTimestampUnroller();
        int lost = 0;
        for (int i = 0; i < stream.Count; i++)
        {
            int missing = i == 0 ? 0 : (int)(stream.ExtendedSequences[i] - stream.ExtendedSequences[i - 1] - 1);
            lost += missing;
            var recorded = packets[stream.PacketIndices[i]];
            RtpPacket.TryParse(recorded.RtpPacket, out var rtp);
            fragments[i] = new RtpFragment(stream.PacketIndices[i], rtp.HeaderLength, rtp.Payload.Length);
            frames.Add(new AssembledFrame(unroller.Unroll(rtp.Timestamp), recorded.ArrivalUs, i, 1, Complete: true, AfterLoss: missing > 0));
        }
        return new AssembledStream(stream.Ssrc, fragments, frames, lost);
    }
}
