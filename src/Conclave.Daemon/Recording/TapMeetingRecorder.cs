using Conclave.Crypto.Envelopes;
using Conclave.Recording.Recorder;
using Conclave.Web.Ports;

namespace Conclave.Daemon.Recording;

/// <summary>
/// Signalling's recorder port over the SFU's recording tap: the tap stores what the media loop
/// forwards, and this passes it the facts signalling knows (epochs, escrow, who is who, chat).
/// </summary>
internal sealed class TapMeetingRecorder : IMeetingRecorder, IRecordingEvents, IDisposable
{
    public TapMeetingRecorder(RecorderOptions options, IDataKeyWrapper storageKek, TimeProvider time) =>
        Tap = new RecordingTap(options, storageKek, time, this);

    /// <summary>What the media plane forwards through.</summary>
    public RecordingTap Tap { get; }

    public event Action<string, string>? StoppedItself;

    public void Start(string roomId, byte[] recordingId, string meetingId) => Tap.Start(roomId, recordingId, meetingId);

    public void Epoch(string roomId, ulong epoch) => Tap.AppendEpoch(roomId, epoch);

    public void Escrow(string roomId, ReadOnlySpan<byte> escrowBlob) => Tap.AppendEscrow(roomId, escrowBlob);

    public void Participant(string roomId, string participantId, ReadOnlySpan<byte> credential) => Tap.AppendParticipant(roomId, participantId, credential);

    public void Data(string roomId, string participantId, ulong epoch, ReadOnlySpan<byte> ciphertext) => Tap.AppendData(roomId, participantId, epoch, ciphertext);

    public async Task<RecorderSummary> StopAsync(string roomId, string endedBy)
    {
        var manifest = await Tap.StopAsync(roomId, endedBy);
        return new RecorderSummary(manifest.Segments.Sum(s => s.Bytes), manifest.Sha256());
    }

    /// <summary>On the recording's writer thread: the handler only starts the stop elsewhere.</summary>
    void IRecordingEvents.Stopped(string roomId, byte[] recordingId, string reason) => StoppedItself?.Invoke(roomId, reason);

    public void Dispose() => Tap.Dispose();
}
