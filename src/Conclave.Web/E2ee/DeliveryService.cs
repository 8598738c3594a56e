using System.Security.Cryptography;
using Conclave.Web.Signalling;

namespace Conclave.Web.E2ee;

/// <summary>Who a GroupInfo request comes from, once its bearer token matched.</summary>
public sealed record DeliveryParticipant(string ParticipantId, string AttendeeKey);

/// <summary>The GroupInfo joiners commit against, and the epoch it is of.</summary>
public sealed record StoredGroupInfo(ulong Epoch, byte[] Bytes);

public enum GroupInfoUpload
{
    Stored,
    /// <summary>Not the current epoch, or its GroupInfo is already stored (409).</summary>
    NotCurrent,
    /// <summary>This participant was not asked for it (403).</summary>
    NotAsked,
}

/// <summary>
/// The MLS Delivery Service of one room (RFC 9420 §16.1; docs/signalling.md, "Delivery
/// Service"): it tells the first participant to found the group and the others when a
/// GroupInfo to join from is ready, puts commits in one order (the first for the current epoch
/// wins, later ones are stale), keeps the current epoch's GroupInfo and chases it when its
/// committer does not publish, and has a member remove each leaf whose participant left.
/// It reads no MLS message: commits are relayed as the committer sent them, and members check
/// their content. In memory only; one lock per room, taken by every call and by the timer.
/// </summary>
public sealed class DeliveryService : IDisposable
{
    /// <summary>How long a new epoch's committer has to PUT its GroupInfo before another member is asked, and then the next.</summary>
    public static readonly TimeSpan GroupInfoWait = TimeSpan.FromSeconds(2);

    /// <summary>How long an asked member has to get a removal accepted before the next member is asked.</summary>
    public static readonly TimeSpan RemovalWait = TimeSpan.FromSeconds(1);

    /// <summary>After an external join, long enough for publishers to process the commit and key the new epoch.</summary>
    public static readonly TimeSpan KeyFrameDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>RFC 9420 §8 leaves the group id's form open; 128 random bits cannot collide between meetings.</summary>
    private const int GroupIdBytes = 16;

    private readonly string _roomId;
    private readonly IRoomMediaControl _media;
    private readonly IRoomEpochObserver? _epochs;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private readonly List<Member> _members = [];
    private readonly HashSet<string> _publishers = new(StringComparer.Ordinal);
    private readonly List<PendingRemoval> _removals = [];
    private readonly Queue<DateTimeOffset> _keyFramesDue = new();
    private GroupPhase _phase;
    private Member? _founder;
    private ulong _epoch;
    private byte[]? _groupInfo;
    private DateTimeOffset? _publishDeadline;
    private uint? _lastAskedToPublish;
    private bool _disposed;

