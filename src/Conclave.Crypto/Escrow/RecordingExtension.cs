using System.Diagnostics.CodeAnalysis;
using System.Text;
using Conclave.Crypto.Mls;

namespace Conclave.Crypto.Escrow;

/// <summary>
/// The body of the GroupContext extension <c>conclave_recording</c> (type 0xF0A1, RFC 9420 §17.3
/// private use; docs/recording.md), present while a meeting records: its presence is what makes
/// members escrow each epoch to every key it lists.
/// <code>
/// struct {
///   uint8  version = 1;
///   opaque recording_id[16];
///   uint8  scope;                 // 0 = stopped (no escrow keys), 1 = media, 2 = media and chat
///   opaque escrow_keys&lt;V&gt;;        // EscrowKey per key: struct { opaque spki&lt;V&gt;; }
///   opaque started_by&lt;V&gt;;         // UTF-8 display name of the host who started it
/// } ConclaveRecording;
/// </code>
/// </summary>
/// <param name="EscrowKeys">Each escrow key's DER SubjectPublicKeyInfo.</param>
public sealed record RecordingExtension(byte[] RecordingId, RecordingScope Scope, IReadOnlyList<byte[]> EscrowKeys, string StartedBy)
{
    public const ushort ExtensionType = 0xF0A1;
    public const byte Version = 1;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public byte[] Write()
    {
        if (!Enum.IsDefined(Scope)) throw new ArgumentException($"scope {(byte)Scope} is neither stopped (0), media (1) nor media and chat (2)", nameof(Scope));
        if ((Scope == RecordingScope.Stopped) != (EscrowKeys.Count == 0)) throw new ArgumentException("a stopped recording names no escrow key, and a running one at least one", nameof(EscrowKeys));
        var keys = new MlsVectorWriter();
        foreach (var spki in EscrowKeys) keys.WriteVector(spki);
        var writer = new MlsVectorWriter();
        writer.WriteUInt8(Version);
        writer.WriteFixed(RecordingId, EscrowedEpoch.RecordingIdBytes, "recording_id");
        writer.WriteUInt8((byte)Scope);
        writer.WriteVector(keys.WrittenSpan);
        writer.WriteVector(StrictUtf8.GetBytes(StartedBy));
        return writer.ToArray();
    }

    /// <summary>The extension in <paramref name="bytes"/> when they are exactly one well-formed version-1 body.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out RecordingExtension? extension)
    {
        extension = null;
        var reader = new MlsVectorReader(bytes);
        if (!reader.TryReadUInt8(out byte version) || version != Version) return false;
        if (!reader.TryReadFixed(EscrowedEpoch.RecordingIdBytes, out var recordingId)) return false;
        if (!reader.TryReadUInt8(out byte scope) || !Enum.IsDefined((RecordingScope)scope)) return false;
        if (!reader.TryReadVector(out var keyBytes)) return false;
        if (!reader.TryReadVector(out var startedBy) || !reader.IsAtEnd) return false;
        var keys = new List<byte[]>();
        var keyReader = new MlsVectorReader(keyBytes);
        while (!keyReader.IsAtEnd)
        {
            if (!keyReader.TryReadVector(out var spki)) return false;
            keys.Add(spki.ToArray());
        }
        if ((scope == (byte)RecordingScope.Stopped) != (keys.Count == 0)) return false;
        string name;
        try
        {
            name = StrictUtf8.GetString(startedBy);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        extension = new RecordingExtension(recordingId.ToArray(), (RecordingScope)scope, keys, name);
        return true;
    }
}
