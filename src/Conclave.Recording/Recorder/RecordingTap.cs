using System.Collections.Frozen;
using Conclave.Crypto.Envelopes;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;

namespace Conclave.Recording.Recorder;

/// <summary>
/// The daemon's recorder, given to the media plane as its forward tap: for each room that
/// records, a copy of every forwarded RTP packet and sender report, and what signalling
/// appends (epochs, escrow blobs, participants, chat ciphertext), sealed into segments under
/// the storage KEK (docs/recording.md). On the media loop a room that does not record costs
/// one dictionary lookup; one that records, a copy into its ring under a lock its writer
/// never holds.
/// </summary>
public sealed class RecordingTap(RecorderOptions options, IDataKeyWrapper storageKek, TimeProvider time, IRecordingEvents events) : IForwardTap, IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>How long disposing waits for the writers to seal what they hold; crash recovery covers the rest.</summary>
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(30);

    private readonly Lock _startStop = new();

    /// <summary>Replaced whole on start and stop, so the media loop reads it without a lock.</summary>
    private FrozenDictionary<string, ActiveRecording> _rooms = FrozenDictionary<string, ActiveRecording>.Empty;

    private bool _disposed;

    /// <summary>
    /// Starts recording the room: creates its directory and seals its start file there (so
    /// crash recovery can name the meeting), then records everything that follows.
    /// </summary>
    /// <exception cref="InvalidOperationException">The room records already.</exception>
    /// <exception cref="IOException">A recording with this id exists, or the directory cannot be written.</exception>
    public ActiveRecording Start(string roomId, byte[] recordingId, string meetingId)
    {
        if (recordingId.Length != SegmentFormat.RecordingIdBytes) throw new ArgumentException($"a recording id is {SegmentFormat.RecordingIdBytes} bytes", nameof(recordingId));
        lock (_startStop)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_rooms.ContainsKey(roomId)) throw new InvalidOperationException($"room {roomId} records already");
            string hex = SegmentFormat.DirectoryName(recordingId);
            string directory = Path.Combine(options.RecordingsDirectory, hex);
            if (Directory.Exists(directory)) throw new IOException($"recording {hex} exists already in {options.RecordingsDirectory}");
            CreateOwnerOnly(options.RecordingsDirectory);
            CreateOwnerOnly(directory);
            long startedUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                DirectorySync.Sync(options.RecordingsDirectory);
                var start = new RecordingManifest { RecordingId = hex, MeetingId = meetingId, StartedUnixMs = startedUnixMs };
                DurableFile.Write(directory, SegmentFormat.StartFileName, SealedEnvelope.Seal(start.ToUtf8Json(), storageKek), overwrite: false);
            }
            catch
            {
                Directory.Delete(directory, recursive: true);
                throw;
            }
            var recording = new ActiveRecording(roomId, (byte[])recordingId.Clone(), meetingId, directory, startedUnixMs, options, time, storageKek, OnWriterFailed);
            recording.Writer.Start();
            var rooms = new Dictionary<string, ActiveRecording>(_rooms, StringComparer.Ordinal) { [roomId] = recording };
            Volatile.Write(ref _rooms, rooms.ToFrozenDictionary(StringComparer.Ordinal));
            return recording;
        }
    }

    /// <summary>The Delivery Service accepted the commit that made <paramref name="epoch"/>.</summary>
    public void AppendEpoch(string roomId, ulong epoch) => Find(roomId)?.AppendEpoch(epoch);

    public void AppendEscrow(string roomId, ReadOnlySpan<byte> escrowBlob) => Find(roomId)?.AppendEscrow(escrowBlob);

    /// <summary>The credential the appliance issued to the peer that publishes as <paramref name="publisherPeerId"/>.</summary>
    public void AppendParticipant(string roomId, string publisherPeerId, ReadOnlySpan<byte> credential) => Find(roomId)?.AppendParticipant(publisherPeerId, credential);

    /// <summary>SFrame-enveloped chat as relayed.</summary>
    public void AppendData(string roomId, string publisherPeerId, ulong epoch, ReadOnlySpan<byte> ciphertext) => Find(roomId)?.AppendData(publisherPeerId, epoch, ciphertext);

    public void OnForward(string roomId, string publisherPeerId, MediaKind kind, ReadOnlySpan<byte> rtpPacket)
    {
        if (Volatile.Read(ref _rooms).TryGetValue(roomId, out var recording)) recording.AppendRtp(publisherPeerId, kind, rtpPacket);
    }

    public void OnSenderReport(string roomId, string publisherPeerId, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp)
    {
        if (Volatile.Read(ref _rooms).TryGetValue(roomId, out var recording)) recording.AppendSenderReport(publisherPeerId, ssrc, ntpTimestamp, rtpTimestamp);
    }

    /// <summary>
    /// Stops the room's recording: what was appended before is sealed, then the manifest,
    /// which the returned task gives (its <see cref="RecordingManifest.Sha256"/> goes in the audit log).
    /// </summary>
    /// <exception cref="InvalidOperationException">The room does not record.</exception>
    public Task<RecordingManifest> StopAsync(string roomId, string endedBy)
    {
        ActiveRecording? recording;
        lock (_startStop)
        {
            if (!_rooms.TryGetValue(roomId, out recording)) throw new InvalidOperationException($"room {roomId} does not record");
            Remove(recording);
        }
        return recording.Writer.Stop(endedBy);
    }

    /// <summary>The room's recording as stored so far; null when the room does not record.</summary>
    public RecordingStatus? Status(string roomId) => Find(roomId)?.Status();

    /// <summary>Ends every recording ("meeting-ended": the daemon is stopping) and waits for the writers to seal what they hold.</summary>
    public void Dispose()
    {
        ActiveRecording[] stopping;
        lock (_startStop)
        {
            if (_disposed) return;
            _disposed = true;
            stopping = [.. _rooms.Values];
            Volatile.Write(ref _rooms, FrozenDictionary<string, ActiveRecording>.Empty);
        }
        var written = new Task[stopping.Length];
        for (int i = 0; i < stopping.Length; i++) written[i] = stopping[i].Writer.Stop(EndedBy.MeetingEnded);
        try
        {
            Task.WaitAll(written, DisposeWait);
        }
        catch (AggregateException)
        {
            // A manifest that could not be written is written by crash recovery at the next start.
        }
    }

    private ActiveRecording? Find(string roomId) => Volatile.Read(ref _rooms).GetValueOrDefault(roomId);

    private void OnWriterFailed(ActiveRecording recording, string reason)
    {
        lock (_startStop)
        {
            if (_rooms.TryGetValue(recording.RoomId, out var current) && current == recording) Remove(recording);
        }
        events.Stopped(recording.RoomId, recording.RecordingId, reason);
    }

    private void Remove(ActiveRecording recording)
    {
        var rooms = new Dictionary<string, ActiveRecording>(_rooms, StringComparer.Ordinal);
        rooms.Remove(recording.RoomId);
        Volatile.Write(ref _rooms, rooms.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static void CreateOwnerOnly(string directory)
    {
        // The appliance is Linux; the guard only tells the analyzer so.
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, OwnerOnly);
    }
}
