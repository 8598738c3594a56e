using System.Security.Cryptography;
using Conclave.Crypto.SFrame;
using Conclave.Recording.Export;

namespace Conclave.Recording.Tests.Export;

/// <summary>
/// A sender's SFrame keys per epoch, as a member derives them (RFC 9605 §5.2: base key the
/// epoch's sframe_epoch_secret, KID context ‖ sender ‖ epoch), and the escrow's view of them:
/// <see cref="Find"/> answers for every epoch not <see cref="Withhold"/>n, and the participant is
/// leaf <see cref="PublisherLeaf"/>. The layout is that of a two-leaf tree (S = 1).
/// </summary>
/// <param name="leaf">The sender's leaf, which its KIDs carry.</param>
/// <param name="epochSecret">Each epoch's sframe_epoch_secret; random per epoch when not given.</param>
internal sealed class TestEscrow(uint leaf = TestEscrow.SenderLeaf, Func<ulong, byte[]>? epochSecret = null) : ISFrameKeyLookup, IDisposable
{
    public const uint SenderLeaf = 1;

    private readonly MlsKeyIdLayout _layout = MlsKeyIdLayout.ForLeafCount(2);
    private readonly Dictionary<ulong, byte[]> _epochSecrets = [];
    private readonly Dictionary<ulong, SFrameKey> _keys = [];
    private readonly Dictionary<ulong, ulong> _counters = [];
    private readonly HashSet<ulong> _withheld = [];

    /// <summary>The leaf the export is told the participant has; frames are sealed as <see cref="SenderLeaf"/>.</summary>
    public uint Leaf { get; } = leaf;

    public uint PublisherLeaf { get; set; } = leaf;

    public void Withhold(ulong epoch) => _withheld.Add(epoch);

    public byte[] Seal(SFrameMediaKind kind, ulong epoch, byte[] frame)
    {
        var context = kind == SFrameMediaKind.Video ? SFrameStreamContext.Camera : SFrameStreamContext.Microphone;
        var key = Key(_layout.KeyId((ulong)context, Leaf, epoch), epoch);
        _counters.TryGetValue(key.Kid, out ulong ctr);
        _counters[key.Kid] = ctr + 1;
        var sealedFrame = new byte[SFrameMediaFrame.SealedLength(key, ctr, frame.Length)];
        int length = SFrameMediaFrame.Seal(key, ctr, kind, frame, sealedFrame);
        return sealedFrame[..length];
    }

    public SFrameKey? Find(ulong kid, ulong arrivalMicroseconds)
    {
        if (_withheld.Contains(_layout.Parse(kid).EpochLowBits)) return null;
        return _keys.GetValueOrDefault(kid);
    }

    public bool IsFromPublisher(ulong kid, ulong arrivalMicroseconds) => _layout.Parse(kid).SenderIndex == PublisherLeaf;

    public void Dispose()
    {
        foreach (var key in _keys.Values) key.Dispose();
    }

    private SFrameKey Key(ulong kid, ulong epoch)
    {
        if (_keys.TryGetValue(kid, out var key)) return key;
        if (!_epochSecrets.TryGetValue(epoch, out var secret)) _epochSecrets[epoch] = secret = epochSecret?.Invoke(epoch) ?? RandomNumberGenerator.GetBytes(16);
        return _keys[kid] = SFrameKey.FromBaseKey(secret, kid);
    }
}
