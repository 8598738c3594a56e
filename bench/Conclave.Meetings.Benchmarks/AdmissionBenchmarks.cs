using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Crypto.Audit;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;
using Conclave.Storage;

namespace Conclave.Meetings.Benchmarks;

/// <summary>
/// What letting people in costs on the appliance: an Argon2id password hash with the
/// production parameters (every login), a console request's session check on SQLite, and
/// a signalling join's admission decision, which reads SQLite and appends one audit record
/// flushed to disk (its checkpoint signature, every 100 records, is the token's cost:
/// see Conclave.Keys.Benchmarks).
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private string _state = null!;
    private ApplianceDatabase _database = null!;
    private AuditLog _audit = null!;
    private PasswordHasher _hasher = null!;
    private AccountService _accounts = null!;
    private AdmissionService _admission = null!;
    private string _sessionCookie = null!;
    private MemberAttendee _member = null!;
    private string _meetingId = null!;

    private sealed class AuditTrail(AuditLog log) : IAuditTrail
    {
        public void Record(AuditActor actor, AuditAction action, AuditObject target, AuditOutcome outcome) =>
            log.Append(actor.Text, action.Name, target.Text, outcome.Text);
    }

    /// <summary>The benchmark signs checkpoints in .NET; on the appliance the token does.</summary>
    private sealed class SoftwareSigner : IAuditSigner, IDisposable
    {
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public byte[] SignDer(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        public void Dispose() => _key.Dispose();
    }

    private sealed class UnusedSecrets : ISecretProtector
    {
        public byte[] Protect(ReadOnlySpan<byte> secret) => throw new NotSupportedException("no TOTP in this benchmark");

        public byte[] Unprotect(ReadOnlySpan<byte> sealedSecret, string objectName) => throw new NotSupportedException("no TOTP in this benchmark");
    }

    [GlobalSetup]
    public void Setup()
    {
        _state = Directory.CreateTempSubdirectory("conclave-admission-bench-").FullName;
        _database = ApplianceDatabase.Open(Path.Combine(_state, ApplianceDatabase.FileName));
        _audit = AuditLog.Open(Path.Combine(_state, "audit.log"), new SoftwareSigner());
        var trail = new AuditTrail(_audit);
        _hasher = new PasswordHasher(Argon2Parameters.Default);
        _accounts = new AccountService(_database.Accounts, _database.Sessions, _database.Settings, trail, new UnusedSecrets(), _hasher, TimeProvider.System);
        var host = _database.Accounts.Create(new Account(0, "host", "Host", Role.Host, false, _hasher.Hash("host password 1234"), null, null, 0, 0, null, null, DateTimeOffset.UtcNow));
        var member = _database.Accounts.Create(new Account(0, "member", "Member", Role.Member, false, _hasher.Hash("member password 1234"), null, null, 0, 0, null, null, DateTimeOffset.UtcNow));
        var meetings = new MeetingService(_database.Meetings, _database.Accounts, _database.Settings, trail, _hasher, TimeProvider.System);
        _meetingId = meetings.Create(host, "Benchmark", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(6), ["member"]).Id;
        _admission = new AdmissionService(_database.Meetings, trail, TimeProvider.System);
        _sessionCookie = _accounts.StartSession(member).CookieValue;
        _member = new MemberAttendee(member);
    }

    [Benchmark(Description = "Argon2id hash, 19 MiB / t=2 / p=1 (one login)")]
    public string PasswordHash() => _hasher.Hash("correct horse battery staple");

    [Benchmark(Description = "console session check (SQLite)")]
    public bool SessionCheck() => _accounts.Authenticate(_sessionCookie) is not null;

    [Benchmark(Description = "admission decision + audit record flushed to disk")]
    public AdmissionVerdict Admission() => _admission.Decide(_member, _meetingId).Verdict;

    [GlobalCleanup]
    public void Cleanup()
    {
        _audit.Close();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_state, recursive: true);
    }
}
