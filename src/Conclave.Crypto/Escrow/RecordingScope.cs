namespace Conclave.Crypto.Escrow;

/// <summary>
/// What a recording keeps (the conclave_recording extension's scope): media, or media and chat;
/// or nothing any more. A stopped recording stays in the group context as <see cref="Stopped"/>
/// with no escrow keys, because ts-mls 1.6.4 reads a GroupContextExtensions proposal with an
/// empty list as "no change" (docs/recording.md).
/// </summary>
public enum RecordingScope : byte
{
    Stopped = 0,
    Media = 1,
    MediaAndChat = 2,
}