    public DeliveryService(string roomId, IRoomMediaControl media, TimeProvider time, IRoomEpochObserver? epochs = null)
    {
        _roomId = roomId;
        _media = media;
        _epochs = epochs;
        _time = time;
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private enum GroupPhase
    {
        /// <summary>No group: the next participant to enter founds one.</summary>
        None,
        /// <summary>The founder was sent mls-create; everyone else waits for its epoch-0 GroupInfo.</summary>
        Founding,
        Active,
    }

    private sealed class Member(string participantId, string attendeeKey, byte[] groupTokenSha256, IDeliveryRecipient recipient)
    {
        public string ParticipantId { get; } = participantId;
        public string AttendeeKey { get; } = attendeeKey;
        public byte[] GroupTokenSha256 { get; } = groupTokenSha256;
        public IDeliveryRecipient Recipient { get; } = recipient;

        /// <summary>The participant's leaf in the group, or null while it waits to join.</summary>
        public uint? Leaf { get; set; }
    }

    /// <summary>A leaf whose participant left, until a commit that lists it in <c>removes</c> is accepted.</summary>
    private sealed class PendingRemoval(uint leaf, string participantId)
    {
        public uint Leaf { get; } = leaf;
        public string ParticipantId { get; } = participantId;
        public Member? Asked { get; set; }
        public DateTimeOffset Deadline { get; set; }
    }

    /// <summary>The group's current epoch, or null while there is no group yet.</summary>
    public ulong? CurrentEpoch
    {
        get
        {
            lock (_lock) return _phase == GroupPhase.None ? null : _epoch;
        }
    }

    /// <summary>An admitted participant, after its <c>joined</c>: it founds the group, is told to join, or waits.</summary>
    public void Enter(string participantId, string attendeeKey, byte[] groupTokenSha256, IDeliveryRecipient recipient)
    {
        lock (_lock)
        {
            var member = new Member(participantId, attendeeKey, groupTokenSha256, recipient);
            _members.Add(member);
            if (_phase == GroupPhase.None) Found(member);
            else if (_phase == GroupPhase.Active && _groupInfo is not null) Send(member, new ServerMessage.MlsJoin(_epoch));
        }
    }

    /// <summary>The participant left (leave, removal, ended meeting, dropped socket).</summary>
    public void Leave(string participantId)
    {
        lock (_lock)
        {
            if (Find(participantId) is not { } member) return;
            _members.Remove(member);
            if (member == _founder || (member.Leaf is not null && LowestLeafMember() is null))
            {
                // The founder never published, or the last member took the group with it:
                // whoever still waits starts a new one.
                Forget();
                if (FirstWaiting() is { } next) Found(next);
                return;
            }
            if (member.Leaf is { } leaf)
            {
                var removal = new PendingRemoval(leaf, member.ParticipantId);
                _removals.Add(removal);
                AskToRemove(removal, afterLeaf: null);
            }
            // What the leaver was asked to do goes to the next member at once.
            foreach (var removal in _removals)
            {
                if (removal.Asked == member) AskToRemove(removal, member.Leaf);
            }
            if (_publishDeadline is not null && !AnyPublisherPresent())
            {
                _lastAskedToPublish = member.Leaf;
                AskToPublish();
            }
            Reschedule();
        }
    }

    /// <summary>
    /// An MLSMessage commit made at <paramref name="epoch"/>. The first for the current epoch is
    /// broadcast to everyone (the committer's acknowledgement included) and starts the next
    /// epoch; any other is answered <c>mls-stale</c>. Ignored while no group exists: the group it
    /// was made for is gone.
    /// </summary>
    /// <param name="removes">The leaves the commit removes, as the committer says.</param>
    public void Commit(string participantId, ulong epoch, string commitBase64, IReadOnlyList<uint> removes)
    {
        lock (_lock)
        {
            if (_phase != GroupPhase.Active || Find(participantId) is not { } committer) return;
            if (epoch != _epoch)
            {
                Send(committer, new ServerMessage.MlsStale(_epoch));
                // A joiner retries on the current GroupInfo, which may have been stored before its commit lost.
                if (committer.Leaf is null && _groupInfo is not null) Send(committer, new ServerMessage.MlsJoin(_epoch));
                return;
            }
            // The media plane first: a member seals under the next epoch as soon as it has processed
            // the commit, and the plane still takes frames of the two epochs before (SFrameShape).
            _media.SetRoomEpoch(_roomId, epoch + 1);
            Broadcast(new ServerMessage.MlsCommit(epoch, commitBase64, participantId));
            _epoch++;
            _groupInfo = null;
            _publishers.Clear();
            _publishers.Add(participantId);
            _lastAskedToPublish = null;
            _publishDeadline = _time.GetUtcNow() + GroupInfoWait;
            foreach (uint leaf in removes)
            {
                _removals.RemoveAll(r => r.Leaf == leaf);
                foreach (var member in _members)
                {
                    // Removed by another member while present: out of the group, it waits to join again.
                    if (member.Leaf == leaf && member != committer) member.Leaf = null;
                }
            }
            if (committer.Leaf is null)
            {
                // An external join takes the leftmost blank leaf (RFC 9420 §7.7); mls-joined confirms it.
                committer.Leaf = LowestFreeLeaf();
                _keyFramesDue.Enqueue(_time.GetUtcNow() + KeyFrameDelay);
            }
            _epochs?.EpochAccepted(_roomId, _epoch);
            Reschedule();
        }
    }

    /// <summary>A joiner's leaf, once its external commit was echoed; a claim about a later epoch or a taken leaf is ignored.</summary>
    public void Joined(string participantId, ulong epoch, uint leaf)
    {
        lock (_lock)
        {
            if (_phase != GroupPhase.Active || epoch > _epoch || Find(participantId) is not { Leaf: not null } member) return;
            foreach (var other in _members)
            {
                if (other != member && other.Leaf == leaf) return;
            }
            foreach (var removal in _removals)
            {
                if (removal.Leaf == leaf) return;
            }
            member.Leaf = leaf;
        }
    }

    /// <summary>An encrypted application message, relayed to everyone else in the room as it came; nothing of it is kept.</summary>
    public void Relay(string participantId, ServerMessage.Data message)
    {
        byte[] json = message.ToUtf8Json();
        lock (_lock)
        {
            if (Find(participantId) is null) return;
            foreach (var member in _members)
            {
                if (member.ParticipantId != participantId) member.Recipient.Send(json);
            }
        }
    }

    /// <summary>The participant whose group token has this SHA-256, or null.</summary>
    public DeliveryParticipant? Authenticate(ReadOnlySpan<byte> groupTokenSha256)
    {
        lock (_lock)
        {
            foreach (var member in _members)
            {
                if (CryptographicOperations.FixedTimeEquals(member.GroupTokenSha256, groupTokenSha256)) return new DeliveryParticipant(member.ParticipantId, member.AttendeeKey);
            }
            return null;
        }
    }

    /// <summary>The current epoch's GroupInfo, or null while there is none yet.</summary>
    public StoredGroupInfo? CurrentGroupInfo()
    {
        lock (_lock)
        {
            return _phase == GroupPhase.Active && _groupInfo is { } groupInfo ? new StoredGroupInfo(_epoch, groupInfo) : null;
        }
    }

    /// <summary>
    /// A GroupInfo PUT: stored when it is the current epoch's, none is stored yet, and this
    /// participant was asked (the founder for epoch 0, the committer, or a member sent
    /// mls-publish); then everyone waiting to join is told.
    /// </summary>
    public GroupInfoUpload PutGroupInfo(string participantId, ulong epoch, byte[] groupInfo)
    {
        lock (_lock)
        {
            if (_phase == GroupPhase.None || epoch != _epoch || _groupInfo is not null) return GroupInfoUpload.NotCurrent;
            if (!_publishers.Contains(participantId) || Find(participantId) is null) return GroupInfoUpload.NotAsked;
            _groupInfo = groupInfo;
            _publishDeadline = null;
            if (_phase == GroupPhase.Founding)
            {
                _phase = GroupPhase.Active;
                _founder!.Leaf = 0;
                _founder = null;
            }
            var join = new ServerMessage.MlsJoin(_epoch).ToUtf8Json();
            foreach (var member in _members)
            {
                if (member.Leaf is null) member.Recipient.Send(join);
            }
            Reschedule();
            return GroupInfoUpload.Stored;
        }
    }

    public void Dispose()
    {
        lock (_lock) _disposed = true;
        _timer.Dispose();
    }

    private void Found(Member founder)
    {
        _phase = GroupPhase.Founding;
        _founder = founder;
        _epoch = 0;
        _publishers.Add(founder.ParticipantId);
        // The media plane first: the founder seals under epoch 0 as soon as it has created the group.
        _media.SetRoomEpoch(_roomId, 0);
        Send(founder, new ServerMessage.MlsCreate(Convert.ToBase64String(RandomNumberGenerator.GetBytes(GroupIdBytes))));
        _epochs?.EpochAccepted(_roomId, 0);
    }

    private void Forget()
    {
        _phase = GroupPhase.None;
        _founder = null;
        _epoch = 0;
        _groupInfo = null;
        _publishers.Clear();
        _publishDeadline = null;
        _lastAskedToPublish = null;
        _removals.Clear();
        _keyFramesDue.Clear();
        foreach (var member in _members) member.Leaf = null;
    }

    /// <summary>The member with the lowest leaf above <paramref name="afterLeaf"/> (else the lowest) is asked to remove the leaf.</summary>
    private void AskToRemove(PendingRemoval removal, uint? afterLeaf)
    {
        if (NextMember(afterLeaf) is not { } member) return;
        removal.Asked = member;
        removal.Deadline = _time.GetUtcNow() + RemovalWait;
        Send(member, new ServerMessage.MlsRemove(_epoch, removal.Leaf, removal.ParticipantId));
    }

    /// <summary>The next member after the last one asked (the lowest leaf first) is asked to PUT the current GroupInfo.</summary>
    private void AskToPublish()
    {
        if (NextMember(_lastAskedToPublish) is not { } member) return;
        _lastAskedToPublish = member.Leaf;
        _publishers.Add(member.ParticipantId);
        _publishDeadline = _time.GetUtcNow() + GroupInfoWait;
        Send(member, new ServerMessage.MlsPublish(_epoch));
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (_disposed) return;
            var now = _time.GetUtcNow();
            bool keyFrames = false;
            while (_keyFramesDue.TryPeek(out var due) && due <= now)
            {
                _keyFramesDue.Dequeue();
                keyFrames = true;
            }
            if (keyFrames) _media.RequestKeyFrames(_roomId);
            if (_publishDeadline <= now) AskToPublish();
            foreach (var removal in _removals)
            {
                if (removal.Deadline <= now) AskToRemove(removal, removal.Asked?.Leaf);
            }
            Reschedule();
        }
    }

