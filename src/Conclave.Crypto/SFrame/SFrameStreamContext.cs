namespace Conclave.Crypto.SFrame;

/// <summary>
/// The KID context of each kind of stream a participant sends, so that no two of its streams
/// share a key and their counters never collide.
/// </summary>
public enum SFrameStreamContext : ulong
{
    Microphone = 0,
    Camera = 1,
    ScreenVideo = 2,
    ScreenAudio = 3,
    Chat = 4,
    Annotation = 5,
    FileOffer = 6,
}
