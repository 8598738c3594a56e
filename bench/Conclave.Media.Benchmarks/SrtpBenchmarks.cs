using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Media.Srtp;

namespace Conclave.Media.Benchmarks;

/// <summary>
/// SRTP protect and unprotect of one 1,100-byte RTP packet (a typical VP8 packet) for
/// both profiles. Unprotect needs a fresh index each time (the replay window refuses a
/// repeat), so each invocation unprotects the next of a batch protected beforehand.
/// </summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private const int PayloadBytes = 1100 - 12;
    private const int BatchPackets = 8192;

    private SrtpContext _sender = null!;
    private SrtpContext _receiver = null!;
    private readonly byte[] _rtp = new byte[1100];
    private readonly byte[] _output = new byte[1200];
    private readonly byte[][] _batch = new byte[BatchPackets][];
    private int _batchLength;
    private ushort _sequence;

    [Params(SrtpProfile.AeadAes128Gcm, SrtpProfile.AesCm128HmacSha1_80)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = RandomNumberGenerator.GetBytes(SrtpProfiles.MasterKeyLength);
        var salt = RandomNumberGenerator.GetBytes(SrtpProfiles.MasterSaltLength(Profile));
        _sender = new SrtpContext(Profile, key, salt);
        _receiver = new SrtpContext(Profile, key, salt);
        _rtp[0] = 0x80;
        _rtp[1] = 96;
        BinaryPrimitives.WriteUInt32BigEndian(_rtp.AsSpan(8), 0x5EED);
        RandomNumberGenerator.Fill(_rtp.AsSpan(12, PayloadBytes));
        for (int i = 0; i < BatchPackets; i++) _batch[i] = new byte[1200];
    }

    [Benchmark]
    public int Protect()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_rtp.AsSpan(2), _sequence++);
        _sender.ProtectRtp(_rtp, _output, out int written);
        return written;
    }

    [IterationSetup(Target = nameof(Unprotect))]
    public void ProtectBatch()
    {
        for (int i = 0; i < BatchPackets; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_rtp.AsSpan(2), _sequence++);
            _sender.ProtectRtp(_rtp, _batch[i], out _batchLength);
        }
    }

    [Benchmark(OperationsPerInvoke = BatchPackets)]
    [InvocationCount(1)]
    public int Unprotect()
    {
        int total = 0;
        for (int i = 0; i < BatchPackets; i++)
        {
            _receiver.UnprotectRtp(_batch[i].AsSpan(0, _batchLength), _output, out int written);
            total += written;
        }
        return total;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }
}
