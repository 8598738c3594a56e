using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Crypto.Envelopes;
using Conclave.Keys.Roles;

namespace Conclave.Keys.Benchmarks;

/// <summary>
/// What the token costs: an ECDSA P-256 signature (audit checkpoints, credentials), a
/// data-key unwrap (opening any stored object), and sealing/opening 16 MiB
/// (throughput = 16 MiB / mean). On SoftHSM2; a hardware token is slower per call.
/// </summary>
[MemoryDiagnoser]
public class TokenBenchmarks : IDataKeyWrapper
{
    private const int SealBytes = 16 * 1024 * 1024;

    private Token _token = null!;
    private string _state = null!;
    private byte[] _wrapped = null!;
    private readonly byte[] _message = RandomNumberGenerator.GetBytes(64);
    private byte[] _plain = null!;
    private byte[] _sealed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _state = Directory.CreateTempSubdirectory("conclave-bench-").FullName;
        DevelopmentToken.Initialize(_state, "conclave-bench");
        _token = Token.Open(new TokenOptions { TokenLabel = "conclave-bench" }, TokenPin.Read(_state, allowDevelopmentFile: true));
        KeyProvisioner.ProvisionMissing(_token, KeyRoles.Appliance);
        _wrapped = _token.WrapDataKey(RandomNumberGenerator.GetBytes(32));
        _plain = RandomNumberGenerator.GetBytes(SealBytes);
        _sealed = SealedEnvelope.Seal(_plain, this);
    }

    public byte[] Wrap(ReadOnlySpan<byte> dataKey) => _token.WrapDataKey(dataKey);

    public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey) => _token.UnwrapDataKey(wrappedKey);

    [Benchmark]
    public byte[] SignEcdsaP256() => _token.SignDer(KeyRole.AuditSigning, _message);

    [Benchmark]
    public byte[] UnwrapDataKey() => _token.UnwrapDataKey(_wrapped);

    [Benchmark]
    public byte[] Seal16MiB() => SealedEnvelope.Seal(_plain, this);

    [Benchmark]
    public byte[] Open16MiB() => SealedEnvelope.Open(_sealed, this, "bench");

    [GlobalCleanup]
    public void Cleanup()
    {
        _token.Dispose();
        Directory.Delete(_state, recursive: true);
    }
}
