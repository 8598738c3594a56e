namespace Conclave.Media.Sdp;

/// <summary>Checks that an answer answers the offer it names (RFC 3264 §6, RFC 8829 §5.3).</summary>
public static class SdpAnswerValidator
{
    public static bool TryValidate(SdpOffer offer, SdpAnswer answer, out string? error)
    {
        if (answer.Sections.Count != offer.Sections.Count)
        {
            error = $"the answer has {answer.Sections.Count} m-sections; the offer had {offer.Sections.Count} (RFC 3264 §6)";
            return false;
        }
        for (int i = 0; i < offer.Sections.Count; i++)
        {
            var offered = offer.Sections[i];
            var answered = answer.Sections[i];
            if (answered.Mid != offered.Mid || answered.Kind != offered.Kind)
            {
                error = $"m-section {i + 1} answers mid {answered.Mid} ({answered.Kind}); the offer had mid {offered.Mid} ({offered.Kind})";
                return false;
            }
            if (answered.Rejected) continue;
            if (!answered.RtcpMux)
            {
                error = $"mid {answered.Mid}: a=rtcp-mux is required (RFC 8843 and 5761: one port for RTP and RTCP)";
                return false;
            }
            bool directionFits = offered.Direction switch
            {
                MediaDirection.RecvOnly => answered.Direction is MediaDirection.SendOnly or MediaDirection.Inactive,
                MediaDirection.SendOnly => answered.Direction is MediaDirection.RecvOnly or MediaDirection.Inactive,
                MediaDirection.Inactive => answered.Direction == MediaDirection.Inactive,
                _ => true,
            };
            if (!directionFits)
            {
                error = $"mid {answered.Mid}: a={SdpWriter.Direction(answered.Direction)} cannot answer a={SdpWriter.Direction(offered.Direction)} (RFC 3264 §6.1)";
                return false;
            }
            int[] offeredTypes = offered.Kind == MediaKind.Audio
                ? [SdpCodecs.OpusPayloadType]
                : [SdpCodecs.Vp8PayloadType, SdpCodecs.RtxPayloadType];
            foreach (int payloadType in answered.PayloadTypes)
            {
                if (!offeredTypes.Contains(payloadType))
                {
                    error = $"mid {answered.Mid}: payload type {payloadType} was not offered";
                    return false;
                }
            }
        }
        error = null;
        return true;
    }
}
