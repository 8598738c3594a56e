using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Recorder;

/// <summary>
/// A recording as it leaves the appliance for review (docs/recording.md, "Bundles"): the
/// storage-KEK layer removed, the SFrame ciphertext and escrow blobs still end-to-end
/// encrypted, every segment verified against the manifest on the way out, and the public key of
/// the credential CA that signed the participants' credentials. Only the compliance token opens
/// what is inside, on the appliance or on an offline review station.
/// </summary>
public static class RecordingBundle
{
    public const string CredentialCaFileName = "credential-ca.spki.der";

    /// <summary>Writes recording <paramref name="recordingId"/> into <paramref name="destination"/>, which must be new or empty.</summary>
    /// <exception cref="RecordingDataException">The recording does not exist or a segment does not verify; nothing usable is left in <paramref name="destination"/>.</exception>
    public static void Write(RecorderOptions options, string recordingId, IDataKeyWrapper storageKek, byte[] credentialCaSpki, string destination)
    {
        if (!SegmentFormat.IsDirectoryName(recordingId)) throw new RecordingDataException($"'{recordingId}' is not a recording id (32 lowercase hex digits)");
        string source = Path.Combine(options.RecordingsDirectory, recordingId);
        if (!Directory.Exists(source)) throw new RecordingDataException($"no recording {recordingId} on this appliance (shredded, or never stored)");
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new RecordingDataException($"{destination} is not empty: a bundle goes into a new directory");
        }
        try
        {
            PlainRecordingSource.Write(RecordingReader.OpenSealed(source, storageKek), destination);
            File.WriteAllBytes(Path.Combine(destination, CredentialCaFileName), credentialCaSpki);
        }
        catch
        {
            if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
            throw;
        }
    }

    /// <summary>A bundle's recording and the credential CA's public key.</summary>
    public static (RecordingReader Recording, byte[] CredentialCaSpki) Open(string bundleDirectory)
    {
        string ca = Path.Combine(bundleDirectory, CredentialCaFileName);
        if (!File.Exists(ca)) throw new RecordingDataException($"{bundleDirectory}: no {CredentialCaFileName} (not a recording bundle)");
        return (RecordingReader.OpenPlain(bundleDirectory), File.ReadAllBytes(ca));
    }
}
