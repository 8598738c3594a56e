using EscrowBlob = Conclave.Crypto.Escrow.EscrowBlob;
using Conclave.Meetings;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Recordings;
using Conclave.Web.E2ee;
using Conclave.Web.Ports;
using Conclave.Web.Signalling;
using Microsoft.Extensions.Logging;

namespace Conclave.Web.Recording;

/// <summary>
/// Recording as signalling sees it (docs/recording.md): a host asks, the domain decides, the
/// recorder stores, the host's browser puts the recording into the MLS group context (which is
/// what makes every member show the indicator and escrow), members' escrow blobs are kept, and
/// everyone is told what the appliance is storing. One recording per room at a time.
/// </summary>
public sealed partial class MeetingRecordings : IRoomEpochObserver
{
    private readonly RecordingService _service;
    private readonly IMeetingRecorder _recorder;
    private readonly RecordingOptions _options;
    private readonly Func<RoomDirectory> _directory;
    private readonly IRoomMediaControl _media;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Active> _active = new(StringComparer.Ordinal);

    public MeetingRecordings(RecordingService service, IMeetingRecorder recorder, RecordingOptions options, Func<RoomDirectory> directory,
        IRoomMediaControl media, TimeProvider time, ILogger<MeetingRecordings> logger)
    {
        _service = service;
        _recorder = recorder;
        _options = options;
        _directory = directory;
        _media = media;
        _time = time;
        _logger = logger;
        _recorder.StoppedItself += (room, reason) => _ = StopAsync(room, reason);
    }

    private sealed class Active(Meetings.Recordings.Recording recording, byte[] id)
    {
        public Meetings.Recordings.Recording Recording { get; } = recording;
        public byte[] Id { get; } = id;
        public int EscrowBlobs { get; set; }
        public bool Stopping { get; set; }
    }

    /// <summary>Whether the room records now, and which recording (for a participant who just came in).</summary>
    public string? ActiveRecordingId(string room)
    {
        lock (_lock) return _active.TryGetValue(room, out var active) && !active.Stopping ? active.Recording.Id : null;
    }

    /// <summary>False when the meeting may be recorded and the page did not say so before Join (the join is refused).</summary>
    internal bool CheckNotice(Attendee attendee, string room, bool noticeAccepted) => _service.CheckNotice(attendee, room, noticeAccepted);

    /// <summary>The host, in the room, asks to record it.</summary>
    internal void Start(SignallingConnection starter, string room, RecordingScope scope)
    {
        if (_options.EscrowKeys.Count == 0)
        {
            starter.SendRecordingState("refused", null, "no compliance escrow key is registered on this appliance (conclavectl compliance register)");
            return;
        }
        Meetings.Recordings.Recording recording;
        try
        {
            recording = _service.Start(starter.Attendee, room, scope);
        }
        catch (DomainException e)
        {
            starter.SendRecordingState("refused", null, e.Message);
            return;
        }
        byte[] id = Convert.FromHexString(recording.Id);
        var directory = _directory();
        lock (_lock)
        {
            try
            {
                _recorder.Start(room, id, room);
            }
            catch (IOException e)
            {
                LogStartFailed(_logger, recording.Id, e.Message);
                _service.Stopped(recording.Id, "failed-to-start", 0, [], 0);
                starter.SendRecordingState("refused", null, "the appliance cannot write the recording (its disk is full or unwritable)");
                return;
            }
            _active[room] = new Active(recording, id);
            if (directory.Delivery(room)?.CurrentEpoch is { } epoch) _recorder.Epoch(room, epoch);
            foreach (var connection in directory.Connections(room))
            {
                if (connection is { ParticipantId: { } participant, IssuedCredential: { } credential }) _recorder.Participant(room, participant, credential);
            }
        }
        starter.SendRecordingRequested(recording.Id, scope, _options.EscrowKeys);
        Broadcast(room, "requested", recording.Id, null);
        LogStarted(_logger, recording.Id, room);
    }

    /// <summary>The host asks to stop; the recorder closes the recording, and the host's browser takes the flag out of the group.</summary>
    internal async Task StopAsync(SignallingConnection asker, string room)
    {
        string? id = ActiveRecordingId(room);
        if (id is null)
        {
            asker.SendRecordingState("off", null, null);
            return;
        }
        if (!MayControl(asker.Attendee, room))
        {
            asker.SendRecordingState("refused", id, "only the meeting's host may stop the recording");
            return;
        }
        await StopAsync(room, "stop");
    }

