using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Recorder;

/// <summary>
/// The segment being written, in memory until it is sealed: its header once the first record
/// comes, then the records as the ring holds them. Sealing writes it as a durable file and
/// empties the buffers for the next segment (they keep their capacity).
/// </summary>
internal sealed class SegmentBuilder(byte[] recordingId, long startedUnixMs)
{
    private readonly MemoryStream _plaintext = new();
    private readonly MemoryStream _sealed = new();
    private uint _sealedIndex;
    private ulong _lastArrivalUs;

    public int Records { get; private set; }

    public ulong FirstArrivalUs { get; private set; }

    /// <summary>Plaintext bytes so far, header included (0 before the first record).</summary>
    public long Length => _plaintext.Length;

    /// <summary>Counts a record arriving at <paramref name="arrivalUs"/> and returns where its bytes go.</summary>
    public Stream Add(ulong arrivalUs)
    {
        if (Records == 0)
        {
            Span<byte> header = stackalloc byte[SegmentFormat.HeaderBytes];
            SegmentFormat.WriteHeader(header, recordingId, _sealedIndex + 1, startedUnixMs);
            _plaintext.Write(header);
            FirstArrivalUs = arrivalUs;
        }
        Records++;
        _lastArrivalUs = arrivalUs;
        return _plaintext;
    }

    /// <summary>Seals the segment into <paramref name="directory"/> and describes it for the manifest.</summary>
    /// <exception cref="IOException">The file could not be written (nothing of it is left behind).</exception>
    public ManifestSegment Seal(string directory, IDataKeyWrapper storageKek)
    {
        int plaintextLength = (int)_plaintext.Length;
        _sealed.SetLength(0);
        using (var input = new MemoryStream(_plaintext.GetBuffer(), 0, plaintextLength, writable: false))
        {
            SealedEnvelope.Seal(input, _sealed, storageKek);
        }
        var sealedFile = _sealed.GetBuffer().AsSpan(0, (int)_sealed.Length);
        string name = SegmentFormat.SegmentFileName(_sealedIndex + 1);
        DurableFile.Write(directory, name, sealedFile, overwrite: false);
        _sealedIndex++;
        var segment = new ManifestSegment(name,
            Convert.ToHexStringLower(SegmentFormat.SealedSha256(sealedFile)),
            Convert.ToHexStringLower(SHA256.HashData(_plaintext.GetBuffer().AsSpan(0, plaintextLength))),
            Records, plaintextLength, FirstArrivalUs, _lastArrivalUs);
        _plaintext.SetLength(0);
        Records = 0;
        return segment;
    }
}
