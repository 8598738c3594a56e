namespace Conclave.Recording.Recorder;

/// <summary>The records of a segment (docs/recording.md, "Recorder: what is stored").</summary>
public enum RecordType : byte
{
    Rtp = 1,
    SenderReport = 2,
    Epoch = 3,
    Escrow = 4,
    Participant = 5,
    Data = 6,
    Gap = 7,
}
