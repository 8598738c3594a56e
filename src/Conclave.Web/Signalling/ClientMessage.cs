using Conclave.Web.E2ee;

namespace Conclave.Web.Signalling;

/// <summary>A message from the browser (docs/signalling.md).</summary>
public abstract record ClientMessage
{
    /// <param name="SignatureKey">The MLS signature key the browser will sign with in this meeting; null when it sent no <c>e2ee</c> (refused: every meeting is end-to-end encrypted).</param>
    /// <param name="RecordingNoticeAccepted">The page told the person this meeting may be recorded, and they joined anyway.</param>
    public sealed record Join(string Room, MlsSignatureKey? SignatureKey, bool RecordingNoticeAccepted = false) : ClientMessage;
    public sealed record Answer(int Revision, string Sdp) : ClientMessage;
    public sealed record Candidate(string Line, string? SdpMid) : ClientMessage;
    public sealed record RestartIce : ClientMessage;
    public sealed record Leave : ClientMessage;

    /// <summary>The browser could not apply an offer (setRemoteDescription failed); it leaves, saying why.</summary>
    public sealed record NegotiationFailed(string Reason) : ClientMessage;

    /// <summary>An MLS commit made at <paramref name="Epoch"/>, for the Delivery Service to order.</summary>
    /// <param name="Commit">The MLSMessage, base64 (checked to be base64 only: members check the rest).</param>
    /// <param name="Removes">The leaves it removes, as the committer says (the Delivery Service's bookkeeping).</param>
    public sealed record MlsCommit(ulong Epoch, string Commit, uint[] Removes) : ClientMessage
    {
        public bool Equals(MlsCommit? other) =>
            other is not null && Epoch == other.Epoch && Commit == other.Commit && Removes.AsSpan().SequenceEqual(other.Removes);

        public override int GetHashCode() => HashCode.Combine(Epoch, Commit, Removes.Length);
    }

    /// <summary>The joiner's own leaf, after its external commit was echoed.</summary>
    public sealed record MlsJoined(ulong Epoch, uint Leaf) : ClientMessage;

    /// <summary>An encrypted application message for everyone else in the room.</summary>
    /// <param name="Ct">The ciphertext, base64.</param>
    public sealed record Data(ulong Epoch, DataKind Kind, string Ct) : ClientMessage;

    /// <summary>The participant asks to present its screen (docs/content-sharing.md).</summary>
    public sealed record ShareStart : ClientMessage;

    /// <summary>The participant stops presenting its screen.</summary>
    public sealed record ShareStop : ClientMessage;

    /// <summary>A host asks to record the meeting.</summary>
    public sealed record RecordingStart(Meetings.Recordings.RecordingScope Scope) : ClientMessage;

    /// <summary>A host asks to stop recording.</summary>
    public sealed record RecordingStop : ClientMessage;

    /// <summary>One escrow blob (docs/recording.md) a member sealed for an epoch of the recording.</summary>
    /// <param name="Blob">The EscrowBlob, base64.</param>
    public sealed record RecordingEscrow(string RecordingId, ulong Epoch, string Blob) : ClientMessage;
}
