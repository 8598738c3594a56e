namespace Conclave.Media.Sfu;

/// <summary>
/// The signalling layer's grip on one peer: every call is carried to the media loop
/// thread, so it may be called from any thread.
/// </summary>
public sealed class PeerHandle
{
    private readonly MediaShard _plane;
    private readonly Peer _peer;

    internal PeerHandle(MediaShard plane, Peer peer)
    {
        _plane = plane;
        _peer = peer;
    }

    public string PeerId => _peer.Id;

    /// <summary>Sends the first offer (after the signalling layer has told the browser who it is).</summary>
    public Task NegotiateAsync() => _plane.Loop.InvokeAsync(() =>
    {
        _peer.Renegotiate();
        return true;
    });

    /// <summary>Applies an answer; a refused one says why in <see cref="AnswerResult.Refusal"/>.</summary>
    public Task<AnswerResult> ApplyAnswerAsync(int revision, string sdp) =>
        _plane.Loop.InvokeAsync(() => _peer.ApplyAnswer(revision, sdp, _plane.Loop.NowMs));

    /// <summary>New ICE credentials and a new offer (RFC 8445 §9).</summary>
    public Task RestartIceAsync() => _plane.Loop.InvokeAsync(() =>
    {
        if (!_peer.IsClosed) _peer.RestartIce();
        return true;
    });

    /// <summary>
    /// Lets the participant present its screen, or stops its screen stream (share stop, a
    /// host's takeover); a new offer follows either way. Commands reach the loop in the order
    /// they are called, so the signalling layer decides who presents and calls this under
    /// one lock, and the last decision is the one the SFU ends up with.
    /// </summary>
    public Task AllowScreenAsync(bool allowed) => _plane.Loop.InvokeAsync(() =>
    {
        if (!_peer.IsClosed) _peer.AllowScreen(allowed);
        return true;
    });

    public Task LeaveAsync() => _plane.Loop.InvokeAsync(() =>
    {
        _plane.ClosePeer(_peer, reason: null);
        return true;
    });
}