    /// <summary>Sets the timer to the earliest deadline: a key-frame request, a GroupInfo escalation, a removal escalation.</summary>
    private void Reschedule()
    {
        // A GroupInfo PUT can still reach a room the last participant has just left.
        if (_disposed) return;
        DateTimeOffset? next = _publishDeadline;
        if (_keyFramesDue.TryPeek(out var keyFrame) && (next is null || keyFrame < next)) next = keyFrame;
        foreach (var removal in _removals)
        {
            if (next is null || removal.Deadline < next) next = removal.Deadline;
        }
        if (next is null)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var wait = next.Value - _time.GetUtcNow();
        _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private Member? Find(string participantId)
    {
        foreach (var member in _members)
        {
            if (member.ParticipantId == participantId) return member;
        }
        return null;
    }

    private Member? FirstWaiting()
    {
        foreach (var member in _members)
        {
            if (member.Leaf is null) return member;
        }
        return null;
    }

    private bool AnyPublisherPresent()
    {
        foreach (var member in _members)
        {
            if (_publishers.Contains(member.ParticipantId)) return true;
        }
        return false;
    }

    private Member? LowestLeafMember() => NextMember(null);

    /// <summary>The member with the lowest leaf above <paramref name="afterLeaf"/>, else the lowest of all; null when nobody has a leaf.</summary>
    private Member? NextMember(uint? afterLeaf)
    {
        Member? lowest = null, next = null;
        foreach (var member in _members)
        {
            if (member.Leaf is not { } leaf) continue;
            if (lowest is null || leaf < lowest.Leaf) lowest = member;
            if (leaf > afterLeaf && (next is null || leaf < next.Leaf)) next = member;
        }
        return next ?? lowest;
    }

    /// <summary>The leftmost leaf that no member holds and no pending removal still occupies.</summary>
    private uint LowestFreeLeaf()
    {
        uint leaf = 0;
        while (IsOccupied(leaf)) leaf++;
        return leaf;
    }

    private bool IsOccupied(uint leaf)
    {
        foreach (var member in _members)
        {
            if (member.Leaf == leaf) return true;
        }
        foreach (var removal in _removals)
        {
            if (removal.Leaf == leaf) return true;
        }
        return false;
    }

    private static void Send(Member member, ServerMessage message) => member.Recipient.Send(message.ToUtf8Json());

    private void Broadcast(ServerMessage message)
    {
        byte[] json = message.ToUtf8Json();
        foreach (var member in _members) member.Recipient.Send(json);
    }
}
