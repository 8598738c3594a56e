using Conclave.Meetings.Settings;

namespace Conclave.Meetings.Ports;

/// <summary>The appliance's run-time settings; <see cref="ApplianceSettings.Defaults"/> until first saved.</summary>
public interface ISettingsStore
{
    ApplianceSettings Get();

    void Save(ApplianceSettings settings);
}
