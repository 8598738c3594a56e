namespace Conclave.Web.Ports;

/// <summary>Writes a stopped recording as a bundle (docs/recording.md, "Bundles"): its storage encryption removed, its media still end-to-end encrypted.</summary>
public interface IRecordingBundler
{
    /// <exception cref="InvalidDataException">The recording's files are missing or do not verify.</exception>
    void WriteBundle(string recordingId, string destinationDirectory);
}
