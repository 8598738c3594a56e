using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Crypto.SFrame;

namespace Conclave.Crypto.Benchmarks;

/// <summary>
/// SFrame (RFC 9605, AES_128_GCM_SHA256_128) seal and open of one VP8 delta frame through
/// SFrameMediaFrame, into buffers made beforehand: a 1,100-byte frame (one RTP packet's worth)
/// and a 10 KB frame. SFrame keeps no replay window, so opening opens the same frame each time.
/// </summary>
[MemoryDiagnoser]
public class SFrameBenchmarks
{
    private SFrameKey _key = null!;
    private byte[] _frame = null!;
    private byte[] _sealedOutput = null!;
    private byte[] _sealedFrame = null!;
    private byte[] _openedFrame = null!;
    private ulong _ctr;

    [Params(1100, 10 * 1024)]
    public int FrameBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var layout = MlsKeyIdLayout.ForLeafCount(8);
        _key = SFrameKey.FromBaseKey(RandomNumberGenerator.GetBytes(16), layout.KeyId((ulong)SFrameStreamContext.Camera, 5, 42));
        _frame = RandomNumberGenerator.GetBytes(FrameBytes);
        _frame[0] |= 0x01;
        _sealedOutput = new byte[SFrameMediaFrame.SealedLength(_key, ulong.MaxValue - 1, FrameBytes)];
        int length = SFrameMediaFrame.Seal(_key, 1000, SFrameMediaKind.Video, _frame, _sealedOutput);
        _sealedFrame = _sealedOutput[..length];
        _openedFrame = new byte[_sealedFrame.Length];
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark]
    public int Seal() => SFrameMediaFrame.Seal(_key, _ctr++, SFrameMediaKind.Video, _frame, _sealedOutput);

    [Benchmark]
    public int Open() => SFrameMediaFrame.TryOpen(_key, SFrameMediaKind.Video, _sealedFrame, _openedFrame, out int length) ? length : -1;
}
