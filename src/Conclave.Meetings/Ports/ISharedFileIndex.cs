using Conclave.Meetings.SharedFiles;

namespace Conclave.Meetings.Ports;

/// <summary>The shared files' index at rest: sizes, uploaders and times, never content or names.</summary>
public interface ISharedFileIndex
{
    /// <summary>
    /// Adds <paramref name="file"/> (not yet stored) when the meeting's files, those still uploading
    /// included, stay within both limits with it; the check and the insert are one transaction, so
    /// two uploads cannot both take the last slot.
    /// </summary>
    SharedFileReservation TryReserve(SharedFile file, long maxMeetingBytes, int maxFilesPerMeeting);

    /// <summary>The upload finished: the sealed file is in place.</summary>
    void MarkStored(string fileId);

    SharedFile? Find(string fileId);

    /// <summary>Forgets the file (its bytes no longer count): after it was shredded, or its upload failed.</summary>
    void Remove(string fileId);

    /// <summary>The meeting's room emptied at <paramref name="at"/>: its files' retention starts (kept if it started already).</summary>
    void MarkRoomEmptied(string meetingId, DateTimeOffset at);

    /// <summary>Someone is in the meeting's room again: its files are kept while they are.</summary>
    void MarkRoomOccupied(string meetingId);

    /// <summary>Every room is empty (the daemon just started): files of rooms that were occupied start their retention at <paramref name="at"/>.</summary>
    void MarkEveryRoomEmptied(DateTimeOffset at);

    /// <summary>Files whose room emptied at or before <paramref name="cutoff"/>.</summary>
    IReadOnlyList<SharedFile> EmptiedBy(DateTimeOffset cutoff);

    /// <summary>Uploads not finished that began before <paramref name="cutoff"/> (a crash cut them short).</summary>
    IReadOnlyList<SharedFile> UnfinishedBefore(DateTimeOffset cutoff);
}
