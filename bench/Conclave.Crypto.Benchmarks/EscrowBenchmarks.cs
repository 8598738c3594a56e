using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Benchmarks;

/// <summary>
/// Opening one escrowed epoch (HPKE base mode, DHKEM(P-256), AES-128-GCM) with a software
/// recipient, as export pays it per epoch per recording, and sealing one for comparison: an epoch
/// of a meeting with <see cref="Members"/> members, each with a 300-byte credential. A token's ECDH
/// replaces the one software DH of opening with a PKCS#11 round trip (bench/Conclave.Keys.Benchmarks).
/// </summary>
[MemoryDiagnoser]
public class EscrowBenchmarks
{
    private SoftwareHpkeRecipient _recipient = null!;
    private byte[] _escrowSpki = null!;
    private EscrowedEpoch _epoch = null!;
    private EscrowBlob _blob = null!;

    [Params(2, 50)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _recipient = new SoftwareHpkeRecipient();
        _escrowSpki = _recipient.SubjectPublicKeyInfo;
        var roster = new List<RosterEntry>();
        for (uint leaf = 0; leaf < Members; leaf++) roster.Add(new RosterEntry(leaf, RandomNumberGenerator.GetBytes(300), _recipient.PublicKey));
        var recordingId = RandomNumberGenerator.GetBytes(16);
        _epoch = new EscrowedEpoch(recordingId, RandomNumberGenerator.GetBytes(32), 1000, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(16),
            RandomNumberGenerator.GetBytes(32), (uint)Members, roster);
        _blob = EscrowSealer.Seal(_escrowSpki, recordingId, 1000, 0, _epoch);
    }

    [GlobalCleanup]
    public void Cleanup() => _recipient.Dispose();

    [Benchmark]
    public EscrowedEpoch Open() => EscrowOpener.Open(_blob, _recipient);

    [Benchmark]
    public EscrowBlob Seal() => EscrowSealer.Seal(_escrowSpki, _epoch.RecordingId, _epoch.Epoch, 0, _epoch);
}
