namespace Conclave.Recording;

/// <summary>Versions of what a recording stores, so an export can refuse what it cannot read.</summary>
public static class RecordingFormat
{
    public const int Version = 1;
}
