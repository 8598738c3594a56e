using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Recordings;
using Conclave.Meetings.Scheduling;
using Conclave.Meetings.Settings;
using Conclave.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OtpNet;

namespace Conclave.Meetings.Tests;

/// <summary>
/// The domain services over a real SQLite database in a directory of their own, with a fake
/// clock, cheap Argon2, a recording audit trail and a really encrypting secret protector.
/// </summary>
public sealed class DomainHarness : IDisposable
{
    public const string Password = "correct horse battery";
    public const string Source = "192.0.2.10";

    /// <summary>On a TOTP step boundary, so "now" and "30 s later" are distinct steps.</summary>
    public static readonly DateTimeOffset Start = new(2030, 3, 4, 9, 0, 0, TimeSpan.Zero);

    private static readonly Argon2Parameters Cheap = new(1024, 1, 1);
    private static readonly Lazy<string> PasswordHash = new(() => new PasswordHasher(Cheap).Hash(Password));

    private readonly string _directory = Directory.CreateTempSubdirectory("conclave-meetings-").FullName;

    public DomainHarness(Func<IAccountStore, IAccountStore>? wrapAccounts = null, Func<IMeetingStore, IMeetingStore>? wrapMeetings = null)
    {
        Database = ApplianceDatabase.Open(Path.Combine(_directory, "conclave.db"));
        var accounts = wrapAccounts?.Invoke(Database.Accounts) ?? Database.Accounts;
        var meetings = wrapMeetings?.Invoke(Database.Meetings) ?? Database.Meetings;
        Accounts = new AccountService(accounts, Database.Sessions, Database.Settings, Audit, Secrets, Hasher, Time);
        Meetings = new MeetingService(meetings, Database.Accounts, Database.Settings, Audit, Hasher, Time);
        Admission = new AdmissionService(meetings, Audit, Time);
        Settings = new SettingsService(Database.Settings, Audit);
        Recordings = new RecordingService(Database.Recordings, meetings, Audit, Time, RecordingService.DefaultRetention);
    }

    public FakeTimeProvider Time { get; } = new(Start);
    public RecordingAuditTrail Audit { get; } = new();
    public AesGcmSecretProtector Secrets { get; } = new();
    public PasswordHasher Hasher { get; } = new(Cheap);
    public ApplianceDatabase Database { get; }
    public AccountService Accounts { get; }
    public MeetingService Meetings { get; }
    public AdmissionService Admission { get; }
    public SettingsService Settings { get; }
    public RecordingService Recordings { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>An account straight in the store (no audit record), with <see cref="Password"/>.</summary>
    public Account NewAccount(string userName, Role roles) => Database.Accounts.Create(
        new Account(0, userName, $"Display {userName}", roles, false, PasswordHash.Value, null, null, 0, 0, null, null, Now));

    public Account Reload(Account account) => Database.Accounts.Find(account.Id) ?? throw new InvalidOperationException("The account is gone.");

    public LoginResult Login(string userName, string password = Password, string? code = null, string source = Source) =>
        Accounts.Login(userName, password, code, source);

    /// <summary>Enrols a first authenticator as a user would, reading the seed off the enrolment page; returns the seed.</summary>
    public byte[] EnrolTotp(Account account)
    {
        byte[] secret = BeginTotp(account);
        Accounts.ConfirmTotpEnrolment(account, Password, null, CodeNow(secret), Source);
        return secret;
    }

    /// <summary>Starts an enrolment; returns the seed the page shows.</summary>
    public byte[] BeginTotp(Account account) => Base32Encoding.ToBytes(Accounts.BeginTotpEnrolment(account).SecretBase32);

    public string CodeNow(byte[] secret) => new TotpAuthenticator(Time).CodeAt(secret, Now);

    /// <summary>A meeting that is open now: it starts in 5 minutes and lasts an hour.</summary>
    public Meeting OpenMeeting(Account host, params string[] roster) =>
        Meetings.Create(host, "Weekly sync", Now.AddMinutes(5), Now.AddMinutes(65), roster);

    /// <summary>An invitation, redeemed: the guest as admission sees them, and their guest pass.</summary>
    public (GuestAttendee Guest, string GuestPass) RedeemedGuest(Account host, Meeting meeting, string name = "Gail Guest")
    {
        var issued = Meetings.Invite(host, meeting.Id, name, null, null);
        string pass = Meetings.Redeem(issued.LinkToken, null, Source).GuestPass;
        return (new GuestAttendee(Meetings.FindGuest(pass)!), pass);
    }

    /// <summary>Runs <paramref name="action"/>, which must be refused with <paramref name="kind"/>.</summary>
    public static DomainException Refused(DomainErrorKind kind, Action action)
    {
        var e = Assert.Throws<DomainException>(action);
        Assert.Equal(kind, e.Kind);
        return e;
    }

    public void Dispose()
    {
        // Pooled connections keep the database (and its WAL files) open until the pools let go.
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
