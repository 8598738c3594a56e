using System.Net;
using Conclave.Media.Srtp;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>How a <see cref="ScriptedParticipant"/> joins; the SSRCs are whatever the test chooses, someone else's included.</summary>
internal sealed record ParticipantOptions
{
    /// <summary>Announced on the publish-audio mid (a=sendonly); null leaves that section inactive.</summary>
    public uint? AudioSsrc { get; init; }

    /// <summary>Announced on the publish-video mid, with <see cref="RtxSsrc"/> in a=ssrc-group:FID.</summary>
    public uint? VideoSsrc { get; init; }

    public uint? RtxSsrc { get; init; }

    /// <summary>False: signalling only (join, answer) — no ICE, DTLS or SRTP.</summary>
    public bool ConnectMedia { get; init; } = true;

    public string DisplayName { get; init; } = "Scripted participant";

    /// <summary>The address the participant's UDP socket binds (port chosen by the kernel).</summary>
    public IPAddress LocalAddress { get; init; } = IPAddress.Loopback;

    /// <summary>use_srtp profiles offered in the ClientHello, in order of preference (Chromium offers both).</summary>
    public IReadOnlyList<SrtpProfile> OfferedSrtpProfiles { get; init; } = [SrtpProfile.AeadAes128Gcm, SrtpProfile.AesCm128HmacSha1_80];
}

/// <summary>An offer as the participant received it.</summary>
/// <param name="Tracks">The offer message's tracks: which participant's stream (and which source) each forwarding mid carries.</param>
internal sealed record ReceivedOffer(int Revision, string Sdp, ApplianceOffer Parsed, string PublishAudioMid, string PublishVideoMid, long ReceivedMs,
    IReadOnlyList<OfferedTrack> Tracks)
{
    public int SdpBytes => System.Text.Encoding.UTF8.GetByteCount(Sdp);
}

/// <summary>One entry of an offer's <c>tracks</c> (docs/signalling.md).</summary>
internal sealed record OfferedTrack(string Mid, string ParticipantId, string Kind, string Source);

/// <summary>A signalling <c>error</c> message (docs/signalling.md "Error codes").</summary>
internal sealed record SignallingError(string Code, string Message);

/// <summary>The appliance refused the participant: the <c>error</c> it sent before closing signalling.</summary>
internal sealed class SignallingRefusedException(SignallingError error)
    : Exception($"signalling refused the participant: {error.Code}: {error.Message}")
{
    public SignallingError Error { get; } = error;
}
