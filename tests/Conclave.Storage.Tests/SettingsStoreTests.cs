using Conclave.Meetings.Settings;

namespace Conclave.Storage.Tests;

public sealed class SettingsStoreTests : DatabaseTest
{
    [Fact]
    public void Nothing_saved_reads_as_the_defaults()
    {
        Assert.Equal(ApplianceSettings.Defaults, Database.Settings.Get());
    }

    [Fact]
    public void Saved_settings_survive_reopening_and_a_second_save_replaces_them()
    {
        Database.Settings.Save(new ApplianceSettings(true, 24, 60, 0));
        Assert.Equal(new ApplianceSettings(true, 24, 60, 0), ApplianceDatabase.Open(DatabasePath).Settings.Get());

        Database.Settings.Save(new ApplianceSettings(false, 48, 15, 720));

        Assert.Equal(new ApplianceSettings(false, 48, 15, 720), Database.Settings.Get());
        Assert.Equal(4L, Scalar("SELECT count(*) FROM settings"));
    }

    [Fact]
    public void A_key_never_saved_reads_as_its_default()
    {
        Database.Settings.Save(new ApplianceSettings(true, 24, 60, 2));
        Scalar("DELETE FROM settings WHERE key = 'session_idle_minutes'");
        Scalar("DELETE FROM settings WHERE key = 'shared_files_kept_hours'");

        Assert.Equal(new ApplianceSettings(true, 24, ApplianceSettings.Defaults.SessionIdleMinutes, ApplianceSettings.Defaults.SharedFilesKeptHours),
            Database.Settings.Get());
    }

    [Fact]
    public void A_value_that_cannot_be_read_is_invalid_data_naming_the_key()
    {
        Database.Settings.Save(ApplianceSettings.Defaults);
        Scalar("UPDATE settings SET value = 'lots' WHERE key = 'invitation_lifetime_hours'");

        var refused = Assert.Throws<InvalidDataException>(() => Database.Settings.Get());

        Assert.Contains("invitation_lifetime_hours", refused.Message);
    }
}
