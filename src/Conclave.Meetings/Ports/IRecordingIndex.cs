using Conclave.Meetings.Recordings;

namespace Conclave.Meetings.Ports;

/// <summary>The recordings' index at rest: metadata, never content.</summary>
public interface IRecordingIndex
{
    void Add(Recording recording);

    Recording? Find(string recordingId);

    /// <summary>The meeting's recording that has not stopped, if any.</summary>
    Recording? FindActive(string meetingId);

    /// <summary>Every recording, newest first.</summary>
    IReadOnlyList<Recording> List();

    void Update(Recording recording);
}
