using Conclave.Meetings.Accounts;
using Conclave.Meetings.Scheduling;

namespace Conclave.Storage.Tests;

/// <summary>Domain values with every field set to something distinguishable.</summary>
internal static class Samples
{
    /// <summary>Not UTC, and with milliseconds: both must survive the trip.</summary>
    public static readonly DateTimeOffset Time = new(2026, 3, 14, 9, 26, 53, 589, TimeSpan.FromHours(2));

    public static Account Account(string userName, Role roles = Role.Member) => new(
        Id: 0,
        UserName: userName,
        DisplayName: $"{userName} the tester",
        Roles: roles,
        Disabled: false,
        PasswordHash: "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        SealedTotpSecret: null,
        SealedPendingTotpSecret: null,
        TotpLastStep: 0,
        FailedLogins: 0,
        FirstFailureAt: null,
        LockedUntil: null,
        CreatedAt: Time);

    public static Meeting Meeting(string id, long hostAccountId) => new(
        Id: id,
        Title: $"Meeting {id}",
        HostAccountId: hostAccountId,
        StartsAt: Time.AddDays(1),
        EndsAt: Time.AddDays(1).AddHours(1),
        LobbyForMembers: true,
        Locked: false,
        EndedAt: null,
        CreatedAt: Time,
        Recordable: true);

    public static Invitation Invitation(string id, string meetingId, byte tokenByte) => new(
        Id: id,
        MeetingId: meetingId,
        TokenHash: Enumerable.Repeat(tokenByte, 32).ToArray(),
        DisplayName: $"Guest {id}",
        ExpiresAt: Time.AddHours(72),
        PasscodeHash: null,
        PasscodeFailures: 0,
        State: InvitationState.Issued,
        GuestPassHash: null,
        CreatedAt: Time);

    public static byte[] Hash(byte value) => Enumerable.Repeat(value, 32).ToArray();

    /// <summary>Records compare arrays by reference, so the blobs are compared apart.</summary>
    public static void AssertSame(Account expected, Account? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { SealedTotpSecret = null, SealedPendingTotpSecret = null },
            actual with { SealedTotpSecret = null, SealedPendingTotpSecret = null });
        Assert.Equal(expected.SealedTotpSecret, actual.SealedTotpSecret);
        Assert.Equal(expected.SealedPendingTotpSecret, actual.SealedPendingTotpSecret);
    }

    public static void AssertSame(Invitation expected, Invitation? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { TokenHash = Array.Empty<byte>(), GuestPassHash = null }, actual with { TokenHash = Array.Empty<byte>(), GuestPassHash = null });
        Assert.Equal(expected.TokenHash, actual.TokenHash);
        Assert.Equal(expected.GuestPassHash, actual.GuestPassHash);
    }
}
