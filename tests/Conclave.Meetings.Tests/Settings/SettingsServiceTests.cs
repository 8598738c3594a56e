using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Settings;
using static Conclave.Meetings.Tests.DomainHarness;

namespace Conclave.Meetings.Tests.Settings;

public sealed class SettingsServiceTests : IDisposable
{
    private readonly DomainHarness _h = new();
    private readonly Account _admin;
    private readonly Account _host;

    public SettingsServiceTests()
    {
        _admin = _h.NewAccount("root", Role.Admin);
        _host = _h.NewAccount("hana", Role.Host | Role.SecurityOfficer);
    }

    public void Dispose() => _h.Dispose();

    private SettingsService Settings => _h.Settings;

    [Fact]
    public void The_defaults_hold_until_an_admin_changes_them()
    {
        Assert.Equal(ApplianceSettings.Defaults, Settings.Current);
    }

    [Fact]
    public void An_admins_change_is_saved_and_audited_once_per_changed_value()
    {
        var changed = Settings.Change(_admin, new ApplianceSettings(true, 24, 30));

        Assert.Equal(changed, _h.Database.Settings.Get());
        Assert.Equal(
            new[]
            {
                new AuditRecord("user:root", AuditAction.ConfigChange, "settings:LobbyForMembersByDefault", "ok: False → True"),
                new AuditRecord("user:root", AuditAction.ConfigChange, "settings:InvitationLifetimeHours", "ok: 72 → 24"),
            },
            _h.Audit.Of(AuditAction.ConfigChange));
    }

    [Fact]
    public void Saving_the_same_values_audits_nothing()
    {
        Settings.Change(_admin, ApplianceSettings.Defaults);

        Assert.Empty(_h.Audit.Of(AuditAction.ConfigChange));
    }

    [Fact]
    public void Each_change_is_audited_against_the_value_before_it()
    {
        Settings.Change(_admin, ApplianceSettings.Defaults with { SessionIdleMinutes = 60 });
        Settings.Change(_admin, ApplianceSettings.Defaults with { SessionIdleMinutes = 10 });

        Assert.Equal(new[] { "ok: 30 → 60", "ok: 60 → 10" }, _h.Audit.Of(AuditAction.ConfigChange).Select(r => r.Outcome));
    }

    [Fact]
    public void A_non_admin_cannot_change_settings()
    {
        Refused(DomainErrorKind.Forbidden, () => Settings.Change(_host, new ApplianceSettings(true, 24, 60)));

        Assert.Equal(ApplianceSettings.Defaults, _h.Database.Settings.Get());
        Assert.Equal(new AuditRecord("user:hana", AuditAction.ConfigChange, "settings", "refused: not an admin"), _h.Audit.Last);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(-1, 30)]
    [InlineData(721, 30)]
    [InlineData(24, 4)]
    [InlineData(24, 481)]
    public void Out_of_range_values_are_invalid_and_nothing_is_saved(int invitationHours, int idleMinutes)
    {
        Refused(DomainErrorKind.Invalid, () => Settings.Change(_admin, new ApplianceSettings(true, invitationHours, idleMinutes)));

        Assert.Equal(ApplianceSettings.Defaults, _h.Database.Settings.Get());
        Assert.Empty(_h.Audit.Of(AuditAction.ConfigChange));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(720, 480)]
    public void The_limits_themselves_are_allowed(int invitationHours, int idleMinutes)
    {
        Settings.Change(_admin, new ApplianceSettings(false, invitationHours, idleMinutes));

        Assert.Equal(new ApplianceSettings(false, invitationHours, idleMinutes), _h.Database.Settings.Get());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(721)]
    public void Shared_files_are_kept_0_to_720_hours_and_nothing_else(int hours)
    {
        Refused(DomainErrorKind.Invalid, () => Settings.Change(_admin, ApplianceSettings.Defaults with { SharedFilesKeptHours = hours }));

        Assert.Equal(ApplianceSettings.Defaults, _h.Database.Settings.Get());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(720)]
    public void Keeping_shared_files_0_or_720_hours_is_allowed_and_audited(int hours)
    {
        Settings.Change(_admin, ApplianceSettings.Defaults with { SharedFilesKeptHours = hours });

        Assert.Equal(hours, _h.Database.Settings.Get().SharedFilesKeptHours);
        Assert.Equal(new AuditRecord("user:root", AuditAction.ConfigChange, "settings:SharedFilesKeptHours", $"ok: 24 → {hours}"), _h.Audit.Last);
    }

    [Fact]
    public void A_shorter_idle_time_ends_console_sessions_sooner()
    {
        string cookie = _h.Accounts.StartSession(_host).CookieValue;

        Settings.Change(_admin, ApplianceSettings.Defaults with { SessionIdleMinutes = 5 });
        _h.Time.Advance(TimeSpan.FromMinutes(6));

        Assert.Null(_h.Accounts.Authenticate(cookie));
    }

    [Fact]
    public void New_meetings_follow_the_lobby_default()
    {
        Settings.Change(_admin, ApplianceSettings.Defaults with { LobbyForMembersByDefault = true });

        var meeting = _h.OpenMeeting(_host);

        Assert.True(meeting.LobbyForMembers);
    }

    [Fact]
    public void New_invitations_follow_the_lifetime_setting()
    {
        Settings.Change(_admin, ApplianceSettings.Defaults with { InvitationLifetimeHours = 2 });

        var issued = _h.Meetings.Invite(_host, _h.OpenMeeting(_host).Id, "Gail", null, null);

        Assert.Equal(_h.Now.AddHours(2), issued.Invitation.ExpiresAt);
    }
}
