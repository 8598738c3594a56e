using Conclave.Crypto.Envelopes;
using Conclave.Recording.Recorder;
using Conclave.Web.Ports;

namespace Conclave.Daemon.Recording;

/// <summary>Bundles a recording with the appliance token's storage KEK and its credential CA's public key.</summary>
internal sealed class TokenRecordingBundler(RecorderOptions options, IDataKeyWrapper storageKek, TokenCredentialSigner credentialCa) : IRecordingBundler
{
    public void WriteBundle(string recordingId, string destinationDirectory)
    {
        try
        {
            RecordingBundle.Write(options, recordingId, storageKek, credentialCa.CaPublicKeySpki(), destinationDirectory);
        }
        catch (RecordingDataException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
