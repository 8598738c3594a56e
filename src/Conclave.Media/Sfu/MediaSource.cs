using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>
/// What a published stream comes from. A participant publishes at most one of each, each
/// on its own recvonly section of its SDP (docs/signalling.md): the microphone, the camera,
/// and the screen it shares, an auxiliary video stream (docs/content-sharing.md).
/// </summary>
public enum MediaSource
{
    Microphone,
    Camera,
    Screen,
}

public static class MediaSources
{
    /// <summary>Every source, in the order of their publish mids: indexes of a per-source array.</summary>
    public const int Count = 3;

    public static MediaKind KindOf(this MediaSource source) => source == MediaSource.Microphone ? MediaKind.Audio : MediaKind.Video;

    /// <summary>The source as signalling names it (<c>offer.tracks[].source</c>).</summary>
    public static string WireName(this MediaSource source) => source switch
    {
        MediaSource.Microphone => "microphone",
        MediaSource.Camera => "camera",
        MediaSource.Screen => "screen",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };
}
