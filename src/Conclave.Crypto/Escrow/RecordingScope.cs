namespace Conclave.Crypto.Escrow;

/// <summary>What a recording keeps (the conclave_recording extension's scope): media, or media and chat.</summary>
public enum RecordingScope : byte
{
    Media = 1,
    MediaAndChat = 2,
}
