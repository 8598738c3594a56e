using System.Globalization;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Settings;
using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>
/// Settings as key/value rows, one per field, so a setting added later needs no migration:
/// a key never saved reads as its default.
/// </summary>
internal sealed class SqliteSettingsStore(SqliteConnector connector) : ISettingsStore
{
    // The keys are part of the schema: renaming one forgets what was saved under it.
    private const string LobbyForMembersByDefault = "lobby_for_members_by_default";
    private const string InvitationLifetimeHours = "invitation_lifetime_hours";
    private const string SessionIdleMinutes = "session_idle_minutes";
    private const string SharedFilesKeptHours = "shared_files_kept_hours";

    public ApplianceSettings Get()
    {
        using var connection = connector.Open();
        using var command = connection.Command("SELECT key, value FROM settings");
        var saved = command.ReadAll(row => KeyValuePair.Create(row.GetString(0), row.GetString(1)))
            .ToDictionary(StringComparer.Ordinal);
        var defaults = ApplianceSettings.Defaults;
        return new ApplianceSettings(
            saved.TryGetValue(LobbyForMembersByDefault, out string? lobby) ? ParseFlag(LobbyForMembersByDefault, lobby) : defaults.LobbyForMembersByDefault,
            saved.TryGetValue(InvitationLifetimeHours, out string? hours) ? ParseNumber(InvitationLifetimeHours, hours) : defaults.InvitationLifetimeHours,
            saved.TryGetValue(SessionIdleMinutes, out string? minutes) ? ParseNumber(SessionIdleMinutes, minutes) : defaults.SessionIdleMinutes,
            saved.TryGetValue(SharedFilesKeptHours, out string? kept) ? ParseNumber(SharedFilesKeptHours, kept) : defaults.SharedFilesKeptHours);
    }

    public void Save(ApplianceSettings settings)
    {
        using var connection = connector.Open();
        using var transaction = connection.BeginTransaction();
        using var upsert = connection.Command("""
            INSERT INTO settings (key, value) VALUES ($key, $value)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """);
        var key = upsert.Parameters.Add("$key", SqliteType.Text);
        var value = upsert.Parameters.Add("$value", SqliteType.Text);
        foreach (var (name, text) in new[]
        {
            (LobbyForMembersByDefault, settings.LobbyForMembersByDefault ? "true" : "false"),
            (InvitationLifetimeHours, settings.InvitationLifetimeHours.ToString(CultureInfo.InvariantCulture)),
            (SessionIdleMinutes, settings.SessionIdleMinutes.ToString(CultureInfo.InvariantCulture)),
            (SharedFilesKeptHours, settings.SharedFilesKeptHours.ToString(CultureInfo.InvariantCulture)),
        })
        {
            key.Value = name;
            value.Value = text;
            upsert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private static bool ParseFlag(string key, string text) =>
        bool.TryParse(text, out bool flag) ? flag : throw Unreadable(key, text);

    private static int ParseNumber(string key, string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number) ? number : throw Unreadable(key, text);

    private static InvalidDataException Unreadable(string key, string text) =>
        new($"The saved setting '{key}' holds '{text}', which this release cannot read.");
}
