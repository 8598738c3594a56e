using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Testing;

/// <summary>
/// Meetings and their members made straight through an in-process daemon's stores, for
/// tests whose subject is media or signalling rather than the console: each room label
/// becomes a meeting open now, each name an account on its roster with a console session.
/// (The console's own tests go through its pages.)
/// </summary>
public sealed class TestMeetings(IServiceProvider services)
{
    public const string SessionCookie = "__Host-conclave-session";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Meeting> _meetings = new(StringComparer.Ordinal);

    private IAccountStore Accounts => services.GetRequiredService<IAccountStore>();
    private IMeetingStore Meetings => services.GetRequiredService<IMeetingStore>();

    /// <summary>The meeting that stands for <paramref name="room"/>, created on first use (its host is a fresh account).</summary>
    public string MeetingId(string room)
    {
        lock (_lock)
        {
            if (_meetings.TryGetValue(room, out var meeting)) return meeting.Id;
            var host = NewAccount($"{room} host", Role.Host);
            var now = DateTimeOffset.UtcNow;
            meeting = new Meeting(Guid.NewGuid().ToString("N")[..12], room, host.Id, now.AddMinutes(-1), now.AddHours(4), false, false, null, now);
            Meetings.Create(meeting, []);
            _meetings[room] = meeting;
            return meeting.Id;
        }
    }

    /// <summary>A new account named <paramref name="displayName"/> on the room's roster, and the value of its session cookie.</summary>
    public (string MeetingId, string SessionCookie) Member(string room, string displayName)
    {
        string meetingId = MeetingId(room);
        lock (_lock)
        {
            var account = NewAccount(displayName, Role.Member);
            var roster = Meetings.Roster(meetingId).Append(account.Id).ToList();
            Meetings.ReplaceRoster(meetingId, roster);
            return (meetingId, services.GetRequiredService<AccountService>().StartSession(account).CookieValue);
        }
    }

    /// <summary>
    /// A meeting whose host may record it for compliance, open now, with its host (a new account
    /// named <paramref name="hostName"/>) logged in: the meeting's id and the host's session cookie.
    /// </summary>
    public (string MeetingId, string SessionCookie) RecordableMeetingHost(string room, string hostName)
    {
        lock (_lock)
        {
            var host = NewAccount(hostName, Role.Host);
            var now = DateTimeOffset.UtcNow;
            var meeting = new Meeting(Guid.NewGuid().ToString("N")[..12], room, host.Id, now.AddMinutes(-1), now.AddHours(4), false, false, null, now,
                Recordable: true);
            Meetings.Create(meeting, []);
            _meetings[room] = meeting;
            return (meeting.Id, services.GetRequiredService<AccountService>().StartSession(host).CookieValue);
        }
    }

    /// <summary>A session cookie of a new account that is on no roster.</summary>
    public string Outsider(string displayName) => services.GetRequiredService<AccountService>().StartSession(NewAccount(displayName, Role.Member)).CookieValue;

    private Account NewAccount(string displayName, Role roles)
    {
        string userName = $"t{Guid.NewGuid():N}"[..20];
        // The hash is never checked: these accounts log in through StartSession.
        return Accounts.Create(new Account(0, userName, displayName, roles, false, "$argon2id$unused", null, null, 0, 0, null, null, DateTimeOffset.UtcNow));
    }
}
