using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Crypto.Audit;

namespace Conclave.Meetings.Benchmarks;

/// <summary>
/// What the audit log sustains: records appended one after another, and by many callers at
/// once (logins, admissions and refusals arriving together), each call returning only once
/// its record is on disk. Checkpoints are signed in .NET here; on the appliance the token
/// signs them (see Conclave.Keys.Benchmarks).
/// </summary>
public class AuditLogBenchmarks
{
    private const int Records = 256;
    private const int Writers = 16;

    private string _directory = null!;
    private AuditLog _log = null!;
    private ECDsa _key = null!;

    private sealed class SoftwareSigner(ECDsa key) : IAuditSigner
    {
        public byte[] SignDer(ReadOnlySpan<byte> data) => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    [GlobalSetup]
    public void Setup()
    {
        // Sixteen callers at once from the start, not as the pool grows.
        ThreadPool.SetMinThreads(Writers * 2, Writers * 2);
        _directory = Directory.CreateTempSubdirectory("conclave-audit-bench-").FullName;
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _log = AuditLog.Open(Path.Combine(_directory, "audit.log"), new SoftwareSigner(_key));
    }

    [Benchmark(Description = "one writer, durable appends", OperationsPerInvoke = Records)]
    public void OneWriter()
    {
        for (int i = 0; i < Records; i++) _log.Append("anonymous@192.0.2.7", "console.access", "/console/meetings/0123456789abcdef", "refused: not logged in");
    }

    [Benchmark(Description = "16 writers at once, durable appends", OperationsPerInvoke = Records)]
    public void ConcurrentWriters() =>
        Parallel.For(0, Records, new ParallelOptions { MaxDegreeOfParallelism = Writers },
            i => _log.Append("anonymous@192.0.2.7", "console.access", "/console/meetings/0123456789abcdef", "refused: not logged in"));

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Close();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