    /// <summary>The appliance is stopping: every recording is closed and indexed as such.</summary>
    public async Task StopAllAsync(string endedBy)
    {
        List<string> rooms;
        lock (_lock) rooms = [.. _active.Keys];
        foreach (string room in rooms) await StopAsync(room, endedBy);
    }

    /// <summary>The last participant left: nothing more can be recorded.</summary>
    internal Task RoomEmptiedAsync(string room) => StopAsync(room, "everyone-left");

    internal void ParticipantEntered(string room, string participantId, byte[] credential)
    {
        lock (_lock)
        {
            if (_active.ContainsKey(room)) _recorder.Participant(room, participantId, credential);
        }
    }

    /// <summary>
    /// Keeps a member's escrow blob when it is for this room's running recording and says so
    /// itself; anything else is dropped (escrow races the stop, and the appliance cannot open a
    /// blob to check more).
    /// </summary>
    internal void Escrow(string room, string recordingId, ulong epoch, byte[] blob)
    {
        bool first;
        lock (_lock)
        {
            if (!_active.TryGetValue(room, out var active) || active.Stopping || active.Recording.Id != recordingId) return;
            if (!EscrowBlob.TryParse(blob, out var parsed) || !parsed.RecordingId.AsSpan().SequenceEqual(active.Id) || parsed.Epoch != epoch) return;
            _recorder.Escrow(room, blob);
            first = active.EscrowBlobs++ == 0;
        }
        if (first) Broadcast(room, "on", recordingId, null);
    }

    internal void Data(string room, string participantId, ulong epoch, byte[] ciphertext)
    {
        lock (_lock)
        {
            if (_active.TryGetValue(room, out var active) && !active.Stopping && active.Recording.Scope == RecordingScope.MediaAndChat)
            {
                _recorder.Data(room, participantId, epoch, ciphertext);
            }
        }
    }

    void IRoomEpochObserver.EpochAccepted(string roomId, ulong epoch)
    {
        lock (_lock)
        {
            if (!_active.ContainsKey(roomId)) return;
            _recorder.Epoch(roomId, epoch);
        }
        // WebRTC sends no periodic key frames: without one in the new epoch, a recording that
        // starts (or is escrowed from) here could decode nothing until someone joins. Asked
        // once members use the new keys, as the Delivery Service does for a joiner.
        _ = RequestKeyFramesLaterAsync(roomId);
    }

    private async Task RequestKeyFramesLaterAsync(string roomId)
    {
        await Task.Delay(DeliveryService.KeyFrameDelay, _time);
        _media.RequestKeyFrames(roomId);
    }

    private async Task StopAsync(string room, string endedBy)
    {
        Active? active;
        lock (_lock)
        {
            if (!_active.TryGetValue(room, out active) || active.Stopping) return;
            active.Stopping = true;
        }
        try
        {
            var summary = await _recorder.StopAsync(room, endedBy);
            _service.Stopped(active.Recording.Id, endedBy, summary.Bytes, summary.ManifestSha256, active.EscrowBlobs);
            LogStopped(_logger, active.Recording.Id, endedBy, summary.Bytes);
        }
        catch (IOException e)
        {
            // What was sealed stays readable; the manifest is recovered at the next start.
            LogStopFailed(_logger, active.Recording.Id, e.Message);
        }
        finally
        {
            lock (_lock) _active.Remove(room);
        }
        var directory = _directory();
        foreach (var connection in directory.Connections(room))
        {
            if (MayControl(connection.Attendee, room)) connection.SendRecordingStopping(active.Recording.Id);
        }
        Broadcast(room, "stopped", active.Recording.Id, endedBy == "stop" ? null : endedBy);
    }

    private bool MayControl(Attendee attendee, string room) => _service.MayControl(attendee, room);

    private void Broadcast(string room, string state, string? recordingId, string? reason)
    {
        byte[] json = new ServerMessage.RecordingState(state, recordingId, reason).ToUtf8Json();
        foreach (var connection in _directory().Connections(room)) connection.Send(json);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingId} of room {Room} started")]
    private static partial void LogStarted(ILogger logger, string recordingId, string room);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingId} stopped ({EndedBy}), {Bytes} bytes")]
    private static partial void LogStopped(ILogger logger, string recordingId, string endedBy, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording {RecordingId} could not start: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string recordingId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording {RecordingId} could not be closed cleanly: {Reason}; its manifest is recovered at the next start")]
    private static partial void LogStopFailed(ILogger logger, string recordingId, string reason);
}
