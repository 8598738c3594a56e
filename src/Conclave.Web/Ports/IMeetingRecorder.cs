namespace Conclave.Web.Ports;

/// <summary>
/// The recorder signalling feeds (docs/recording.md): it stores what the appliance relays as it
/// is — SFrame media from the SFU's forward tap, chat ciphertext, escrow blobs — and the facts an
/// export needs to attribute it (epochs, who sent on which session). It never holds a key that
/// opens any of it.
/// </summary>
public interface IMeetingRecorder
{
    /// <summary>Starts storing the room's media; throws <see cref="IOException"/> when the disk refuses.</summary>
    void Start(string roomId, byte[] recordingId, string meetingId);

    /// <summary>The Delivery Service accepted the commit that made <paramref name="epoch"/> (0: a new group was founded).</summary>
    void Epoch(string roomId, ulong epoch);

    void Escrow(string roomId, ReadOnlySpan<byte> escrowBlob);

    /// <summary>The credential the appliance issued to a participant: who sends on that media session.</summary>
    void Participant(string roomId, string participantId, ReadOnlySpan<byte> credential);

    void Data(string roomId, string participantId, ulong epoch, ReadOnlySpan<byte> ciphertext);

    /// <summary>Stops storing, seals what is left and writes the manifest.</summary>
    Task<RecorderSummary> StopAsync(string roomId, string endedBy);

    /// <summary>Called when the recorder stops on its own (the disk filled); never on the media loop.</summary>
    event Action<string, string>? StoppedItself;
}

/// <param name="Bytes">What the recording occupies on disk.</param>
/// <param name="ManifestSha256">SHA-256 of the sealed manifest, for the audit log.</param>
public sealed record RecorderSummary(long Bytes, byte[] ManifestSha256);
