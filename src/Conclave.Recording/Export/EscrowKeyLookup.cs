using Conclave.Crypto.SFrame;

namespace Conclave.Recording.Export;

/// <summary>
/// One participant's SFrame keys from the escrowed epochs: a frame's epoch from its KID's low
/// bits and its arrival (<see cref="EpochTimeline.ForFrame"/>), its key
/// <c>SFrameKey.FromBaseKey(sframe_epoch_secret, KID)</c> (RFC 9605 §5.2: every member's base key
/// is the epoch secret, the KID sets senders and streams apart), made once per epoch and KID and
/// disposed with the lookup. A frame is the participant's when its KID's sender index is a
/// roster leaf whose CA-signed credential names <paramref name="participantId"/>.
/// </summary>
internal sealed class EscrowKeyLookup(EpochTimeline timeline, string participantId) : ISFrameKeyLookup, IDisposable
{
    private readonly Dictionary<(TimelineEpoch Epoch, ulong Kid), SFrameKey> _keys = [];

    public SFrameKey? Find(ulong kid, ulong arrivalMicroseconds)
    {
        var entry = timeline.ForFrame((byte)kid, arrivalMicroseconds);
        if (entry?.Escrowed is not { } escrowed) return null;
        if (!_keys.TryGetValue((entry, kid), out var key))
        {
            key = SFrameKey.FromBaseKey(escrowed.SFrameEpochSecret, kid);
            _keys.Add((entry, kid), key);
        }
        return key;
    }

    public bool IsFromPublisher(ulong kid, ulong arrivalMicroseconds)
    {
        var entry = timeline.ForFrame((byte)kid, arrivalMicroseconds);
        if (entry?.Escrowed is null) return false;
        return entry.Members.TryGetValue(entry.Layout.Parse(kid).SenderIndex, out var member)
            && string.Equals(member.Credential.ParticipantId, participantId, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values) key.Dispose();
        _keys.Clear();
    }
}
